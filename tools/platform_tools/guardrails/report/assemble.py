"""Assembling the report: each expected check's output loaded (or marked as not run), then judged together."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry.model import CostGuardrails
from platform_tools.guardrails.cis import SEVERITIES
from platform_tools.guardrails.report.model import CHECKS, CheckResult, Report
from platform_tools.guardrails.report.readers import checkov_result, cost_result, policy_result, trivy_result

if TYPE_CHECKING:
    from platform_tools.guardrails.override import Override


@dataclass(frozen=True)
class Inputs:
    """Where each tool's output is; ``None`` means the check was expected but produced nothing."""

    #: trivy and checkov run over the PR's files and over each plan; their outputs are read as one result
    trivy: Path | tuple[Path, ...] | None = None
    checkov: Path | tuple[Path, ...] | None = None
    #: One conftest JSON per environment's plan: their result lists are concatenated.
    policy: tuple[Path, ...] = ()
    cost: Path | None = None
    #: Checks the caller switched off on purpose: shown as "off", never blocking.
    disabled: frozenset[str] = field(default_factory=frozenset)


def _not_run(name: str, why: str) -> CheckResult:
    return CheckResult(name, "not_run", note=why)


def load_check(
    name: str, source: Path | Sequence[Path] | None, threshold: str, cost_thresholds: CostGuardrails | None = None
) -> CheckResult:
    paths = [source] if isinstance(source, Path) else list(source or [])
    if not paths:
        return _not_run(name, "no output was produced (the step failed or was skipped)")
    if len(paths) > 1 and name != "cost":
        # One result from several outputs (the PR's files and each plan): an output that is missing or unreadable
        # makes the check "did not run", but what the others found is still shown, so the author sees every
        # reason at once (the pre-flight's refusals when no plan could be made, above all).
        singles = [load_check(name, p, threshold, cost_thresholds) for p in paths]
        bad = [r for r in singles if r.status == "not_run"]
        if bad:
            good = [p for p, r in zip(paths, singles, strict=True) if r.status != "not_run"]
            base = load_check(name, good, threshold, cost_thresholds) if good else _not_run(name, "")
            return replace(base, status="not_run", note="; ".join(r.note for r in bad))
    for p in paths:
        if not p.is_file():
            return _not_run(name, f"output file {p.name} is missing")
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
        docs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
        if name == "trivy":
            return trivy_result(_merged_trivy(docs), threshold)
        if name == "checkov":
            reports = [r for d in docs for r in (d if isinstance(d, list) else [d])]
            return checkov_result(reports[0] if len(reports) == 1 else reports, threshold)
        return cost_result(docs[0], cost_thresholds)
    except ConfigError as err:  # e.g. Infracost JSON without the fields the cost check needs
        return _not_run(name, f"output {path.name} could not be read: {' '.join(str(err).split())}")
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        return _not_run(name, f"output {path.name} could not be read: {err}")


def _merged_trivy(docs: list[Any]) -> Any:
    """Several ``trivy --format json`` reports as one: their ``Results`` lists joined."""
    if len(docs) == 1:
        return docs[0]
    for d in docs:
        if not isinstance(d, dict):
            raise ValueError("not trivy JSON output (an object with Results)")
    return {**docs[0], "Results": [r for d in docs for r in (d.get("Results") or [])]}


def build_report(
    inputs: Inputs,
    *,
    threshold: str = "HIGH",
    override: Override | None = None,
    head_sha: str = "",
    guide_url: str = "",
    cost_thresholds: CostGuardrails | None = None,
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
            checks.append(load_check(name, getattr(inputs, name), threshold, cost_thresholds))
    return Report(tuple(checks), threshold, override, head_sha, guide_url)
