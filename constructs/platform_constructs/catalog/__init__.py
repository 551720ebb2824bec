"""The module catalog: constructs that platform stacks use and that are exported to ``modules_out/``.

Each entry names the module folder and the construct class (imported lazily: the provider-free exporter
and the docs tests should not pay for every construct).
"""

from __future__ import annotations

import importlib
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
#: the version the READMEs' usage snippets pin; `make release` (issue 4) moves it
CATALOG_REF = "v1.0.0"


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
