"""Run the Rego guardrails (policy/) on a plan or a synth folder, with conftest's output format.

Output is exactly ``conftest test --all-namespaces --output json``: one entry per file and policy namespace
with ``successes``, ``failures``, ``warnings`` and ``exceptions``; each result is ``{"msg", "metadata": {rule,
address, fix, severity}}``. The document is turned into the policies' resource view (:mod:`.view`), cut into
pieces (one per CPU core, or smaller where the engine's cost grows faster than linearly) and evaluated by the
chosen engine (:mod:`.engines`) in forked workers (:mod:`.parallel`); ``fast=False`` hands the raw document to
the policies in one piece, as conftest does. Tests prove both give the same results, on every engine.

Excepted findings come back from the policies as warnings carrying an ``exception`` id (that is what
conftest shows); the runner files them under ``exceptions``, as conftest does for its own exceptions.
"""

from __future__ import annotations

import gc
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from platform_constructs.errors import ConfigError, PlatformError, Problem
from platform_tools.guardrails.policy.engines import NAMESPACES, Engine, select
from platform_tools.guardrails.policy.parallel import fork_map
from platform_tools.guardrails.policy.view import chunks, view
from platform_tools.resources import policy_dir as default_policy_dir

#: below this many resources one process does everything (a forked worker costs ~20 ms)
PARALLEL_THRESHOLD = 2000


class PolicyFailedError(PlatformError):
    """At least one deny finding: the rule refused the change."""

    exit_code = 3


def _result(raw: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in raw.items() if k != "msg"}
    return {"msg": raw["msg"], "metadata": dict(sorted(meta.items()))}


def merge_results(parts: Iterable[dict[str, dict[str, list[Any]]]], filename: str) -> list[dict[str, Any]]:
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


def check_plan(
    plan: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    filename: str = "plan.json",
    policy_dir: Path | None = None,
    fast: bool = True,
    workers: int | None = None,
    engine: str | Engine | None = None,
) -> list[dict[str, Any]]:
    """conftest JSON (as Python) for a ``terraform show -json`` plan or one synthesized ``cdk.tf.json``.

    ``fast=False`` hands the raw document to the policies in one piece (what conftest does); the default hands
    them the view built here, in pieces, over the CPU cores for big plans: the same results
    (tests/guardrails/test_policy_runner.py) in a fraction of the time. ``engine``: a name, an engine, or None
    for the configured one (:func:`~platform_tools.guardrails.policy.engines.select`).
    """
    rego = select(engine)
    data = data if data is not None else default_data()
    policy_dir = policy_dir or default_policy_dir()
    if not fast:
        return merge_results([rego.evaluate(plan, data, policy_dir)], filename)
    return merge_results(evaluate_view(view(plan), rego, data, policy_dir, workers), filename)


def evaluate_view(
    context: dict[str, Any], rego: Engine, data: dict[str, Any], policy_dir: Path, workers: int | None = None
) -> list[Any]:
    """The engine's answers for a view: in pieces (:func:`pieces`), evaluated in forked workers."""
    if workers is None:
        n = sum(len(rs) for rs in context["by_type"].values())
        workers = (os.cpu_count() or 1) if n >= PARALLEL_THRESHOLD else 1

    def evaluate(piece: dict[str, Any]) -> Any:
        return rego.evaluate({"platform_view": piece}, data, policy_dir)

    return fork_map(evaluate, pieces(context, rego, workers), workers)


def pieces(context: dict[str, Any], rego: Engine, workers: int = 1) -> list[dict[str, Any]]:
    """The view in the pieces ``rego`` is given: its own size where its cost grows faster than linearly with the
    input, else one piece per worker."""
    n = sum(len(rs) for rs in context["by_type"].values())
    return chunks(context, rego.chunk_size or max(1, math.ceil(n / max(1, workers))))


def check_path(
    path: str | Path,
    *,
    data: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    engine: str | Engine | None = None,
    policy_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """A plan JSON file, one ``cdk.tf.json``, or a synth folder (every ``stacks/*/cdk.tf.json`` in it).

    ``data`` may be a function that builds the data document (loading the registry): for one big plan it then
    runs while a forked worker reads the plan and builds the view (:mod:`.pipeline`), which is what keeps a
    10,000-resource check within half a second.
    """
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
    from platform_tools.guardrails.policy.pipeline import check_file_pipelined, pipelined

    rego = select(engine)
    make_data = data if callable(data) else (lambda: data if data is not None else default_data())
    with no_garbage_collection():
        folder = policy_dir or default_policy_dir()
        if len(files) == 1 and pipelined(files[0]):
            return check_file_pipelined(files[0], make_data, rego, folder)
        known = make_data()
        results: list[dict[str, Any]] = []
        for file in files:
            results += check_plan(load_document(file), data=known, filename=str(file), engine=rego, policy_dir=folder)
        return results


@contextmanager
def no_garbage_collection() -> Iterator[None]:
    """A plan of 10,000 resources is a few hundred thousand objects, none in a reference cycle: the cyclic
    collector would walk them again and again while they are built (a third of the view's time) and free
    nothing, so it pauses while a plan is checked."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_document(file: Path) -> dict[str, Any]:
    """A plan (``terraform show -json``) or a synthesized ``cdk.tf.json``; anything else is a located problem."""
    try:
        doc = json.loads(file.read_text())
    except ValueError as err:
        raise ConfigError(
            "policy check",
            [
                Problem(
                    str(file), f"not JSON: {err}", None, "write the plan with `terraform show -json PLAN > plan.json`"
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
    return doc
