"""Each tool's *own* output format, read into report results: trivy ``--format json``, checkov ``-o json``,
conftest ``--output json`` (our policy runner) and Infracost ``--format json``. Never a format of our own making:
anything the scanner can write, the reporter can read, and the fixtures can be checked against the real tools.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from platform_constructs.registry.model import CostGuardrails
from platform_tools.guardrails import cis
from platform_tools.guardrails.checkov import CheckovFinding, read_report
from platform_tools.guardrails.cost import evaluate
from platform_tools.guardrails.report.model import CheckResult, Finding, Status, at_or_above, normalise_severity


def _status(findings: Sequence[Finding], warnings: bool = False) -> Status:
    if any(f.blocking for f in findings):
        return "fail"
    return "warn" if findings or warnings else "pass"


def trivy_result(doc: Mapping[str, Any], threshold: str) -> CheckResult:
    """``trivy config --format json`` (SchemaVersion 2): failed misconfigurations of every result."""
    if doc.get("SchemaVersion") != 2 or not isinstance(doc.get("Results", []), list):
        raise ValueError("not a trivy JSON report (SchemaVersion 2 with a Results list)")
    findings: list[Finding] = []
    passed = 0
    for result in doc.get("Results") or []:
        summary = result.get("MisconfSummary") or {}
        passed += int(summary.get("Successes", 0))
        for m in result.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") != "FAIL":
                continue
            cause = m.get("CauseMetadata") or {}
            severity = normalise_severity(m.get("Severity"))
            line = cause.get("StartLine")
            fix = str(m.get("Resolution") or "")
            if m.get("PrimaryURL"):
                fix = f"{fix} ({m['PrimaryURL']})" if fix else str(m["PrimaryURL"])
            findings.append(
                Finding(
                    check="trivy",
                    severity=severity,
                    resource=str(cause.get("Resource") or result.get("Target") or ""),
                    rule=str(m.get("AVDID") or m.get("ID") or ""),
                    message=str(m.get("Message") or m.get("Title") or ""),
                    fix=fix,
                    location=f"{result.get('Target', '')}:{line}" if line else str(result.get("Target", "")),
                    blocking=at_or_above(severity, threshold),
                )
            )
    return CheckResult("trivy", _status(findings), tuple(findings), passed=passed)


def _checkov_severity(finding: CheckovFinding) -> str:
    # checkov fills "severity" only with a paid API key; the shipped CIS table is the source otherwise.
    return normalise_severity(finding.severity or cis.severity(finding.check_id))


def checkov_result(doc: Mapping[str, Any] | Sequence[Mapping[str, Any]], threshold: str) -> CheckResult:
    """checkov ``-o json``: one report dict, or a list of them when several frameworks ran.

    A bare summary (checkov found nothing to scan) counts as not run: checkov ignores ``*.tf.json`` in a
    directory scan, so a PR that writes its Terraform in JSON would otherwise look clean.
    """
    report = read_report(doc)
    if report.empty_scans:
        raise ValueError("checkov found no Terraform it could scan (it does not read *.tf.json in a directory scan)")
    findings = [
        Finding(
            check="checkov",
            severity=(severity := _checkov_severity(f)),
            resource=f.resource,
            rule=f.check_id,
            message=f.check_name,
            fix=f.guideline,
            cis=tuple(cis.cis_controls(f.check_id)),
            location=f.location,
            blocking=at_or_above(severity, threshold),
        )
        for f in report.failed
    ]
    details = tuple(f"skipped: {s.check_id} on {s.resource}: {s.reason or 'no reason given'}" for s in report.skipped)
    return CheckResult("checkov", _status(findings), tuple(findings), passed=report.passed, details=details)


def policy_result(doc: Sequence[Mapping[str, Any]]) -> CheckResult:
    """conftest ``--output json`` (our policy runner): failures block, warnings warn, exceptions are listed."""
    if not isinstance(doc, list):
        raise ValueError("not conftest JSON output (a list of per-file results)")
    findings: list[Finding] = []
    details: list[str] = []
    passed = 0
    for entry in doc:
        passed += int(entry.get("successes", 0))
        for kind in ("failures", "warnings"):
            for result in entry.get(kind) or []:
                meta = result.get("metadata") or {}
                deny = kind == "failures"
                fix = str(meta.get("fix", ""))
                # conftest convention repeats the fix in the message; the table has its own column for it.
                message = str(result.get("msg", "")).replace(f" fix: {fix}", "").strip() if fix else result.get("msg")
                findings.append(
                    Finding(
                        check="policy",
                        severity=normalise_severity(meta.get("severity")),
                        resource=str(meta.get("address", "")),
                        rule=str(meta.get("rule") or entry.get("namespace", "")),
                        message=str(message or ""),
                        fix=fix,
                        location=str(entry.get("filename", "")),
                        blocking=deny,
                    )
                )
        for result in entry.get("exceptions") or []:
            meta = result.get("metadata") or {}
            details.append(f"exception: {result.get('msg', '')} {_exception_audit(meta)}".rstrip())
    return CheckResult("policy", _status(findings), tuple(findings), passed=passed, details=tuple(details))


def _exception_audit(meta: Mapping[str, Any]) -> str:
    parts = [f"{k}: {meta[k]}" for k in ("rule", "address", "approved_by", "reason", "expires") if meta.get(k)]
    return f"({'; '.join(parts)})" if parts else ""


def cost_result(doc: Mapping[str, Any], thresholds: CostGuardrails | None = None) -> CheckResult:
    """Infracost ``--format json``, judged by the platform's thresholds (``cost.evaluate``)."""
    verdict = evaluate(dict(doc), thresholds)
    cost_status: dict[str, Status] = {"pass": "pass", "warn": "warn", "block": "fail"}
    status = cost_status[verdict.status]
    details = [
        f"{p.name}: {_money(p.past, verdict.currency)} → {_money(p.total, verdict.currency)}"
        f" ({_signed(p.diff, verdict.currency)}, {_percent(p.percent)})"
        for p in verdict.projects
    ]
    finding = Finding(
        check="cost",
        severity="HIGH" if verdict.status == "block" else "MEDIUM",
        resource="monthly cost",
        rule=f"cost.{verdict.status}",
        message=verdict.reason,
        fix="ask a platform-team member to approve the increase (override), or reduce the change",
        blocking=verdict.status == "block",
    )
    note = (
        f"{_money(verdict.past, verdict.currency)} → {_money(verdict.total, verdict.currency)} per month "
        f"({_signed(verdict.diff, verdict.currency)}, {_percent(verdict.percent)})"
    )
    findings = (finding,) if verdict.status != "pass" else ()
    return CheckResult("cost", status, findings, note=note, details=(verdict.reason, *details))


def _money(value: Any, currency: str) -> str:
    return "unknown" if value is None else f"{currency} {value:,.2f}"


def _signed(value: Any, currency: str) -> str:
    if value is None:
        return "change unknown"
    return f"{'+' if value >= 0 else '-'}{currency} {abs(value):,.2f}"


def _percent(value: Any) -> str:
    return "n/a %" if value is None else f"{'+' if value >= 0 else ''}{value:.1f} %"
