"""GitHub's request schema for ``POST /repos/{owner}/{repo}/rulesets``, cut out of its REST API description.

GitHub publishes its REST API as OpenAPI 3.0 (github/rest-api-description). The rendered rulesets are checked
against the request body schema of the create-ruleset operation, vendored as a small JSON Schema in
``tests/fixtures/github/`` so the tests need neither the 12 MB description nor the network. This module is how
that file is made, and how a test remakes it when the description is on the machine:

    .venv/bin/python tests/support/github_schema.py api.github.com.2022-11-28.json \
        > tests/fixtures/github/repo-ruleset-request.schema.json

The conversion keeps every validation keyword, turns ``#/components/schemas/X`` references into ``#/$defs/X``
(only the schemas the request body reaches), turns OpenAPI's ``nullable: true`` into a JSON Schema ``null``
type, and drops prose (``description``, ``example``), which the tests do not read.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

OPERATION = ("/repos/{owner}/{repo}/rulesets", "post")
COMPONENT = "#/components/schemas/"
PROSE = frozenset({"description", "example", "examples"})
#: Which description the vendored file was cut from; the README next to it says the same.
SOURCE = {
    "repository": "github/rest-api-description",
    "path": "descriptions/api.github.com/api.github.com.2022-11-28.json",
    "commit": "1e9ee981cf46e750264247702268ec4ba0bd20df",
}
VENDORED = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "repo-ruleset-request.schema.json"


def _convert(node: Any, schemas: dict[str, Any], defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_convert(item, schemas, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith(COMPONENT):
            raise ValueError(f"unsupported reference {ref!r}")
        name = ref.removeprefix(COMPONENT)
        if name not in defs:
            defs[name] = {}  # claimed before converting, so a schema that refers to itself terminates
            defs[name] = _convert(schemas[name], schemas, defs)
        return {"$ref": f"#/$defs/{name}"}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE or key == "nullable":
            continue
        if key == "properties":  # property names are data, not keywords: a property may be called "description"
            out[key] = {name: _convert(sub, schemas, defs) for name, sub in value.items()}
        else:
            out[key] = _convert(value, schemas, defs)
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def extract(description: dict[str, Any], source: dict[str, str] = SOURCE) -> dict[str, Any]:
    """The create-ruleset request body of ``description`` as a self-contained JSON Schema (draft 2020-12)."""
    path, method = OPERATION
    body = description["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    defs: dict[str, Any] = {}
    schema = _convert(body, description["components"]["schemas"], defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"request body of {method.upper()} {path}, extracted by tests/support/github_schema.py from "
        f"{source['repository']} {source['path']} at {source['commit']}",
        **schema,
        "$defs": dict(sorted(defs.items())),
    }


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2) + "\n"


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``additionalProperties: false`` on every object that lists its properties.

    GitHub's description leaves objects open, so a misspelt parameter (``require_code_owner_reviews``) would
    validate, and GitHub would ignore it: the rule would silently not apply. The tests hold the rendered rulesets
    to the closed form as well.
    """

    def close(node: Any) -> Any:
        if isinstance(node, list):
            return [close(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: close(value) for key, value in node.items()}
        if "properties" in node:
            out["properties"] = {name: close(sub) for name, sub in node["properties"].items()}
            out.setdefault("additionalProperties", False)
        return out

    return close(copy.deepcopy(schema))


def load_vendored() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(VENDORED.read_text())
    return schema


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/support/github_schema.py DESCRIPTION.json > repo-ruleset-request.schema.json")
    sys.stdout.write(dumps(extract(json.loads(Path(sys.argv[1]).read_text()))))
