"""``infra modules export``: regenerate ``modules_out/`` from the catalog constructs, or prove it current."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from platform_constructs.catalog import MODULES
from platform_constructs.catalog.export import MARKER, PRESERVED, differences, export
from platform_constructs.errors import SynthError
from platform_constructs.registry import load_registry
from platform_stacks.output_tree import staged_tree


class StaleCatalogError(SynthError):
    pass


def export_catalog(platform: str | Path | None, out: Path, names: list[str] | None = None) -> list[str]:
    """Replace ``out`` with a fresh export (release-maintained files carried over); returns the modules."""
    registry = load_registry(platform)  # validated first: nothing is written for a bad registry
    names = names or list(MODULES)
    with staged_tree(
        out, (MARKER,), command="modules-export", produced_by="written by infra modules export", default="modules_out"
    ) as stage:
        export(names, stage, registry.github.catalog_source)
        for keep in PRESERVED:
            if (out / keep).is_file():
                shutil.copy2(out / keep, stage / keep)
    return names


def check_catalog(platform: str | Path | None, out: Path) -> None:
    """Raise :class:`StaleCatalogError` listing every file that differs from a fresh export."""
    registry = load_registry(platform)
    with tempfile.TemporaryDirectory(prefix="modules-check-") as tmp:
        fresh = Path(tmp) / "modules_out"
        export(list(MODULES), fresh, registry.github.catalog_source)
        diffs = differences(fresh, out) if out.is_dir() else [f"missing: {out}"]
    if diffs:
        listing = "\n".join(f"  - {d}" for d in diffs)
        raise StaleCatalogError(
            f"{out} is stale: {len(diffs)} file(s) differ from a fresh export:\n{listing}\n"
            "  fix: run `make modules` and commit modules_out/ (never edit generated files by hand)"
        )
