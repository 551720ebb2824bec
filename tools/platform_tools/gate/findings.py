"""Gate findings in the policy runner's conftest JSON form, so the PR comment lists them with the policies'
findings (one table, one fix column) without a reader of its own."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class GateFinding:
    rule: str
    address: str
    message: str
    fix: str
    blocking: bool = True
    severity: str = "CRITICAL"


def conftest_json(namespace: str, filename: str, findings: Sequence[GateFinding], checked: int) -> list[Any]:
    failures = [f for f in findings if f.blocking]
    warnings = [f for f in findings if not f.blocking]

    def entry(f: GateFinding) -> dict[str, Any]:
        meta = {"rule": f.rule, "address": f.address, "severity": f.severity, "fix": f.fix}
        return {"msg": f"{f.message} fix: {f.fix}", "metadata": meta}

    return [
        {
            "filename": filename,
            "namespace": namespace,
            "successes": max(checked - len(findings), 0),
            "failures": [entry(f) for f in failures],
            "warnings": [entry(f) for f in warnings],
        }
    ]


def write_conftest(path: Path, namespace: str, filename: str, findings: Sequence[GateFinding], checked: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(conftest_json(namespace, filename, findings, checked), indent=2))
