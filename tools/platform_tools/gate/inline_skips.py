"""Inline scanner skips in a service repository (``# checkov:skip=...``, ``#trivy:ignore:...``): each one
silences a finding without anyone's approval unless the platform registered it.

A skip is registered by an entry in the platform's ``policy/checkov/skips.yaml`` with ``scope: resource``,
``service`` (the service's name), ``file`` (path in the service repository), the check ``id`` and an unexpired
``expires``, the same approval record every platform skip carries. An unregistered skip of a CRITICAL or HIGH
check, or of a check whose severity the platform does not know (trivy ids, checks outside the CIS table),
blocks the PR; an unregistered skip of a lower-severity check is a warning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from platform_tools.gate.findings import GateFinding
from platform_tools.guardrails.baseline_files import parse_date, read_mapping
from platform_tools.guardrails.cis import CIS_TABLE, load_cis_table
from platform_tools.guardrails.suppressions import SKIP_REGISTRY, InlineSkip, find_inline_skips
from platform_tools.resources import data_root

BLOCKING = ("CRITICAL", "HIGH")


def audit_inline_skips(
    repo: Path, service: str, *, root: Path | None = None, today: dt.date | None = None
) -> tuple[list[GateFinding], int]:
    """Findings for every unregistered inline skip under ``repo``, and how many skips were looked at."""
    today = today or dt.date.today()
    entries = read_mapping((root or data_root()) / SKIP_REGISTRY).get("skips") or []
    skips = find_inline_skips([repo], repo)
    findings = [f for s in skips if (f := _judge(s, service, entries, today, root)) is not None]
    return findings, len(skips)


def _severity(skip: InlineSkip, root: Path | None) -> str:
    """The CIS table's severity of a checkov check; anything the table does not list counts as HIGH (fail closed)."""
    if skip.tool == "checkov":
        row = load_cis_table(root / CIS_TABLE if root else None).checks.get(skip.check_id)
        if row is not None:
            return row.severity.upper()
    return "HIGH"


def _judge(skip: InlineSkip, service: str, entries: list[Any], today: dt.date, root: Path | None) -> GateFinding | None:
    for e in entries:
        if not isinstance(e, dict) or e.get("service") != service or e.get("scope") != "resource":
            continue
        if str(e.get("id")) != skip.check_id or str(e.get("file") or "") != skip.file:
            continue
        expires = parse_date(e.get("expires"))
        if expires is not None and expires >= today:
            return None
    level = _severity(skip, root)
    where = f"{skip.file}:{skip.line}"
    return GateFinding(
        rule="gate.inline_skip",
        address=where,
        message=(
            f"{where}: inline {skip.tool} skip of {skip.check_id} ({level}) is not registered for service "
            f"{service!r}; it would silence the scanner without an approval"
        ),
        fix=(
            f"fix the finding and delete the skip, or register it in the platform's {SKIP_REGISTRY} (scope: resource, "
            f"service: {service}, file: {skip.file}, id: {skip.check_id}) through a platform PR"
        ),
        blocking=level in BLOCKING,
        severity=level,
    )
