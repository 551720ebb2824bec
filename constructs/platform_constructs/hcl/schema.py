"""Which keys of a Terraform JSON body are nested blocks: read from the provider's own schema.

Terraform's JSON syntax writes a nested block and an object-typed attribute the same way, so turning
JSON into native syntax needs the schema. We take it from ``terraform providers schema -json`` (run once
against the local mirror) and keep only the shape: attribute names and block types with their nesting.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_constructs.paths import schema_cache_dir
from platform_constructs.tf import Terraform, write_cli_config
from platform_constructs.tf.runner import atomic_write

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"


@dataclass(frozen=True)
class Shape:
    """Attributes and nested block types of one block."""

    attributes: frozenset[str] = frozenset()
    blocks: dict[str, tuple[str, Shape]] = field(default_factory=dict)

    @classmethod
    def from_block(cls, block: dict[str, Any]) -> Shape:
        return cls(
            frozenset(block.get("attributes", {})),
            {
                name: (bt["nesting_mode"], cls.from_block(bt.get("block", {})))
                for name, bt in block.get("block_types", {}).items()
            },
        )

    def to_json(self) -> dict[str, Any]:
        return {"a": sorted(self.attributes), "b": {k: [m, s.to_json()] for k, (m, s) in self.blocks.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Shape:
        return cls(frozenset(data["a"]), {k: (m, cls.from_json(s)) for k, (m, s) in data["b"].items()})


EMPTY = Shape()


@dataclass(frozen=True)
class ProviderShapes:
    provider: Shape
    resources: dict[str, Shape]
    data_sources: dict[str, Shape]

    def resource(self, kind: str, type_name: str) -> Shape:
        table = self.resources if kind == "resource" else self.data_sources
        if type_name not in table:
            raise KeyError(f"{kind} type {type_name!r} is not in the AWS provider schema")
        return table[type_name]


def _compact(schema: dict[str, Any]) -> dict[str, Any]:
    p = schema["provider_schemas"][PROVIDER_ADDRESS]
    return {
        "provider": Shape.from_block(p["provider"]["block"]).to_json(),
        "resources": {k: Shape.from_block(v["block"]).to_json() for k, v in p["resource_schemas"].items()},
        "data_sources": {k: Shape.from_block(v["block"]).to_json() for k, v in p["data_source_schemas"].items()},
    }


def load_shapes(cache_dir: Path | None = None, cli_config: Path | None = None) -> ProviderShapes:
    """Shapes for the mirrored provider version, from the cache or from Terraform (about 3 s, once)."""
    # imported here: the engine package starts jsii's Node.js set-up, which the light install (the service-PR
    # workflow renders templates through this package's HCL escaping) does not have
    from platform_constructs.engine import PROVIDER_BINDINGS_VERSION

    cache = (cache_dir or schema_cache_dir()) / f"aws-{PROVIDER_BINDINGS_VERSION}.shapes.json"
    if not cache.is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="aws-schema-") as tmp:
            work = Path(tmp)
            (work / "main.tf.json").write_text(
                json.dumps(
                    {
                        "terraform": {
                            "required_providers": {
                                "aws": {"source": "hashicorp/aws", "version": PROVIDER_BINDINGS_VERSION}
                            }
                        }
                    }
                )
            )
            cfg = cli_config or write_cli_config(work / "cli.tfrc")
            tf = Terraform(work, cli_config=cfg, data_dir=work / ".terraform")
            tf.init(backend=False)
            compact = _compact(tf.run("providers", "schema", "-json").json())
        atomic_write(cache, json.dumps(compact, separators=(",", ":")))
    data = json.loads(cache.read_text())
    return ProviderShapes(
        Shape.from_json(data["provider"]),
        {k: Shape.from_json(v) for k, v in data["resources"].items()},
        {k: Shape.from_json(v) for k, v in data["data_sources"].items()},
    )
