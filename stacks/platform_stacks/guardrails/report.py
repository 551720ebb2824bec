"""The one PR comment that sums up every guardrail, and the exit code that blocks the merge.

Service teams see a single comment instead of four bots arguing in the PR, so this module reads each tool's
*own* output format (trivy's ``--format json``, checkov's ``-o json``, conftest's ``--output json`` from our policy
runner, Infracost's ``--format json`` through :func:`platform_stacks.guardrails.cost.evaluate`) and never a format
of our own making: anything the scanner can write, the reporter can read, and the fixtures can be checked against
the real tools.

What blocks (exit code 3), decided here once:

- a policy ``deny`` (conftest failure): organisation rules have no severity threshold;
- a checkov or trivy failure at or above the threshold severity (default ``HIGH``); below it, a warning;
- a cost verdict of ``block`` (Infracost increase above the block percentage);
- a check that was expected but whose output is missing or unreadable ("did not run"): failing closed is the
  only safe default, otherwise a crashed scanner looks like a clean PR. A check the caller switched off on
  purpose (for example Infracost without an API key) is shown as "off" and does not block.

An accepted override (label plus an approving review by a platform-team member on the head commit, see
:mod:`platform_stacks.guardrails.github_api`) turns a blocking result into exit code 0, and the comment records
who approved, when, on which commit, and exactly which findings were waived.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from platform_constructs.errors import ConfigError, Problem
from platform_stacks.guardrails import baseline
from platform_stacks.guardrails.baseline import SEVERITIES

MARKER = "<!-- infra-checks -->"
#: A finding whose tool gave no severity counts as HIGH: unknown must not slip under the threshold.
UNKNOWN_SEVERITY = "HIGH"
#: Findings per check shown as a plain table; longer lists go into a collapsed <details> block.
OPEN_ROWS = 5
#: GitHub rejects comments over 65,536 characters; stay well below it.
MAX_COMMENT = 60_000
EXIT_OK = 0
EXIT_BLOCKED = 3

Status = Literal["pass", "warn", "fail", "not_run", "off"]
CheckName = Literal["trivy", "checkov", "policy", "cost"]
CHECKS: tuple[CheckName, ...] = ("trivy", "checkov", "policy", "cost")
TITLES: dict[str, str] = {
    "trivy": "trivy (security scan)",
    "checkov": "checkov (CIS AWS baseline)",
    "policy": "policy (conftest / Rego)",
    "cost": "cost (Infracost)",
}
STATUS_TEXT: dict[str, str] = {
    "pass": "✅ pass",
    "warn": "⚠️ warn",
    "fail": "❌ fail",
    "not_run": "❌ did not run",
    "off": "⏸️ off",
}


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
class Override:
    """The outcome of the override check, accepted or not, as the comment must record it."""

    accepted: bool
    reason: str
    label: str = "infra-override"
    label_present: bool = False
    approver: str = ""
    approved_at: str = ""
    commit: str = ""
    review_url: str = ""


@dataclass(frozen=True)
class Report:
    checks: tuple[CheckResult, ...]
    threshold: str
    override: Override | None = None
    head_sha: str = ""
    guide_url: str = ""

    @property
    def blocking_checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status in ("fail", "not_run"))

    @property
    def blocked(self) -> bool:
        return bool(self.blocking_checks)

    @property
    def overridden(self) -> bool:
        return self.blocked and self.override is not None and self.override.accepted

    @property
    def exit_code(self) -> int:
        return EXIT_BLOCKED if self.blocked and not self.overridden else EXIT_OK

    @property
    def waived(self) -> tuple[str, ...]:
        """What an override waives: every blocking finding, and every check that did not run."""
        keys: list[str] = []
        for c in self.blocking_checks:
            keys += [f.key for f in c.blocking] or [f"{c.name}:{c.status}"]
        return tuple(keys)

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
                "waived": list(self.waived) if self.override.accepted else [],
            },
        }


# -- reading each tool's own output ---------------------------------------------------------------------


def normalise_severity(value: object) -> str:
    text = str(value or "").strip().upper()
    return text if text in SEVERITIES else UNKNOWN_SEVERITY


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITIES.index(normalise_severity(severity)) <= SEVERITIES.index(normalise_severity(threshold))


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


def _checkov_severity(raw: Mapping[str, Any]) -> str:
    # checkov fills "severity" only with a paid API key; the shipped table is the source otherwise.
    if raw.get("severity"):
        return normalise_severity(raw["severity"])
    return normalise_severity(baseline.severity(str(raw.get("check_id", ""))))


def checkov_result(doc: Mapping[str, Any] | Sequence[Mapping[str, Any]], threshold: str) -> CheckResult:
    """checkov ``-o json``: one report dict, or a list of them when several frameworks ran."""
    reports = list(doc) if isinstance(doc, list) else [doc]
    findings: list[Finding] = []
    skipped: list[str] = []
    passed = 0
    for report in reports:
        if not isinstance(report, Mapping) or not ("results" in report or "summary" in report):
            raise ValueError("not a checkov JSON report (no results/summary)")
        passed += int((report.get("summary") or {}).get("passed", 0))
        results = report.get("results") or {}
        for raw in results.get("failed_checks") or []:
            check_id = str(raw.get("check_id", ""))
            severity = _checkov_severity(raw)
            lines = raw.get("file_line_range") or []
            location = str(raw.get("file_path", ""))
            if lines:
                location += f":{lines[0]}"
            findings.append(
                Finding(
                    check="checkov",
                    severity=severity,
                    resource=str(raw.get("resource", "")),
                    rule=check_id,
                    message=str(raw.get("check_name", "")),
                    fix=str(raw.get("guideline") or ""),
                    cis=tuple(baseline.cis_controls(check_id)),
                    location=location,
                    blocking=at_or_above(severity, threshold),
                )
            )
        for raw in results.get("skipped_checks") or []:
            reason = ((raw.get("check_result") or {}).get("suppress_comment") or "no reason given").strip()
            skipped.append(f"{raw.get('check_id', '')} on {raw.get('resource', '')}: {reason}")
    details = tuple(f"skipped: {s}" for s in skipped)
    return CheckResult("checkov", _status(findings), tuple(findings), passed=passed, details=details)


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


def cost_result(doc: Mapping[str, Any], **thresholds: Any) -> CheckResult:
    """Infracost ``--format json``, judged by the platform's thresholds (``cost.evaluate``)."""
    from platform_stacks.guardrails.cost import evaluate

    verdict = evaluate(dict(doc), **thresholds)
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


