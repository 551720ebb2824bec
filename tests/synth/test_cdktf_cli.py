"""The platform team's path: the official ``cdktf`` CLI (npm cdktf-cli 0.21.0) gives the same stacks as ``make synth``.

The CLI is installed by ``scripts/install-cdktf-cli.sh`` (= ``make cdktf-cli``) into ``.tools/cdktf-cli`` from the
committed lockfile in ``tools/cdktf-cli/``; a second call is a no-op (stamp file). The first install needs the npm
registry (or a warm npm cache): locally a failed install skips this test with the reason, under ``CI=true`` it
fails it. The CLI then runs through ``scripts/cdktf.sh`` on the PyPI Node 22, offline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.env import REPO, need

pytestmark = [pytest.mark.slow, pytest.mark.synth]

INSTALL = REPO / "scripts" / "install-cdktf-cli.sh"
CDKTF = REPO / "scripts" / "cdktf.sh"
INFRA = Path(sys.executable).parent / "infra"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # Both sides must read the same registry: the default (./platform.yaml = the embedded one).
    for var in ("INFRA_PLATFORM", "CDKTF_OUTDIR", "CDKTF_OUTPUT"):
        env.pop(var, None)
    # The CLI's ink UI: no spinner frames or colours in captured output.
    env.update(CI="1", FORCE_COLOR="0")
    return env


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cdktf_cli() -> Path:
    """The installed CLI (installing it when missing or when the lockfile changed)."""
    proc = subprocess.run(
        ["bash", str(INSTALL)], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=900, check=False
    )
    cli = REPO / ".tools" / "cdktf-cli" / "node_modules" / ".bin" / "cdktf"
    need(
        proc.returncode == 0 and cli.is_file(),
        f"cannot install the cdktf CLI (bash scripts/install-cdktf-cli.sh exit {proc.returncode}; it needs the "
        f"npm registry or a warm npm cache):\n{_tail(proc.stderr + proc.stdout)}",
    )
    return cli


def _run_ok(what: str, cmd: list[str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{_tail(proc.stdout + proc.stderr, 60)}"
    return proc


def test_cdktf_cli_synth_gives_the_same_stacks_as_make_synth(cdktf_cli: Path, tmp_path: Path) -> None:
    cli_out = tmp_path / "cdktf-cli.out"
    make_out = tmp_path / "make.out"

    # `cdktf synth --output DIR` (-o; cdktf 0.21) runs cdktf.json's app with CDKTF_OUTDIR=DIR.
    cli = _run_ok("cdktf synth", ["bash", str(CDKTF), "synth", "--output", str(cli_out)])
    _run_ok("infra synth", [str(INFRA), "synth", "--out", str(make_out), "--force"])

    cli_stacks = sorted(p.name for p in (cli_out / "stacks").iterdir())
    make_stacks = sorted(p.name for p in (make_out / "stacks").iterdir())
    assert cli_stacks, f"cdktf synth wrote no stacks into {cli_out}"
    assert cli_stacks == make_stacks
    assert f"Generated Terraform code for the stacks: {', '.join(cli_stacks)}" in cli.stdout + cli.stderr

    for name in cli_stacks:
        cli_json = (cli_out / "stacks" / name / "cdk.tf.json").read_bytes()
        make_json = (make_out / "stacks" / name / "cdk.tf.json").read_bytes()
        assert cli_json == make_json, f"stacks/{name}/cdk.tf.json differs between cdktf synth and make synth"

    # Nothing is added or dropped either: the CLI adds no file of its own to the output, so the whole stacks/
    # tree and the manifest are byte-identical. Only our pipeline's cache marker (.infra-synth.json) is left
    # out: it records where the registry came from ("platform.yaml" from `infra synth` in the repo root,
    # "embedded:platform.yaml" from the app the CLI runs), which is the same text.
    assert _tree(cli_out / "stacks") == _tree(make_out / "stacks")
    assert (cli_out / "manifest.json").read_bytes() == (make_out / "manifest.json").read_bytes()
