"""Reading the policy runner's conftest-format results in tests."""

from __future__ import annotations

from typing import Any


def findings(results: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """``(kind, rule, address)`` of every failure, warning and exception."""
    return {
        (kind, r["metadata"]["rule"], r["metadata"]["address"])
        for entry in results
        for kind in ("failures", "warnings", "exceptions")
        for r in entry[kind]
    }
