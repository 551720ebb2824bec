"""Our checkov → CIS AWS Foundations table: severity and CIS controls per check (``policy/checkov/cis_aws.yaml``).

The table exists because checkov shows severities and CIS mappings only with a paid API key; the PR report takes
severities from it, and the baseline check holds ``.checkov.yaml``'s ``hard-fail-on`` to its CRITICAL/HIGH rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from platform_constructs.errors import Problem
from platform_tools.guardrails.baseline_files import BaselineError, read_mapping
from platform_tools.resources import data_root

CIS_TABLE = Path("policy/checkov/cis_aws.yaml")
SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
BLOCKING = ("CRITICAL", "HIGH")
CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")


@dataclass(frozen=True)
class CisCheck:
    """One row of the shipped table: a checkov check, what CIS says about it, and how hard it fails."""

    id: str
    title: str
    area: str
    cis: tuple[str, ...]
    severity: str
    note: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity in BLOCKING


@dataclass(frozen=True)
class CisTable:
    benchmark: str
    version: str
    checkov_version: str
    blocking: tuple[str, ...]
    unlisted_severity: str
    checks: Mapping[str, CisCheck]

    def blocking_ids(self) -> list[str]:
        return [c.id for c in self.checks.values() if c.severity in self.blocking]


def load_cis_table(path: Path | None = None) -> CisTable:
    """Parse and validate the table; a malformed row is a bug in this repo, reported with its position."""
    source = path or data_root() / CIS_TABLE
    data = read_mapping(source)
    problems: list[Problem] = []
    checks: dict[str, CisCheck] = {}
    for i, row in enumerate(data.get("checks") or []):
        where = f"{source.name}: checks[{i}]"
        cid = str(row.get("id", ""))
        sev = str(row.get("severity", ""))
        if not CHECKOV_ID.match(cid):
            problems.append(Problem(f"{where}.id", "is not a checkov check id", cid, "use the id checkov prints"))
        if sev not in SEVERITIES:
            problems.append(Problem(f"{where}.severity", "must be one of " + ", ".join(SEVERITIES), sev))
        if cid in checks:
            problems.append(Problem(f"{where}.id", "appears twice", cid, "keep one row per check"))
        cis = row.get("cis")
        if not isinstance(cis, list) or not all(isinstance(c, str) and re.fullmatch(r"\d+(\.\d+)+", c) for c in cis):
            problems.append(Problem(f"{where}.cis", 'must be a list of CIS control ids like "5.2"', cis))
            cis = []
        checks[cid] = CisCheck(
            cid, str(row.get("title", "")), str(row.get("area", "")), tuple(cis), sev, str(row.get("note", ""))
        )
    if problems:
        raise BaselineError(problems)
    return CisTable(
        benchmark=str(data["benchmark"]),
        version=str(data["benchmark_version"]),
        checkov_version=str(data["checkov_version"]),
        blocking=tuple(data["blocking"]),
        unlisted_severity=str(data["unlisted_severity"]),
        checks=checks,
    )


@lru_cache(maxsize=1)
def _shipped_table() -> CisTable:
    return load_cis_table()


def cis_controls(check_id: str) -> list[str]:
    """CIS controls a checkov check tests, labelled with the benchmark version (``["CIS v3.0.0 5.2"]``).

    Empty for checks with no CIS control (platform baseline) and for checks not in the table.
    """
    table = _shipped_table()
    row = table.checks.get(check_id)
    return [f"CIS v{table.version} {c}" for c in row.cis] if row else []


def severity(check_id: str) -> str:
    """Our severity for a checkov check; checks not in the table get the table's ``unlisted_severity``."""
    table = _shipped_table()
    row = table.checks.get(check_id)
    return row.severity if row else table.unlisted_severity


def is_blocking(check_id: str) -> bool:
    """True when a failure of this check blocks the merge (CRITICAL or HIGH in the table)."""
    return severity(check_id) in _shipped_table().blocking


# -------------------------------------------------------------------------------------------- validation
