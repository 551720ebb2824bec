"""The comment a service team reads: headline, one summary row per check, findings, the override record.

Every value from a tool or a PR goes through :func:`cell` (no HTML, so no fake marker; no pipes; no line breaks),
and the comment is cut below GitHub's size limit.
"""

from __future__ import annotations

import html

from platform_tools.guardrails.cis import SEVERITIES
from platform_tools.guardrails.report.model import CheckResult, Report

#: the hidden first line that finds our comment again on the next run
MARKER = "<!-- infra-checks -->"
#: Findings per check shown as a plain table; longer lists go into a collapsed <details> block.
OPEN_ROWS = 5
#: GitHub rejects comments over 65,536 characters; stay well below it.
MAX_COMMENT = 60_000
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
        if missing:
            return (
                f"❌ blocked: {'; '.join(parts)}. This check fails until every check has run (an override cannot "
                "waive a check that did not run)" + (" and the findings are fixed or overridden." if n else ".")
            )
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
            lines.append(
                "A check that did not run blocks the merge: a crashed scanner must not look like a clean PR. No "
                "override waives it: re-run the job, or fix the error above."
            )
        if check.findings:  # what the inputs that did arrive found (for example the pre-flight's refusals)
            lines += ["", *_finding_rows(check)]
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
    elif report.overridden:
        review = f", [review]({o.review_url})" if o.review_url else ""
        lines += [
            f"**Accepted.** Approved by @{cell(o.approver)} at {cell(o.approved_at)} on commit "
            f"`{cell(o.commit[:12])}` (label `{cell(o.label)}`){review}.",
            "",
            "Waived findings:",
            "",
            *[f"- `{cell(k)}`" for k in report.waived],
        ]
    elif o.accepted and report.blocked:
        names = ", ".join(TITLES[c.name] for c in report.not_run)
        lines += [
            f"**Approved, but not applied.** @{cell(o.approver)} approved commit `{cell(o.commit[:12])}` at "
            f"{cell(o.approved_at)}, but an override cannot waive a check that did not run: {names}.",
            "",
            "Re-run the job if a scanner crashed or timed out (the approval still holds for a re-run of this "
            "commit), or fix the error in that check's section, such as a failed plan (a new commit, which needs "
            "a new approval). The override applies once every check has run.",
        ]
    elif o.accepted:
        lines.append(f"Approved by @{cell(o.approver)}, but nothing is blocking: no override needed.")
    else:
        lines.append(f"Not accepted: {cell(o.reason)}")
        if o.label_present:
            lines.append(
                f"The label `{cell(o.label)}` alone does nothing: a platform-team member must also approve the "
                "PR on the very commit these checks ran on."
            )
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    lines = [MARKER, "## Infrastructure checks", "", f"**{_headline(report)}**", ""]
    if report.head_sha:  # the verdict is about one commit; a reader of a later push must see it is not theirs
        lines += [f"Checked commit `{cell(report.head_sha[:12])}`.", ""]
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
    if report.guide_url:
        lines.append(f"<sub>[how to fix a finding or request an exception]({report.guide_url})</sub>")
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > MAX_COMMENT:
        cut = text[: MAX_COMMENT - 200].rsplit("\n", 1)[0]
        text = cut + "\n\n… the comment was cut to fit GitHub's size limit; the full report is in the job log.\n"
    return text
