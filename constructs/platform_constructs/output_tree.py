"""Replacing a generated folder as a whole: all-or-nothing, and never a folder we did not generate."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platform_constructs.errors import ConfigError, Problem


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


@contextmanager
def staged_tree(
    target: Path, markers: tuple[str, ...], *, command: str, produced_by: str, default: str
) -> Iterator[Path]:
    """Build a new ``target`` in a scratch folder beside it; swap it in only if the block succeeds.

    Refuses up front (before any work) when ``target`` holds something we did not generate. The scratch
    folder is removed whatever happens, so a failure leaves the previous ``target`` exactly as it was.
    """
    if not is_replaceable(target, markers):
        raise ConfigError(
            command,
            [
                Problem(
                    "--out",
                    f"exists and was not {produced_by}; it would be replaced",
                    str(target),
                    f"choose an empty or new folder (default: {default})",
                )
            ],
        )
    scratch = target.parent / f".{target.name}.{command}-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:  # a folder we cannot write to is bad input, found before any work starts
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch.mkdir()
        scratch.rmdir()
    except OSError as err:
        raise ConfigError(
            command,
            [
                Problem(
                    "--out",
                    f"cannot be written ({err.strerror or err})",
                    str(target),
                    "choose a folder you can write to",
                )
            ],
        ) from None
    try:
        yield scratch
        replace_tree(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
