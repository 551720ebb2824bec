"""Every import of this project's source files, read from the AST: what the architecture tests hold to rules.

Imports inside functions count (the lazy ones run too) and relative imports are resolved, by the same reader
the synth fingerprint uses (``platform_stacks.synth.import_targets``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from platform_stacks.synth import import_targets
from support.env import REPO

#: top-level package -> the source root that holds it
ROOTS = {
    "platform_constructs": REPO / "constructs",
    "platform_stacks": REPO / "stacks",
    "platform_tools": REPO / "tools",
}


def module_name(path: Path) -> str:
    for top, root in ROOTS.items():
        if path.is_relative_to(root / top):
            parts = path.relative_to(root).with_suffix("").parts
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    raise ValueError(path)


def sources(under: Path | None = None) -> list[Path]:
    """Every source file of the three roots, or of the folder ``under``."""
    if under is not None:
        return sorted(under.rglob("*.py"))
    return sorted(p for top, root in ROOTS.items() for p in (root / top).rglob("*.py"))


def imports(path: Path, source: str | None = None) -> Iterator[tuple[int, str]]:
    """``(line, imported module)`` for each import in ``path`` (its text, or ``source`` in its place)."""
    text = path.read_text() if source is None else source
    return import_targets(text, module_name(path), is_package=path.name == "__init__.py")
