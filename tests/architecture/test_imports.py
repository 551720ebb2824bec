"""``import constructs`` must mean the CDK library from every entry point (DESIGN.md, name clash)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.env import REPO


def test_constructs_folder_holds_no_python_at_top_level() -> None:
    stray = sorted(p.name for p in (REPO / "constructs").iterdir() if p.suffix == ".py")
    assert stray == [], f"constructs/ must only hold the package folder, found {stray}"


def test_import_constructs_is_the_cdk_library_under_pytest() -> None:
    import constructs

    assert hasattr(constructs, "Construct")
    assert "site-packages" in (constructs.__file__ or "")


@pytest.mark.parametrize("cwd", [REPO, REPO / "constructs", REPO / "stacks", REPO / "tools"])
def test_import_constructs_with_repo_folders_on_sys_path(cwd: Path) -> None:
    """``python -c`` and ``python -m`` put the working directory first on sys.path."""
    code = "import constructs, cdktf; print(constructs.__file__); print(cdktf.App.__name__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    first = out.stdout.splitlines()[0]
    assert "site-packages" in first and out.stdout.splitlines()[1] == "App"


def test_cli_entry_point_runs_from_repo_root() -> None:
    infra = Path(sys.executable).parent / "infra"
    out = subprocess.run([str(infra), "registry", "check"], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: org ")


@pytest.mark.synth
def test_cdktf_app_entry_point_runs_from_repo_root(tmp_path: Path) -> None:
    """What ``cdktf synth`` runs (cdktf.json "app"), from the repo root, with CDKTF_OUTDIR set."""
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out")}
    code = (
        "import constructs, runpy; assert 'site-packages' in constructs.__file__; "
        "runpy.run_module('platform_stacks', run_name='__main__')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / "stacks" / "state-backend" / "cdk.tf.json").is_file()
