"""The code stays ruff-clean and type-checked: CI enforces what the README promises (`make lint`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support.env import REPO

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff(args: list[str]) -> None:
    out = subprocess.run([str(BIN / "ruff"), *args], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.slow
def test_mypy() -> None:
    out = subprocess.run([str(BIN / "mypy")], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
