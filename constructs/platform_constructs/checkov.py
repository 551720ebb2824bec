"""Running checkov from its isolated environment and reading its JSON report.

checkov lives in ``.venv-checkov`` (``make setup``) because it pins an old ``packaging`` and its
``bc-python-hcl2`` replaces python-hcl2's ``hcl2`` module. checkov 3.3 does not scan ``*.tf.json`` in a
directory scan, so the platform scans the HCL form that ``infra synth --hcl`` writes to ``<out>/hcl/<stack>/main.tf``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from platform_constructs.paths import REPO_ROOT

ENV_VAR = "INFRA_CHECKOV"
NO_REASON = "No comment provided"


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    resource: str
    file: str
    reason: str = ""


@dataclass(frozen=True)
class CheckovReport:
    passed: int
    failed: tuple[Finding, ...]
    skipped: tuple[Finding, ...]
    resource_count: int
    parsing_errors: int

    @property
    def unjustified_skips(self) -> tuple[Finding, ...]:
        return tuple(s for s in self.skipped if not s.reason.strip() or s.reason.strip() == NO_REASON)


def checkov_executable() -> str:
    configured = os.environ.get(ENV_VAR)
    candidates = [configured] if configured else [str(REPO_ROOT / ".venv-checkov" / "bin" / "checkov")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("checkov")
    if found and not configured:
        return found
    raise FileNotFoundError(f"checkov not found (looked at {candidates[0]}); run `make setup` or set {ENV_VAR}")


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
    data = json.loads(proc.stdout)
    reports = data if isinstance(data, list) else [data]
    failed: list[Finding] = []
    skipped: list[Finding] = []
    passed = resources = parsing = 0
    for report in reports:
        if "results" not in report:  # an empty scan reports only a summary
            resources += int(report.get("resource_count", 0))
            continue
        summary = report["summary"]
        passed += int(summary["passed"])
        resources += int(summary["resource_count"])
        parsing += int(summary["parsing_errors"])
        results = report["results"]
        failed += [_finding(f) for f in results.get("failed_checks", [])]
        skipped += [_finding(f) for f in results.get("skipped_checks", [])]
    return CheckovReport(passed, tuple(failed), tuple(skipped), resources, parsing)


def _finding(raw: dict[str, object]) -> Finding:
    result = raw.get("check_result")
    reason = result.get("suppress_comment") if isinstance(result, dict) else None
    return Finding(
        str(raw["check_id"]),
        str(raw.get("check_name", "")),
        str(raw.get("resource", "")),
        str(raw.get("file_path", "")),
        str(reason or "").strip(),
    )
