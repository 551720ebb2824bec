"""One rule for which registry a command reads, the same for every entry point: ``--platform`` if given, else
``$INFRA_PLATFORM``, else ``./platform.yaml`` in the working directory, else the embedded default.

Each test runs in an empty working directory with its own registries, so the organisation's file is never read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_constructs.registry import REGISTRY_ENV_VAR, load_registry, resolve_registry_path
from platform_constructs.registry.edit import append_service
from platform_tools.guardrails.policy.runner import default_data
from support.env import REPO

EMBEDDED = load_registry(None)


def _registry(path: Path, service: str) -> Path:
    """The embedded registry plus one service named ``service``, so the summary shows which file was read."""
    from platform_constructs.registry.loader import read_registry_text

    _, text = read_registry_text(None)
    entry = {"name": service, "repo": service, "team": "payments", "owner": "a@acme.example", "cost_center": "CC-1"}
    path.write_text(append_service(text, entry))
    return path


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(REGISTRY_ENV_VAR, raising=False)
    return tmp_path


def _infra(*args: str, cwd: Path, env_value: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != REGISTRY_ENV_VAR}
    if env_value is not None:
        env[REGISTRY_ENV_VAR] = env_value
    return subprocess.run(
        [sys.executable, "-m", "platform_tools", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_order_is_flag_then_variable_then_working_directory_then_embedded(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve_registry_path(None) is None  # nothing anywhere: the embedded default
    _registry(workdir / "platform.yaml", "local")
    assert resolve_registry_path(None) == "platform.yaml"
    other = _registry(workdir / "other.yaml", "fromenv")
    monkeypatch.setenv(REGISTRY_ENV_VAR, str(other))
    assert resolve_registry_path(None) == str(other)
    assert resolve_registry_path("flag.yaml") == "flag.yaml"


def test_infra_honours_the_variable_and_the_flag_beats_it(workdir: Path) -> None:
    _registry(workdir / "platform.yaml", "local")
    other = _registry(workdir / "other.yaml", "fromenv")
    flag = _registry(workdir / "flag.yaml", "fromflag")

    assert "local" in _infra("registry", "check", cwd=workdir).stdout
    by_env = _infra("registry", "check", cwd=workdir, env_value=str(other))
    assert "fromenv" in by_env.stdout and "local" not in by_env.stdout, by_env.stderr
    by_flag = _infra("registry", "check", "--platform", str(flag), cwd=workdir, env_value=str(other))
    assert "fromflag" in by_flag.stdout and "fromenv" not in by_flag.stdout, by_flag.stderr


def test_a_variable_naming_a_missing_file_is_an_error_not_a_fallback(workdir: Path) -> None:
    _registry(workdir / "platform.yaml", "local")
    done = _infra("registry", "check", cwd=workdir, env_value="missing.yaml")
    assert done.returncode == 2 and done.stdout == ""
    assert "INFRA_PLATFORM: names a registry file that does not exist (got 'missing.yaml')" in done.stderr
    assert "unset INFRA_PLATFORM" in done.stderr and "Traceback" not in done.stderr


def test_an_empty_variable_counts_as_unset(workdir: Path) -> None:
    done = _infra("registry", "check", cwd=workdir, env_value="")
    assert done.returncode == 0 and f"{len(EMBEDDED.services)} services" in done.stdout


def test_the_cdktf_app_and_the_policy_runner_follow_the_same_rule(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the app entry point (cdktf.json runs python -m platform_stacks) refuses before it starts jsii
    env = {**os.environ, REGISTRY_ENV_VAR: "missing.yaml", "CDKTF_OUTDIR": str(workdir / "out")}
    app = subprocess.run(
        [sys.executable, "-m", "platform_stacks"], cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    assert app.returncode == 2 and "INFRA_PLATFORM: names a registry file that does not exist" in app.stderr
    assert not (workdir / "out").exists()

    other = _registry(workdir / "other.yaml", "fromenv")
    monkeypatch.setenv(REGISTRY_ENV_VAR, str(other))
    assert "fromenv" in default_data()["guardrails"]["services"]


def test_make_passes_platform_only_when_given(workdir: Path) -> None:
    def dry(*args: str) -> str:
        done = subprocess.run(
            ["make", "-n", "-C", str(REPO), *args], capture_output=True, text=True, check=False, env=os.environ.copy()
        )
        return done.stdout

    assert "--platform" not in dry("render")
    assert "--platform other.yaml" in dry("render", "PLATFORM=other.yaml")


def test_registry_check_warns_when_no_override_is_possible(workdir: Path) -> None:
    from platform_constructs.registry.loader import read_registry_text

    _, text = read_registry_text(None)
    assert "approvers: []" in text and "team: acme/platform-team" in text  # the embedded default: team only
    (workdir / "team.yaml").write_text(text)
    assert "warning" not in _infra("registry", "check", "--platform", "team.yaml", cwd=workdir).stderr

    (workdir / "none.yaml").write_text(text.replace("team: acme/platform-team", "team: null"))
    done = _infra("registry", "check", "--platform", "none.yaml", cwd=workdir)
    assert done.returncode == 0 and done.stdout.startswith("ok: org acme")
    assert "warning: guardrails.override: no approvers and no team, so no PR can be merged by override" in done.stderr
    assert "fix: list platform-team GitHub logins under guardrails.override.approvers" in done.stderr

    (workdir / "people.yaml").write_text(
        text.replace("team: acme/platform-team", "team: null").replace("approvers: []", "approvers: [octo-admin]")
    )
    assert "warning" not in _infra("registry", "check", "--platform", "people.yaml", cwd=workdir).stderr
