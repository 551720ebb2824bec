"""Replacing a generated folder as a whole: all-or-nothing, and never a folder we did not generate."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def is_replaceable(target: Path, markers: tuple[str, ...]) -> bool:
    """Only an absent or empty folder, or one that holds one of our ``markers``, may be replaced."""
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    return not any(target.iterdir()) or any((target / m).is_file() for m in markers)


def replace_tree(new: Path, target: Path) -> None:
    """Swap ``new`` into ``target`` with two renames, so readers see the old or the new tree, never a mix."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