# -- assembling -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """Where each tool's output is; ``None`` means the check was expected but produced nothing."""

    trivy: Path | None = None
    checkov: Path | None = None
    #: One conftest JSON per environment's plan: their result lists are concatenated.
    policy: tuple[Path, ...] = ()
    cost: Path | None = None
    #: Checks the caller switched off on purpose: shown as "off", never blocking.
    disabled: frozenset[str] = field(default_factory=frozenset)


def _not_run(name: str, why: str) -> CheckResult:
    return CheckResult(name, "not_run", note=why)


def load_check(
    name: str, source: Path | Sequence[Path] | None, threshold: str, cost_options: Mapping[str, Any]
) -> CheckResult:
    paths = [source] if isinstance(source, Path) else list(source or [])
    if not paths:
        return _not_run(name, "no output was produced (the step failed or was skipped)")
    for path in paths:
        if not path.is_file():
            return _not_run(name, f"output file {path.name} is missing")
    path = paths[0]
    try:
        if name == "policy":
            merged: list[Any] = []
            for p in paths:
                part = json.loads(p.read_text(encoding="utf-8"))
                if not isinstance(part, list):
                    raise ValueError(f"{p.name} is not conftest JSON output (a list of per-file results)")
                merged += part
            return policy_result(merged)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if name == "trivy":
            return trivy_result(doc, threshold)
        if name == "checkov":
            return checkov_result(doc, threshold)
        return cost_result(doc, **cost_options)
    except ConfigError as err:  # e.g. Infracost JSON without the fields the cost check needs
        return _not_run(name, f"output {path.name} could not be read: {' '.join(str(err).split())}")
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        return _not_run(name, f"output {path.name} could not be read: {err}")


def build_report(
    inputs: Inputs,
    *,
    threshold: str = "HIGH",
    override: Override | None = None,
    head_sha: str = "",
    guide_url: str = "",
    cost_options: Mapping[str, Any] | None = None,
) -> Report:
    threshold = threshold.upper()
    if threshold not in SEVERITIES:
        raise ConfigError(
            "infra report",
            [Problem("--threshold", "is not a severity", threshold, f"use one of {', '.join(SEVERITIES)}")],
        )
    unknown = sorted(set(inputs.disabled) - set(CHECKS))
    if unknown:
        raise ConfigError(
            "infra report",
            [Problem("--disable", "names no check", ",".join(unknown), f"use one of {', '.join(CHECKS)}")],
        )
    checks = []
    for name in CHECKS:
        if name in inputs.disabled:
            checks.append(CheckResult(name, "off", note="switched off by the calling workflow"))
        else:
            checks.append(load_check(name, getattr(inputs, name), threshold, cost_options or {}))
    return Report(tuple(checks), threshold, override, head_sha, guide_url)


# -- markdown -----------------------------------------------------------------------------------------------


def cell(text: object) -> str:
    """Text safe inside a markdown table cell: no HTML (so no fake marker), no pipes, no line breaks."""
    escaped = html.escape(str(text), quote=False).replace("|", "\\|")
    return "<br>".join(line.strip() for line in escaped.splitlines()) or " "


def _headline(report: Report) -> str:
    if report.overridden:
        return "✅ passed by override: blocking findings were approved by the platform team"
    if report.blocked:
        n = sum(len(c.blocking) for c in report.blocking_checks)
        missing = [TITLES[c.name] for c in report.blocking_checks if c.status == "not_run"]
        parts = [f"{n} blocking finding(s)"] if n else []
        parts += [f"{', '.join(missing)} did not run"] if missing else []
        return f"❌ blocked: {'; '.join(parts)}. This check fails until they are fixed or overridden."
    if any(c.status == "warn" for c in report.checks):
        return "⚠️ passed with warnings"
    return "✅ passed"


