"""The module catalog: constructs that platform stacks use and that are exported to ``modules_out/``.

Each entry names the module folder and the construct class (imported lazily: the provider-free exporter
and the docs tests should not pay for every construct).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platform_constructs.catalog.construct import CatalogConstruct

#: module folder -> "python.module:Class"
MODULES: dict[str, str] = {
    "sg": "platform_constructs.catalog.sg:SecurityGroup",
    "iam": "platform_constructs.catalog.iam:IamRole",
    "alb": "platform_constructs.catalog.alb:Alb",
    "ecs_service": "platform_constructs.catalog.ecs_service:EcsService",
    "rds": "platform_constructs.catalog.rds:Rds",
}
#: the version the READMEs' usage snippets pin before any release exists (the first release is v1.0.0)
CATALOG_REF = "v1.0.0"
#: a release heading of modules_out/CHANGELOG.md as `infra release` writes it: ``## [1.2.0] - 2026-12-01``
RELEASE_HEADING = re.compile(r"^## \[v?(\d+)\.(\d+)\.(\d+)\]", re.M)


def catalog_ref(changelog: Path | None = None) -> str:
    """The tag the READMEs' usage snippets pin: the newest release recorded in the catalog's CHANGELOG.

    Derived, not stored, so the tree that `infra release` tags pins its own tag (the release writes the
    CHANGELOG entry, then re-exports), and ``modules export --check`` agrees at every commit. The newest
    is the highest version, not the first heading: a hotfix branch records v1.4.1 below a v2.0.0 entry
    only after cherry-picking, and its own tree must still pin v1.4.1. Before the first release: v1.0.0.
    """
    if changelog is None:
        from platform_constructs.paths import checkout_root

        root = checkout_root()
        changelog = root / "modules_out" / "CHANGELOG.md" if root else None
    if changelog is None or not changelog.is_file():
        return CATALOG_REF
    found = [tuple(int(p) for p in m.groups()) for m in RELEASE_HEADING.finditer(changelog.read_text())]
    if not found:
        return CATALOG_REF
    major, minor, patch = max(found)
    return f"v{major}.{minor}.{patch}"


def construct_class(name: str) -> type[CatalogConstruct]:
    if name not in MODULES:
        raise KeyError(f"no catalog module {name!r}; known: {', '.join(sorted(MODULES))}")
    module, _, cls = MODULES[name].partition(":")
    found: type[CatalogConstruct] = getattr(importlib.import_module(module), cls)
    return found


def available() -> list[str]:
    """Modules whose construct exists (all of :data:`MODULES` once the catalog is complete)."""
    out = []
    for name, target in MODULES.items():
        try:
            importlib.import_module(target.partition(":")[0])
        except ModuleNotFoundError as exc:
            if exc.name and target.startswith(exc.name):
                continue
            raise
        out.append(name)
    return out
