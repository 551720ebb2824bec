"""The plan JSON comes from the plan job, which ran the PR's Terraform: it is untrusted data.

The verdict job reads it only after this check: bounded size and nesting, the shape ``terraform show -json``
writes (a format version it knows, the sections the policies read, of the right types), and the configuration
section present (the policies on module sources and providers read it). A file that fails is removed, so the
policy check shows "did not run" for that environment and the PR stays blocked: fail closed, never skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_PLAN_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 64
#: ``terraform show -json`` format versions this platform reads (major 1: additions only)
FORMAT_MAJOR = "1"
_LISTS = ("resource_changes", "resource_drift", "output_changes")


@dataclass(frozen=True)
class PlanCheck:
    path: Path
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_plan_file(path: Path, *, max_bytes: int = MAX_PLAN_BYTES) -> PlanCheck:
    try:
        size = path.stat().st_size
    except OSError as err:
        return PlanCheck(path, f"cannot be read: {err.strerror}")
    if not path.is_file() or path.is_symlink():
        return PlanCheck(path, "is not a regular file")
    if size > max_bytes:
        return PlanCheck(path, f"is {size} bytes, above the limit of {max_bytes}")
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as err:
        return PlanCheck(path, f"is not JSON ({str(err)[:120]})")
    problem = _shape(doc)
    return PlanCheck(path, problem)


def _shape(doc: Any) -> str:
    if not isinstance(doc, dict):
        return "is not a JSON object"
    version = doc.get("format_version")
    if not isinstance(version, str) or version.split(".")[0] != FORMAT_MAJOR:
        return f"has format_version {version!r}; expected {FORMAT_MAJOR}.x from `terraform show -json`"
    if not isinstance(doc.get("terraform_version"), str):
        return "has no terraform_version"
    for key in ("planned_values", "configuration"):
        if not isinstance(doc.get(key), dict):
            return f"has no {key} object"
    for key in _LISTS:
        if key in doc and not isinstance(doc[key], list):
            return f"has a {key} that is not a list"
    for i, change in enumerate(doc.get("resource_changes") or []):
        if not isinstance(change, dict) or not isinstance(change.get("address"), str):
            return f"resource_changes[{i}] has no address"
        if not isinstance(change.get("type"), str) or not isinstance(change.get("change"), dict):
            return f"resource_changes[{i}] ({change.get('address')}) has no type or change"
    if _depth(doc) > MAX_DEPTH:
        return f"nests deeper than {MAX_DEPTH} levels"
    return ""


def _depth(doc: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        if isinstance(node, dict):
            stack += [(v, depth + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, depth + 1) for v in node]
    return deepest