def _summary_table(report: Report) -> list[str]:
    lines = [
        "| check | result | CRITICAL | HIGH | MEDIUM | LOW | notes |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for c in report.checks:
        counts = c.counts()
        note = c.note
        if c.status in ("pass", "warn", "fail") and c.name != "cost":
            note = f"{c.passed} passed, {len(c.findings)} failed" + (f"; {note}" if note else "")
        scored = c.name != "cost" and c.status in ("pass", "warn", "fail")
        lines.append(
            f"| {TITLES[c.name]} | {STATUS_TEXT[c.status]} | "
            + " | ".join(str(counts[s]) if scored else "-" for s in SEVERITIES)
            + f" | {cell(note)} |"
        )
    return lines


def _finding_rows(check: CheckResult) -> list[str]:
    cis = check.name == "checkov"
    head = "| | severity | resource | rule | message | how to fix |" + (" CIS |" if cis else "")
    rule = "|---|---|---|---|---|---|" + ("---|" if cis else "")
    ordered = sorted(check.findings, key=lambda f: (not f.blocking, SEVERITIES.index(f.severity), f.resource, f.rule))
    rows = [head, rule]
    for f in ordered:
        mark = "❌" if f.blocking else "⚠️"
        resource = f"`{cell(f.resource)}`" if f.resource else " "
        row = f"| {mark} | {f.severity} | {resource} | {cell(f.rule)} | {cell(f.message)} | {cell(f.fix or '-')} |"
        if cis:
            row += f" {cell(', '.join(f.cis) or '-')} |"
        rows.append(row)
    return rows


def _section(check: CheckResult) -> list[str]:
    lines = [f"### {TITLES[check.name]}: {STATUS_TEXT[check.status]}", ""]
    if check.status in ("not_run", "off"):
        lines.append(f"{cell(check.note)}.")
        if check.status == "not_run":
            lines.append("A check that did not run blocks the merge: a crashed scanner must not look like a clean PR.")
        return [*lines, ""]
    if check.findings and check.name != "cost":
        rows = _finding_rows(check)
        if len(check.findings) > OPEN_ROWS:
            lines += [f"<details><summary>{len(check.findings)} findings</summary>", "", *rows, "", "</details>"]
        else:
            lines += rows
        lines.append("")
    elif check.name != "cost":
        lines += ["No findings.", ""]
    extra = list(check.details)
    if extra:
        if check.name == "cost":
            lines += [f"- {cell(d)}" for d in extra]
        else:
            lines += [f"<details><summary>{len(extra)} noted</summary>", ""]
            lines += [f"- {cell(d)}" for d in extra]
            lines += ["", "</details>"]
        lines.append("")
    return lines


def _override_section(report: Report) -> list[str]:
    o = report.override
    lines = ["### Override", ""]
    if o is None:
        lines.append("Not evaluated (no GitHub context).")
    elif o.accepted and report.blocked:
        review = f", [review]({o.review_url})" if o.review_url else ""
        lines += [
            f"**Accepted.** Approved by @{cell(o.approver)} at {cell(o.approved_at)} on commit "
            f"`{cell(o.commit[:12])}` (label `{cell(o.label)}`){review}.",
            "",
            "Waived findings:",
            "",
            *[f"- `{cell(k)}`" for k in report.waived],
        ]
    elif o.accepted:
        lines.append(f"Approved by @{cell(o.approver)}, but nothing is blocking: no override needed.")
    else:
        lines.append(f"Not accepted: {cell(o.reason)}")
        if o.label_present:
            lines.append(
                f"The label `{cell(o.label)}` alone does nothing: a platform-team member must also approve the "
                "PR on its current head commit."
            )
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    lines = [MARKER, "## Infrastructure checks", "", f"**{_headline(report)}**", ""]
    lines += _summary_table(report)
    lines += [
        "",
        f"Blocking: policy denials, trivy/checkov findings at or above **{report.threshold}**, a cost increase "
        "above the block threshold, and any check that did not run.",
        "",
    ]
    for c in report.checks:
        lines += _section(c)
    lines += _override_section(report)
    footer = []
    if report.head_sha:
        footer.append(f"commit `{report.head_sha[:12]}`")
    if report.guide_url:
        footer.append(f"[how to fix a finding or request an exception]({report.guide_url})")
    if footer:
        lines.append(f"<sub>{' · '.join(footer)}</sub>")
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > MAX_COMMENT:
        cut = text[: MAX_COMMENT - 200].rsplit("\n", 1)[0]
        text = cut + "\n\n… the comment was cut to fit GitHub's size limit; the full report is in the job log.\n"
    return text


def iter_findings(report: Report) -> Iterable[Finding]:
    for c in report.checks:
        yield from c.findings
