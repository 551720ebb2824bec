"""Run the Rego guardrails (policy/) on a plan or a synth folder, with conftest's output format.

Output is exactly ``conftest test --all-namespaces --output json``: one entry per file and policy namespace
with ``successes``, ``failures``, ``warnings`` and ``exceptions``; each result is ``{"msg", "metadata": {rule,
address, fix, severity}}``. The document is turned into the policies' resource view (:mod:`.view`), cut into
chunks (rego-cpp's cost grows faster than linearly with the input) and evaluated over the CPU cores by the
engine adapter (:mod:`.engine`); ``fast=False`` hands the raw document to the policies in one piece, as conftest
does. Tests prove both give the same results.

Excepted findings come back from the policies as warnings carrying an ``exception`` id (that is what
conftest shows); the runner files them under ``exceptions``, as conftest does for its own exceptions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from platform_constructs.errors import ConfigError, PlatformError, Problem
from platform_tools.guardrails.policy.engine import NAMESPACES, evaluate
from platform_tools.guardrails.policy.view import chunks, view
from platform_tools.resources import policy_dir as default_policy_dir

#: below this many resources one process does everything (starting a worker costs ~0.1 s)
PARALLEL_THRESHOLD = 3000


class PolicyFailedError(PlatformError):
    """At least one deny finding: the rule refused the change."""

    exit_code = 3


def _result(raw: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in raw.items() if k != "msg"}
    return {"msg": raw["msg"], "metadata": dict(sorted(meta.items()))}


def _merge(parts: Iterable[dict[str, dict[str, list[Any]]]], filename: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, dict[str, Any]]] = {ns: {} for ns in NAMESPACES}
    kinds: dict[str, dict[str, str]] = {ns: {} for ns in NAMESPACES}
    for part in parts:
        for ns in NAMESPACES:
            for kind in ("deny", "warn"):
                for raw in part.get(ns, {}).get(kind, []):
                    seen[ns][raw["msg"]] = raw
                    kinds[ns][raw["msg"]] = kind
    out = []
    for ns in NAMESPACES:
        failures, warnings, exceptions = [], [], []
        for msg in sorted(seen[ns]):
            raw = seen[ns][msg]
            if kinds[ns][msg] == "deny":
                failures.append(_result(raw))
            elif "exception" in raw:
                exceptions.append(_result(raw))
            else:
                warnings.append(_result(raw))
        # conftest counts a rule query with no result as a success: deny and warn per namespace
        successes = int(not failures) + int(not warnings)
        out.append(
            {
                "filename": filename,
                "namespace": ns,
                "successes": successes,
                "failures": failures,
                "warnings": warnings,
                "exceptions": exceptions,
            }
        )
    return out


def default_data() -> dict[str, Any]:
    from platform_constructs.registry import load_registry
    from platform_constructs.registry.loader import default_registry_path
    from platform_tools.guardrails.policy.data import build_data

    return build_data(load_registry(default_registry_path()))


def _evaluate_view(context: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> dict[str, Any]:
    return evaluate({"platform_view": context}, data, policy_dir)


def check_plan(
    plan: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    filename: str = "plan.json",
    policy_dir: Path | None = None,
    fast: bool = True,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """conftest JSON (as Python) for a ``terraform show -json`` plan or one synthesized ``cdk.tf.json``.

    ``fast=False`` hands the raw document to the policies in one piece (what conftest does); the default hands
    them the view built here, in pieces, over the CPU cores for big plans: the same results
    (tests/test_policy_runner.py) in a fraction of the time.
    """
    data = data if data is not None else default_data()
    policy_dir = policy_dir or default_policy_dir()
    if not fast:
        return _merge([evaluate(plan, data, policy_dir)], filename)
    pieces = chunks(view(plan))
    n = sum(len(rs) for p in pieces for rs in p["by_type"].values())
    if workers is None:
        workers = min(os.cpu_count() or 1, len(pieces)) if n >= PARALLEL_THRESHOLD else 1
    if workers <= 1 or len(pieces) < 2:
        parts = [_evaluate_view(p, data, policy_dir) for p in pieces]
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            parts = list(pool.map(_evaluate_view, pieces, [data] * len(pieces), [policy_dir] * len(pieces)))
    return _merge(parts, filename)


def check_path(path: str | Path, *, data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A plan JSON file, one ``cdk.tf.json``, or a synth folder (every ``stacks/*/cdk.tf.json`` in it)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("stacks/*/cdk.tf.json")) or sorted(path.glob("*/cdk.tf.json"))
        files = files or sorted(path.glob("cdk.tf.json"))
    else:
        files = [path] if path.is_file() else []
    if not files:
        raise ConfigError(
            "policy check",
            [
                Problem(
                    "path",
                    "no plan JSON or cdk.tf.json found",
                    str(path),
                    "pass `terraform show -json` output or cdktf.out",
                )
            ],
        )
    data = data if data is not None else default_data()
    results: list[dict[str, Any]] = []
    for file in files:
        try:
            doc = json.loads(file.read_text())
        except ValueError as err:
            raise ConfigError(
                "policy check",
                [
                    Problem(
                        str(file),
                        f"not JSON: {err}",
                        None,
                        "write the plan with `terraform show -json PLAN > plan.json`",
                    )
                ],
            ) from None
        if not isinstance(doc, dict) or not ("resource_changes" in doc or "resource" in doc or "format_version" in doc):
            raise ConfigError(
                "policy check",
                [
                    Problem(
                        str(file),
                        "neither a plan (resource_changes) nor Terraform JSON (resource)",
                        None,
                        "pass `terraform show -json` output or a synthesized cdk.tf.json",
                    )
                ],
            )
        results += check_plan(doc, data=data, filename=str(file))
    return results
