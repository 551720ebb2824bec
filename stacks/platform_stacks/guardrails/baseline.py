"""The scanner baseline: our checkov → CIS table, and the validator for every way of silencing a scanner.

A scanner finding can be silenced four ways: a global ``skip-check`` in ``.checkov.yaml``, an inline
``# checkov:skip=ID: reason`` comment, a ``.trivyignore`` entry, or an inline ``#trivy:ignore`` /
``#tfsec:ignore`` comment. Each one is a risk accepted by someone, so each must say why, and the global
ones must also say who approved them and until when. :func:`check_baseline` checks all of that in one
pass and returns every problem at once (``infra baseline check`` exits 3 when there is any).

The table (``policy/checkov/cis_aws.yaml``) exists because checkov shows severities and CIS mappings
only with a paid API key; :func:`cis_controls` and :func:`severity` serve it to the PR report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from platform_constructs.errors import PlatformError, Problem
from platform_constructs.paths import REPO_ROOT

CIS_TABLE = Path("policy/checkov/cis_aws.yaml")
SKIP_REGISTRY = Path("policy/checkov/skips.yaml")
CHECKOV_CONFIG = Path(".checkov.yaml")
TRIVY_CONFIG = Path("trivy.yaml")
TRIVY_IGNORE = Path(".trivyignore")
#: where inline skips are looked for when no folder is named: the catalog and the synth output (HCL and JSON)
DEFAULT_SCAN_DIRS = (Path("modules_out"), Path("cdktf.out"))

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
#: an approval older than this must be renewed: the risk is looked at again at least once a year
MAX_VALIDITY_DAYS = 365
#: checkov's placeholder when a skip comment carries no reason
CHECKOV_NO_REASON = "No comment provided"

CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
# checkov's own comment syntax is `checkov:skip=<id>:<reason>`; our HCL renderer writes `checkov:skip=<id>: <reason>`
INLINE_CHECKOV = re.compile(r"checkov:skip=(?P<id>[A-Za-z0-9_]+)(?::(?P<reason>[^\n]*))?")
# trivy's parser (pkg/iac/ignore/parse.go) accepts both prefixes: `trivy:ignore:<id>` and `tfsec:ignore:<id>`
INLINE_TRIVY = re.compile(r"(?P<tool>trivy|tfsec):ignore:(?P<id>[A-Za-z0-9_.\-]+)(?P<rest>\S*)")
TRIVY_ID = re.compile(r"^(AVD-[A-Z0-9]+-\d{4}|[A-Z][A-Z0-9]*-\d{4}|[a-z0-9]+(-[a-z0-9]+)+)$")


class BaselineError(PlatformError):
    """A skip or ignore breaks the approval rules (exit code 3, like any refused rule)."""

    exit_code = 3

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        lines = [f"scanner baseline: {len(self.problems)} problem(s):"] + [p.render() for p in self.problems]
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------------------------- CIS table


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


BLOCKING = ("CRITICAL", "HIGH")


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
    source = path or REPO_ROOT / CIS_TABLE
    data = _yaml(source)
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
        )


def check_baseline(
    root: Path = REPO_ROOT,
    *,
    scan_dirs: Iterable[Path] | None = None,
    today: dt.date | None = None,
    table: CisTable | None = None,
) -> BaselineReport:
    """Every rule at once: global skips registered and current, inline skips explained, ignores dated.

    ``root`` holds ``.checkov.yaml``, ``policy/checkov/`` and ``.trivyignore`` (the platform repo, or a test's
    copy); ``scan_dirs`` (relative to ``root`` or absolute) are searched for inline skips.
    """
    today = today or dt.date.today()
    report = BaselineReport()
    table = table or load_cis_table(root / CIS_TABLE)
    config = _yaml(root / CHECKOV_CONFIG)
    registry = _yaml(root / SKIP_REGISTRY)
    report.global_skips = [str(s) for s in _as_list(config.get("skip-check"))]
    entries = registry.get("skips") or []
    report.registry_entries = len(entries)
    report.problems += _check_registry(entries, root, today)
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


def _check_registry(entries: list[dict[str, Any]], root: Path, today: dt.date) -> Iterator[Problem]:
    seen: set[tuple[str, str, str]] = set()
    for i, e in enumerate(entries):
        where = f"{SKIP_REGISTRY}: skips[{i}] ({e.get('id', '?')})"
        cid, scope = str(e.get("id", "")), e.get("scope")
        if not CHECKOV_ID.match(cid):
            yield Problem(f"{where}.id", "is not a checkov check id", cid, "use the id checkov prints, e.g. CKV_AWS_18")
        if scope not in ("repo", "resource"):
            yield Problem(f"{where}.scope", "must be repo or resource", scope)
        for key in ("reason", "approver", "ticket"):
            if not str(e.get(key) or "").strip():
                yield Problem(f"{where}.{key}", "is required", e.get(key), _FIX[key])
        approved, expires = _date(e.get("approved")), _date(e.get("expires"))
        if approved is None:
            yield Problem(
                f"{where}.approved", "must be a date YYYY-MM-DD", e.get("approved"), "the day the PR was approved"
            )
        if expires is None:
            yield Problem(
                f"{where}.expires", "must be a date YYYY-MM-DD", e.get("expires"), "at most 365 days after approved"
            )
        elif expires < today:
            yield Problem(
                f"{where}.expires",
                f"expired (today is {today.isoformat()})",
                expires.isoformat(),
                "fix the finding and delete the skip, or renew it in a PR approved by the CODEOWNERS of this file",
            )
        if approved and expires and (expires - approved).days > MAX_VALIDITY_DAYS:
            yield Problem(
                f"{where}.expires",
                f"is {(expires - approved).days} days after approved (at most {MAX_VALIDITY_DAYS})",
                expires.isoformat(),
                "set an earlier expiry; renew it when it comes due",
            )
        if scope == "resource":
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
        ident = (cid, str(scope), str(e.get("file") or ""))
        if ident in seen:
            yield Problem(where, "duplicates an earlier entry", cid, "keep one entry per skip")
        seen.add(ident)


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
    configured = [str(x) for x in _as_list(config.get("hard-fail-on"))]
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
    conf = _yaml(root / TRIVY_CONFIG)
    if "misconfig" not in _as_list((conf.get("scan") or {}).get("scanners")):
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
        exp = _date(exp_fields[0][4:]) if exp_fields else None
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


# ------------------------------------------------------------------------------------------------ helpers


def _yaml(path: Path) -> dict[str, Any]:
    from platform_constructs.errors import ConfigError

    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            str(path), [Problem(str(path), "file not found", fix="run from the platform repo root or pass --root")]
        ) from None
    except yaml.YAMLError as err:
        raise ConfigError(str(path), [Problem(str(path), f"is not valid YAML: {err}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), [Problem(str(path), "must be a YAML mapping", type(data).__name__)])
    return data


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value) if isinstance(value, list | tuple) else [value]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
