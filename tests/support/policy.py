"""Running the Rego policies in tests: on every engine and both input shapes, which must all agree.

Two independent Rego implementations (regorus in Rust, rego-cpp in C++) that give the same answer are the best
evidence available offline that the policies are standard Rego and behave the same under conftest (OPA, in Go) in
Atlantis and in the service PR check. Both input shapes run too: the view the Python runner builds (the fast path)
and the raw document that lib.rego reads itself (what conftest sees).
"""

from __future__ import annotations

from typing import Any

from platform_tools.guardrails.policy.engines import ADAPTERS, select
from platform_tools.guardrails.policy.runner import check_plan

ENGINES = tuple(ADAPTERS)


def findings(results: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """``(kind, rule, address)`` of every failure, warning and exception."""
    return {
        (kind, r["metadata"]["rule"], r["metadata"]["address"])
        for entry in results
        for kind in ("failures", "warnings", "exceptions")
        for r in entry[kind]
    }


def check_everywhere(doc: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
    """conftest results for ``doc`` after proving every engine and both input shapes give exactly them."""
    answers = {
        (engine, fast): check_plan(doc, engine=select(engine), fast=fast, **kwargs)
        for engine in ENGINES
        for fast in (True, False)
    }
    reference = answers[(ENGINES[0], True)]
    for (engine, fast), results in answers.items():
        shape = "view" if fast else "raw document"
        assert results == reference, (
            f"{engine} on the {shape} disagrees with {ENGINES[0]} on the view: "
            f"{sorted(findings(results) ^ findings(reference))}"
        )
    return reference
