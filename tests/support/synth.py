"""Helpers for tests that use the session's synth output."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_stack(synth_out: Path, stack: str, dest: Path) -> Path:
    """A private copy of a synthesized stack folder, so tests can add override files or state."""
    target = dest / stack
    shutil.copytree(synth_out / "stacks" / stack, target)
    return target
