"""The verdict of the one PR comment: findings, per-check results, and the exit code that blocks the merge.

Service teams see a single comment instead of four bots arguing in the PR; :mod:`.readers` reads each tool's own
output into these types, :mod:`.assemble` loads them, :mod:`.markdown` writes the comment.

What blocks (exit code 3), decided here once:

- a policy ``deny`` (conftest failure): organisation rules have no severity threshold;
- a checkov or trivy failure at or above the threshold severity (default ``HIGH``); below it, a warning;
- a cost verdict of ``block`` (Infracost increase above the block percentage);
- a check that was expected but whose output is missing or unreadable ("did not run"): failing closed is the
  only safe default, otherwise a crashed scanner looks like a clean PR. A check the caller switched off on
  purpose (for example Infracost without an API key) is shown as "off" and does not block.

An accepted override (label plus an approving review by a platform-team member on the scanned commit, see
:mod:`platform_tools.guardrails.override`) waives blocking *findings*, the results of checks that ran: exit code 0,
and the comment records who approved, when, on which commit, and exactly which findings were waived. It never
waives a check that did not run: nobody can approve what nobody has seen, and "the scanner crashed" would
otherwise become a way around it. While any check did not run, the verdict stays blocked, override or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from platform_tools.guardrails.cis import SEVERITIES

if TYPE_CHECKING:
    from platform_tools.guardrails.override import Override

#: A finding whose tool gave no severity counts as HIGH: unknown must not slip under the threshold.
UNKNOWN_SEVERITY = "HIGH"
EXIT_OK = 0
EXIT_BLOCKED = 3

Status = Literal["pass", "warn", "fail", "not_run", "off"]
CheckName = Literal["trivy", "checkov", "policy", "cost"]
CHECKS: tuple[CheckName, ...] = ("trivy", "checkov", "policy", "cost")


@dataclass(frozen=True)
class Finding:
    """One thing a service team has to fix (or justify), whatever tool found it."""

    check: str
    severity: str
    resource: str
    rule: str
    message: str
    fix: str = ""
    cis: tuple[str, ...] = ()
    location: str = ""
    blocking: bool = False

    @property
    def key(self) -> str:
        """Stable identity used in the override record: the same rule on the same resource."""
        return f"{self.check}:{self.rule}@{self.resource}"


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    findings: tuple[Finding, ...] = ()
    passed: int = 0
    note: str = ""
    #: Extra lines shown under the check (the cost breakdown, skipped checks, exceptions).
    details: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)


@dataclass(frozen=True)
class Report:
    checks: tuple[CheckResult, ...]
    threshold: str
    override: Override | None = None
    #: the commit the checks ran on (``--head-sha``): the comment's "Checked commit", report.json's ``head_sha``
    head_sha: str = ""
    guide_url: str = ""

    @property
    def blocking_checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status in ("fail", "not_run"))

    @property
    def blocked(self) -> bool:
        return bool(self.blocking_checks)

    @property
    def not_run(self) -> tuple[CheckResult, ...]:
        """Checks that were expected and produced nothing usable: they block, and no override waives them."""
        return tuple(c for c in self.checks if c.status == "not_run")

    @property
    def overridden(self) -> bool:
        """An accepted override applies only when everything that blocks is a finding of a check that ran."""
        return self.blocked and self.override is not None and self.override.accepted and not self.not_run

    @property
    def exit_code(self) -> int:
        return EXIT_BLOCKED if self.blocked and not self.overridden else EXIT_OK

    @property
    def waived(self) -> tuple[str, ...]:
        """What an applied override waives: the blocking findings of the checks that ran, and nothing else."""
        if not self.overridden:
            return ()
        return tuple(f.key for c in self.blocking_checks if c.status == "fail" for f in c.blocking)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable summary (written next to the comment for audit logs and dashboards)."""
        return {
            "status": "overridden" if self.overridden else ("blocked" if self.blocked else "pass"),
            "exit_code": self.exit_code,
            "threshold": self.threshold,
            "head_sha": self.head_sha,
            "checks": {
                c.name: {"status": c.status, "counts": c.counts(), "blocking": [f.key for f in c.blocking]}
                for c in self.checks
            },
            "override": None
            if self.override is None
            else {
                "accepted": self.override.accepted,
                "reason": self.override.reason,
                "approver": self.override.approver,
                "approved_at": self.override.approved_at,
                "commit": self.override.commit,
                "applied": self.overridden,
                "waived": list(self.waived),
                "not_waivable": [c.name for c in self.not_run] if self.override.accepted else [],
            },
        }


def normalise_severity(value: object) -> str:
    text = str(value or "").strip().upper()
    return text if text in SEVERITIES else UNKNOWN_SEVERITY


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(normalise_severity(severity)) <= SEVERITIES.index(normalise_severity(threshold))


def iter_findings(report: Report) -> Iterable[Finding]:
    for c in report.checks:
        yield from c.findings
