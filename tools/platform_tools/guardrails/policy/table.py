"""Policy results for people: conftest's counts and a table, worst first."""

from __future__ import annotations

from typing import Any


def counts(results: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "failures": sum(len(r["failures"]) for r in results),
        "warnings": sum(len(r["warnings"]) for r in results),
        "exceptions": sum(len(r["exceptions"]) for r in results),
        "successes": sum(r["successes"] for r in results),
    }


def table(results: list[dict[str, Any]]) -> str:
    """A readable table: one line per finding, worst first, then conftest's summary line."""
    rows = []
    order = {"FAIL": 0, "WARN": 1, "EXCEPTION": 2}
    for entry in results:
        for label, key in (("FAIL", "failures"), ("WARN", "warnings"), ("EXCEPTION", "exceptions")):
            for res in entry[key]:
                m = res["metadata"]
                rows.append(
                    (
                        order[label],
                        label,
                        m.get("severity", ""),
                        m.get("rule", ""),
                        m.get("address", ""),
                        m.get("fix", ""),
                    )
                )
    rows.sort()
    lines = []
    if rows:
        head = ("RESULT", "SEVERITY", "RULE", "ADDRESS", "FIX")
        body = [r[1:] for r in rows]
        widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(4)]
        for row in [head, *body]:
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    c = counts(results)
    total = c["successes"] + c["failures"] + c["warnings"] + c["exceptions"]
    lines.append(
        f"{total} tests, {c['successes']} passed, {c['warnings']} warnings, {c['failures']} failures, "
        f"{c['exceptions']} exceptions"
    )
    return "\n".join(lines)
