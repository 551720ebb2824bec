"""checkov: running it from its isolated environment, and the one reader of its JSON report.

checkov lives in ``.venv-checkov`` (``make setup``) because it pins an old ``packaging`` and its
``bc-python-hcl2`` replaces python-hcl2's ``hcl2`` module. checkov 3.3 does not scan ``*.tf.json`` in a directory
scan, so the platform scans the HCL form that ``infra synth --hcl`` writes to ``<out>/hcl/<stack>/main.tf``.

Both the platform's own tests (:func:`run_checkov`) and the PR report (``report.readers.checkov_result``) read
checkov's ``-o json`` through :func:`read_report`: one parser, one :class:`CheckovFinding` type.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.errors import PrerequisiteError
from platform_tools.resources import local_checkout

ENV_VAR = "INFRA_CHECKOV"
#: checkov's placeholder when a skip comment carries no reason
NO_REASON = "No comment provided"


@dataclass(frozen=True)
class CheckovFinding:
    """One failed or skipped check on one resource, as checkov reported it."""

    check_id: str
    check_name: str
    resource: str
    file: str
    #: first line of the resource in ``file`` (0 when checkov gave none)
    line: int = 0
    #: checkov's own severity: filled only with a paid API key, so usually empty
    severity: str = ""
    guideline: str = ""
    #: the skip comment's reason (skipped checks)
    reason: str = ""

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class CheckovReport:
    passed: int
    failed: tuple[CheckovFinding, ...]
    skipped: tuple[CheckovFinding, ...]
    resource_count: int
    parsing_errors: int
    #: reports that were only a summary: checkov found nothing it could scan in that framework
    empty_scans: int = 0

    @property
    def unjustified_skips(self) -> tuple[CheckovFinding, ...]:
        return tuple(s for s in self.skipped if not s.reason.strip() or s.reason.strip() == NO_REASON)


def read_report(doc: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> CheckovReport:
    """checkov ``-o json``: one report, a list of them when several frameworks ran, or a bare summary when
    nothing was scanned. Anything else raises ``ValueError`` (the caller decides what an unreadable report means).
    """
    reports = list(doc) if isinstance(doc, list) else [doc]
    failed: list[CheckovFinding] = []
    skipped: list[CheckovFinding] = []
    passed = resources = parsing = empty = 0
    for report in reports:
        if not isinstance(report, Mapping):
            raise ValueError("not a checkov JSON report (no results/summary)")
        if "results" not in report and "summary" not in report:
            if "resource_count" not in report:
                raise ValueError("not a checkov JSON report (no results/summary)")
            resources += int(report.get("resource_count") or 0)  # an empty scan reports only a summary
            empty += 1
            continue
        summary = report.get("summary") or {}
        passed += int(summary.get("passed", 0))
        resources += int(summary.get("resource_count", 0))
        parsing += int(summary.get("parsing_errors", 0))
        results = report.get("results") or {}
        failed += [_finding(f) for f in results.get("failed_checks") or []]
        skipped += [_finding(f) for f in results.get("skipped_checks") or []]
    return CheckovReport(passed, tuple(failed), tuple(skipped), resources, parsing, empty)


def _finding(raw: Mapping[str, Any]) -> CheckovFinding:
    result = raw.get("check_result")
    reason = result.get("suppress_comment") if isinstance(result, Mapping) else None
    lines = raw.get("file_line_range") or []
    return CheckovFinding(
        check_id=str(raw.get("check_id", "")),
        check_name=str(raw.get("check_name", "")),
        resource=str(raw.get("resource", "")),
        file=str(raw.get("file_path", "")),
        line=int(lines[0]) if lines else 0,
        severity=str(raw.get("severity") or ""),
        guideline=str(raw.get("guideline") or ""),
        reason=str(reason or "").strip(),
    )


class CheckovNotFoundError(PrerequisiteError):
    """No checkov to run: an installation step the user takes (exit code 6), not a bug."""


def checkov_executable() -> str:
    configured = os.environ.get(ENV_VAR)
    root = local_checkout()
    default = str(root / ".venv-checkov" / "bin" / "checkov") if root else ""
    candidates = [configured] if configured else [default]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("checkov")
    if found and not configured:
        return found
    looked = candidates[0] or "PATH (no platform checkout found)"
    raise CheckovNotFoundError(
        f"checkov is not installed (looked at {looked})\n"
        f"      fix: run `make setup` in the platform repo (it installs checkov into .venv-checkov), "
        f"or set ${ENV_VAR} to a checkov executable"
    )


def run_checkov(directory: Path, *extra: str, config: Path | None = None) -> CheckovReport:
    cmd = [
        checkov_executable(),
        "-d",
        str(directory),
        "--framework",
        "terraform",
        "-o",
        "json",
        "--skip-download",
        "--download-external-modules",
        "false",
        *extra,
    ]
    if config is not None:
        cmd += ["--config-file", str(config)]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=600)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"checkov failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return read_report(json.loads(proc.stdout))
