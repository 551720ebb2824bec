"""``infra modules export``: regenerate ``modules_out/`` from the catalog constructs, or prove it current."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from platform_constructs.catalog import MODULES, catalog_ref
from platform_constructs.catalog.export import MARKER, PRESERVED, differences, export
from platform_constructs.errors import SynthError
from platform_constructs.output_tree import staged_tree
from platform_constructs.registry import load_registry


class StaleCatalogError(SynthError):
    pass


def export_catalog(platform: str | Path | None, out: Path, names: list[str] | None = None) -> list[str]:
    """Replace ``out`` with a fresh export (release-maintained files carried over); returns the modules."""
    registry = load_registry(platform)  # validated first: nothing is written for a bad registry
    names = names or list(MODULES)
    with staged_tree(
        out, (MARKER,), command="modules-export", produced_by="written by infra modules export", default="modules_out"
    ) as stage:
        # the READMEs pin the newest release recorded in the catalog being replaced, not in this repo's copy
        export(names, stage, registry.github.catalog_source, ref=catalog_ref(out / "CHANGELOG.md"))
        for keep in PRESERVED:
            if (out / keep).is_file():
                shutil.copy2(out / keep, stage / keep)
    return names


def check_catalog(platform: str | Path | None, out: Path) -> None:
    """Raise :class:`StaleCatalogError` listing every file that differs from a fresh export."""
    registry = load_registry(platform)
    with tempfile.TemporaryDirectory(prefix="modules-check-") as tmp:
        fresh = Path(tmp) / "modules_out"
        export(list(MODULES), fresh, registry.github.catalog_source, ref=catalog_ref(out / "CHANGELOG.md"))
        diffs = differences(fresh, out) if out.is_dir() else [f"missing: {out}"]
    if diffs:
        listing = "\n".join(f"  - {d}" for d in diffs)
        raise StaleCatalogError(
            f"{out} is stale: {len(diffs)} file(s) differ from a fresh export:\n{listing}\n"
            "  fix: run `make modules` and commit modules_out/ (never edit generated files by hand)"
        )


@dataclass(frozen=True)
class ModuleStats:
    name: str
    inputs: int
    required: int
    validations: int
    preconditions: int
    examples: int
    checkov_passed: int | None = None
    checkov_failed: int | None = None
    checkov_skipped: int | None = None


def catalog_stats(out: Path, *, checkov: bool = False) -> list[ModuleStats]:
    """Figures read from the exported HCL itself (python-hcl2), not from the constructs that wrote it."""
    import hcl2

    stats = []
    for name in [n for n in MODULES if (out / n / "variables.tf").is_file()]:
        folder = out / name
        variables = hcl2.loads((folder / "variables.tf").read_text()).get("variable", [])
        main = (folder / "main.tf").read_text()
        bodies = [next(iter(v.values())) for v in variables]
        figures = ModuleStats(
            name=name,
            inputs=len(bodies),
            required=sum(1 for b in bodies if "default" not in b),
            validations=sum(len(b.get("validation", [])) for b in bodies),
            preconditions=len(re.findall(r"^\s*precondition\s*\{", main, re.M)),
            examples=len(list((folder / "examples").glob("*/main.tf"))),
        )
        if checkov:
            from platform_tools.guardrails.checkov import run_checkov

            report = run_checkov(folder)
            figures = replace(
                figures,
                checkov_passed=report.passed,
                checkov_failed=len(report.failed),
                checkov_skipped=len(report.skipped),
            )
        stats.append(figures)
    return stats
