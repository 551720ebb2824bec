"""Expected conditions end in a plain message with the fix and a meaningful exit code, never a traceback.

A tool that is not installed, git missing from PATH or the provider mirror absent are prerequisites (exit 6:
install or sign in, then run again); a path that cannot be written is bad input (exit 2). Under make, ``infra``
names its exit code and what it means, because make itself exits 2 for every failed recipe.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_constructs.errors import EXIT_MEANINGS, PrerequisiteError
from support.env import REPO


def _infra(*args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "platform_tools", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _plain(done: subprocess.CompletedProcess[str], code: int, *expected: str) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    for text in expected:
        assert text in done.stderr, done.stderr


def test_checkov_not_installed_names_the_fix(tmp_path: Path) -> None:
    done = _infra("modules", "stats", "--checkov", INFRA_CHECKOV=str(tmp_path / "no-checkov"))
    _plain(done, 6, "checkov is not installed", "fix: run `make setup`", "$INFRA_CHECKOV")


def test_a_missing_provider_mirror_is_a_prerequisite(tmp_path: Path) -> None:
    done = _infra("tf-config", INFRA_PROVIDER_MIRROR=str(tmp_path / "no-mirror"), HOME=str(tmp_path))
    _plain(done, 6, "INFRA_PROVIDER_MIRROR")


def test_git_missing_from_path_is_a_prerequisite(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # a PATH with python but without git
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    done = _infra("release", "--dry-run", PATH=str(bin_dir))
    _plain(done, 6, "git is not installed", "fix: install git")


@pytest.mark.parametrize("command", [["render"], ["modules", "export"]])
def test_an_output_folder_that_cannot_be_written_is_bad_input_found_first(command: list[str], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    out = blocker / "out"
    done = _infra(*command, "--out", str(out))
    _plain(done, 2, "--out: cannot be written", f"(got '{out}')", "fix: choose a folder you can write to")
    assert blocker.read_text() == "not a folder\n"


def test_every_exit_code_has_a_meaning_and_the_prerequisite_code_is_its_own() -> None:
    assert PrerequisiteError.exit_code == 6 and set(EXIT_MEANINGS) >= {0, 1, 2, 3, 4, 5, 6, 130}


def test_under_make_infra_names_its_exit_code_and_make_still_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "render", f"PLATFORM={tmp_path / 'missing.yaml'}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "infra render: exit code 2: bad input (registry, arguments, a path)" in done.stderr, done.stderr
    assert "Error 2" in done.stderr  # make's own line carries the recipe's code too

    # outside make the line is not printed: the message alone, for scripts that read the exit code
    plain = _infra("registry", "check", "--platform", str(tmp_path / "missing.yaml"), INFRA_EXPLAIN_EXIT="")
    assert plain.returncode == 2 and "exit code" not in plain.stderr
