"""The scanner baseline: the validator for every way of silencing a scanner (``infra baseline check``).

A scanner finding can be silenced four ways: a global ``skip-check`` in ``.checkov.yaml``, an inline
``# checkov:skip=ID: reason`` comment, a ``.trivyignore`` entry, or an inline ``#trivy:ignore`` /
``#tfsec:ignore`` comment. Each one is a risk accepted by someone, so each must say why, and the global
ones must also say who approved them and until when. :func:`check_baseline` checks all of that in one
pass and returns every problem at once (``infra baseline check`` exits 3 when there is any).

It also holds ``.checkov.yaml``'s ``hard-fail-on`` to the CRITICAL/HIGH rows of the CIS table (:mod:`.cis`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_constructs.errors import Problem
from platform_tools.guardrails.baseline_files import as_list, parse_date, read_mapping
from platform_tools.guardrails.cis import CHECKOV_ID, CIS_TABLE, CisTable, load_cis_table
from platform_tools.resources import PACKAGED, data_root

SKIP_REGISTRY = Path("policy/checkov/skips.yaml")
CHECKOV_CONFIG = Path(".checkov.yaml")
TRIVY_CONFIG = Path("trivy.yaml")
TRIVY_IGNORE = Path(".trivyignore")
#: where inline skips are looked for when no folder is named: the catalog and the synth output (HCL and JSON)
DEFAULT_SCAN_DIRS = (Path("modules_out"), Path("cdktf.out"))

#: an approval older than this must be renewed: the risk is looked at again at least once a year
MAX_VALIDITY_DAYS = 365
#: checkov's placeholder when a skip comment carries no reason
CHECKOV_NO_REASON = "No comment provided"

# checkov's own comment syntax is `checkov:skip=<id>:<reason>`; our HCL renderer writes `checkov:skip=<id>: <reason>`
INLINE_CHECKOV = re.compile(r"checkov:skip=(?P<id>[A-Za-z0-9_]+)(?::(?P<reason>[^\n]*))?")
# trivy's parser (pkg/iac/ignore/parse.go) accepts both prefixes: `trivy:ignore:<id>` and `tfsec:ignore:<id>`
INLINE_TRIVY = re.compile(r"(?P<tool>trivy|tfsec):ignore:(?P<id>[A-Za-z0-9_.\-]+)(?P<rest>\S*)")
TRIVY_ID = re.compile(r"^(AVD-[A-Z0-9]+-\d{4}|[A-Z][A-Z0-9]*-\d{4}|[a-z0-9]+(-[a-z0-9]+)+)$")


@dataclass(frozen=True)
class InlineSkip:
    """A skip written next to the code it silences."""

    tool: str  # checkov | trivy | tfsec
    check_id: str
    file: str
    line: int
    reason: str


@dataclass
class BaselineReport:
    problems: list[Problem] = field(default_factory=list)
    global_skips: list[str] = field(default_factory=list)
    registry_entries: int = 0
    #: resource-scoped entries whose file was not looked at: the installed package carries no catalog or synth
    #: output; the platform repository's own CI checks them against its checkout
    unverified_files: int = 0
    trivy_ignores: list[str] = field(default_factory=list)
    inline: list[InlineSkip] = field(default_factory=list)

    def summary(self) -> str:
        by_tool: dict[str, int] = {}
        for s in self.inline:
            by_tool[s.tool] = by_tool.get(s.tool, 0) + 1
        inline = ", ".join(f"{n} {tool}" for tool, n in sorted(by_tool.items())) or "none"
        return (
            f"checkov global skips: {len(self.global_skips)} ({', '.join(self.global_skips) or 'none'}); "
            f"skip registry entries: {self.registry_entries}; "
            f".trivyignore entries: {len(self.trivy_ignores)} ({', '.join(self.trivy_ignores) or 'none'}); "
            f"inline skips with a reason: {inline}"
            + (
                f"; {self.unverified_files} resource-scoped entries name files of the platform repository, "
                "not part of the installed package (its own CI checks them; pass --root CHECKOUT to check here)"
                if self.unverified_files
                else ""
            )
        )


def check_baseline(
    root: Path | None = None,
    *,
    scan_dirs: Iterable[Path] | None = None,
    today: dt.date | None = None,
    table: CisTable | None = None,
) -> BaselineReport:
    """Every rule at once: global skips registered and current, inline skips explained, ignores dated.

    ``root`` holds ``.checkov.yaml``, ``policy/checkov/`` and ``.trivyignore`` (default: the platform's data,
    :func:`~platform_tools.resources.data_root`; or a test's copy); ``scan_dirs`` (relative to ``root`` or
    absolute) are searched for inline skips.
    """
    root = root or data_root()
    verify_files = root != PACKAGED
    today = today or dt.date.today()
    report = BaselineReport()
    table = table or load_cis_table(root / CIS_TABLE)
    config = read_mapping(root / CHECKOV_CONFIG)
    registry = read_mapping(root / SKIP_REGISTRY)
    report.global_skips = [str(s) for s in as_list(config.get("skip-check"))]
    entries = registry.get("skips") or []
    report.registry_entries = len(entries)
    report.problems += _check_registry(entries, root, today, verify_files=verify_files)
    if not verify_files:
        report.unverified_files = sum(1 for e in entries if isinstance(e, dict) and e.get("scope") == "resource")
    report.problems += _check_global_skips(report.global_skips, entries, today)
    report.problems += _check_hard_fail(config, table)
    report.problems += _check_trivy_config(root)
    ignores, problems = parse_trivyignore((root / TRIVY_IGNORE).read_text(), today=today)
    report.trivy_ignores = [i for i, _ in ignores]
    report.problems += problems
    dirs = [d if d.is_absolute() else root / d for d in (scan_dirs if scan_dirs is not None else DEFAULT_SCAN_DIRS)]
    for skip in find_inline_skips(dirs, root):
        report.inline.append(skip)
    report.problems += _check_inline(report.inline)
    return report


def _check_registry(
    entries: list[dict[str, Any]], root: Path, today: dt.date, *, verify_files: bool = True
) -> Iterator[Problem]:
    seen: set[tuple[str, str, str, str]] = set()
    for i, e in enumerate(entries):
        where = f"{SKIP_REGISTRY}: skips[{i}] ({e.get('id', '?')})"
        cid, scope = str(e.get("id", "")), e.get("scope")
        # entries with `service:` register an inline skip in that service's repository (trivy's ids too)
        service = str(e.get("service") or "")
        if not (CHECKOV_ID.match(cid) or (service and TRIVY_ID.match(cid))):
            yield Problem(f"{where}.id", "is not a checkov check id", cid, "use the id checkov prints, e.g. CKV_AWS_18")
        if scope not in ("repo", "resource"):
            yield Problem(f"{where}.scope", "must be repo or resource", scope)
        for key in ("reason", "approver", "ticket"):
            if not str(e.get(key) or "").strip():
                yield Problem(f"{where}.{key}", "is required", e.get(key), _FIX[key])
        yield from validity_problems(
            where,
            e.get("approved"),
            e.get("expires"),
            today,
            renew="fix the finding and delete the skip, or renew it in a PR approved by the CODEOWNERS of this file",
        )
        if scope == "resource" and verify_files and not service:
            rel = str(e.get("file") or "")
            path = root / rel
            if not rel or not path.is_file():
                yield Problem(
                    f"{where}.file",
                    "must name the file holding the inline skip",
                    rel or None,
                    "a path relative to the repository root",
                )
            elif not any(s.check_id == cid for s in _inline_in_file(path, root)):
                yield Problem(
                    f"{where}.file",
                    f"holds no inline checkov:skip={cid}",
                    rel,
                    "the skip was removed: delete this entry too",
                )
        ident = (cid, str(scope), str(e.get("file") or ""), service)
        if ident in seen:
            yield Problem(where, "duplicates an earlier entry", cid, "keep one entry per skip")
        seen.add(ident)


def validity_problems(
    where: str, approved: object, expires: object, today: dt.date, *, renew: str, judge_expiry: bool = True
) -> list[Problem]:
    """The approval window of an accepted risk (a checkov skip here, a Rego exception in policy/exceptions.yaml):
    ``approved`` and ``expires`` real calendar dates written YYYY-MM-DD, approved no later than today, expires not
    before today and at most :data:`MAX_VALIDITY_DAYS` after approved.

    The window is measured from the approval, not from today, so it is the same on every day the entry is read; an
    approval dated in the future would stretch it without limit, hence the second rule. ``renew`` is the fix an
    expired entry gets; ``judge_expiry=False`` checks the dates and the window but not whether the day has passed
    (an entry that does not apply to this run). Problems are located at ``{where}.approved`` / ``{where}.expires``.
    """
    day_approved, day_expires = parse_date(approved), parse_date(expires)
    out = []
    if day_approved is None:
        out.append(Problem(f"{where}.approved", "must be a date YYYY-MM-DD", approved, "the day the PR was approved"))
    elif day_approved > today:
        out.append(
            Problem(
                f"{where}.approved",
                f"is after today ({today.isoformat()})",
                day_approved.isoformat(),
                "the day the PR was approved, which cannot be in the future",
            )
        )
    if day_expires is None:
        out.append(
            Problem(
                f"{where}.expires",
                "must be a date YYYY-MM-DD",
                expires,
                f"at most {MAX_VALIDITY_DAYS} days after approved",
            )
        )
    elif judge_expiry and day_expires < today:
        out.append(
            Problem(f"{where}.expires", f"expired (today is {today.isoformat()})", day_expires.isoformat(), renew)
        )
    if day_approved and day_expires and (day_expires - day_approved).days > MAX_VALIDITY_DAYS:
        out.append(
            Problem(
                f"{where}.expires",
                f"is {(day_expires - day_approved).days} days after approved (at most {MAX_VALIDITY_DAYS})",
                day_expires.isoformat(),
                "set an earlier expiry; renew it when it comes due",
            )
        )
    return out


_FIX = {
    "reason": "say why the risk is acceptable or why the check does not apply here",
    "approver": "the CODEOWNERS team that approved the PR, e.g. @acme/platform-team",
    "ticket": "the issue or ticket that records the decision",
}


def _check_global_skips(skips: list[str], entries: list[dict[str, Any]], today: dt.date) -> Iterator[Problem]:
    repo_entries = {str(e.get("id")): e for e in entries if e.get("scope") == "repo"}
    for cid in skips:
        if cid not in repo_entries:
            yield Problem(
                f"{CHECKOV_CONFIG}: skip-check",
                "is not in the skip registry",
                cid,
                f"add an entry with scope: repo to {SKIP_REGISTRY} (reason, approver, ticket, expiry), "
                "or remove the skip",
            )
    for cid in repo_entries:
        if cid not in skips:
            yield Problem(
                f"{SKIP_REGISTRY}: {cid}",
                "is registered as a repo-wide skip but .checkov.yaml does not skip it",
                cid,
                "delete the stale entry, or add the id to skip-check",
            )


def _check_hard_fail(config: Mapping[str, Any], table: CisTable) -> Iterator[Problem]:
    configured = [str(x) for x in as_list(config.get("hard-fail-on"))]
    expected = table.blocking_ids()
    missing = sorted(set(expected) - set(configured))
    extra = sorted(set(configured) - set(expected))
    if missing:
        yield Problem(
            f"{CHECKOV_CONFIG}: hard-fail-on",
            "misses CRITICAL/HIGH checks of the CIS table",
            missing,
            f"add them (the table {CIS_TABLE} is the source)",
        )
    if extra:
        yield Problem(
            f"{CHECKOV_CONFIG}: hard-fail-on",
            "lists checks that are not CRITICAL/HIGH in the table",
            extra,
            f"remove them, or raise their severity in {CIS_TABLE}",
        )


def _check_trivy_config(root: Path) -> Iterator[Problem]:
    conf = read_mapping(root / TRIVY_CONFIG)
    if "misconfig" not in as_list((conf.get("scan") or {}).get("scanners")):
        yield Problem(
            f"{TRIVY_CONFIG}: scan.scanners", "must include misconfig", (conf.get("scan") or {}).get("scanners")
        )
    if conf.get("ignorefile", ".trivyignore") != str(TRIVY_IGNORE):
        yield Problem(
            f"{TRIVY_CONFIG}: ignorefile", f"must be {TRIVY_IGNORE}, the validated file", conf.get("ignorefile")
        )


def parse_trivyignore(text: str, *, today: dt.date) -> tuple[list[tuple[str, dt.date]], list[Problem]]:
    """Entries of a plain ``.trivyignore`` and what is wrong with them.

    trivy itself reads ``<id> exp:YYYY-MM-DD`` (extra fields ignored) and drops an entry after its date.
    We also require the comment block right above each entry to carry ``reason:`` and ``approver:``.
    """
    entries: list[tuple[str, dt.date]] = []
    problems: list[Problem] = []
    comments: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            comments = []
            continue
        if line.startswith("#"):
            comments.append(line.lstrip("#").strip())
            continue
        where = f"{TRIVY_IGNORE}:{n}"
        fields = line.split()
        rid = fields[0]
        block = " ".join(comments)
        comments = []
        if not TRIVY_ID.match(rid):
            problems.append(
                Problem(where, "is not a trivy check id", rid, "use the id trivy prints, e.g. AVD-AWS-0088")
            )
        exp_fields = [f for f in fields[1:] if f.startswith("exp:")]
        exp = parse_date(exp_fields[0][4:]) if exp_fields else None
        if exp is None:
            problems.append(
                Problem(
                    where, "has no valid expiry", line, f"append exp:YYYY-MM-DD, at most {MAX_VALIDITY_DAYS} days ahead"
                )
            )
        elif exp < today:
            problems.append(
                Problem(
                    where,
                    f"expired (today is {today.isoformat()})",
                    line,
                    "fix the finding and delete the entry, or renew it through a reviewed PR",
                )
            )
        elif (exp - today).days > MAX_VALIDITY_DAYS:
            problems.append(
                Problem(where, f"expires more than {MAX_VALIDITY_DAYS} days ahead", line, "set an earlier exp: date")
            )
        for key in ("reason", "approver"):
            m = re.search(rf"\b{key}:\s*(\S.*?)(?=\s+\w+:|$)", block)
            if not m:
                problems.append(
                    Problem(
                        where,
                        f"has no `# {key}:` comment right above it",
                        rid,
                        _FIX[key] + " (comment lines directly above the entry)",
                    )
                )
        if exp is not None:
            entries.append((rid, exp))
    return entries, problems


def find_inline_skips(dirs: Iterable[Path], root: Path) -> list[InlineSkip]:
    """Inline checkov/trivy/tfsec skips in ``*.tf`` comments and in ``*.tf.json`` strings (CDKTF's ``//`` keys)."""
    found: list[InlineSkip] = []
    for d in dirs:
        if not d.exists():
            continue
        files = [d] if d.is_file() else sorted(p for p in d.rglob("*") if p.is_file() and _scannable(p))
        for path in files:
            found += _inline_in_file(path, root)
    return found


def _scannable(path: Path) -> bool:
    return path.name.endswith((".tf", ".tf.json")) and ".terraform" not in path.parts


def _inline_in_file(path: Path, root: Path) -> list[InlineSkip]:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    text = path.read_text(errors="replace")
    out: list[InlineSkip] = []
    if path.name.endswith(".tf.json"):
        for n, value in _json_strings(text):
            for m in INLINE_CHECKOV.finditer(value):
                out.append(InlineSkip("checkov", m["id"], rel, n, (m["reason"] or "").strip()))
        return out
    for n, line in enumerate(text.splitlines(), start=1):
        comment = _comment_part(line)
        if comment is None:
            continue
        for m in INLINE_CHECKOV.finditer(comment):
            out.append(InlineSkip("checkov", m["id"], rel, n, (m["reason"] or "").strip()))
        for m in INLINE_TRIVY.finditer(comment):
            # trivy has no reason syntax: the reason is the rest of the comment after the rule (and exp:)
            reason = comment[m.end() :].strip(" \t:-#")
            out.append(InlineSkip(m["tool"], m["id"], rel, n, reason))
    return out


def _comment_part(line: str) -> str | None:
    """The comment of an HCL line (``#`` or ``//``), ignoring markers inside string literals."""
    in_str = escaped = False
    for i, ch in enumerate(line):
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch == "#":
            return line[i + 1 :]
        elif ch == "/" and line[i : i + 2] == "//":
            return line[i + 2 :]
    return None


def _json_strings(text: str) -> Iterator[tuple[int, str]]:
    """Every string value of a JSON document with the line it starts on (0 when the file is one line)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return
    lines = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if "checkov:skip=" in line:
            lines[line.strip()] = n
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack += node.values()
        elif isinstance(node, list):
            stack += node
        elif isinstance(node, str) and "checkov:skip=" in node:
            yield next((n for k, n in lines.items() if json.dumps(node, ensure_ascii=False) in k), 0), node


def _check_inline(skips: list[InlineSkip]) -> Iterator[Problem]:
    for s in skips:
        where = f"{s.file}:{s.line}"
        if s.tool == "checkov" and not CHECKOV_ID.match(s.check_id):
            yield Problem(
                where, "checkov:skip names no checkov check id", s.check_id, "e.g. checkov:skip=CKV_AWS_18: reason"
            )
        if not s.reason or s.reason == CHECKOV_NO_REASON:
            syntax = (
                f"# checkov:skip={s.check_id}: <why>"
                if s.tool == "checkov"
                else f"#{s.tool}:ignore:{s.check_id} <why> (trivy reads only the id and an optional :exp:YYYY-MM-DD)"
            )
            yield Problem(where, f"inline {s.tool} skip of {s.check_id} has no reason", None, f"write {syntax}")
