"""Cost thresholds over Infracost's JSON: +10 % warns, +30 % blocks until someone approves the spend.

Input is what ``infracost breakdown --format json`` or ``infracost diff --format json`` (CLI v0.10, output
``version: "0.2"``) writes: ``pastTotalMonthlyCost``, ``totalMonthlyCost`` and ``diffTotalMonthlyCost`` are
decimal strings or null, and so are each project's ``pastBreakdown`` / ``breakdown`` / ``diff``
``totalMonthlyCost``. Money is :class:`~decimal.Decimal` from end to end: a float would turn ``"29.99"``
into ``29.989999...`` and move a verdict across a threshold.

The rules (docs/guardrails/cost.md), applied to the whole PR and to each project (one per environment
folder), the worst verdict winning:

- past cost > 0: percent = diff / past. ``>= block_percent`` blocks, ``>= warn_percent`` warns.
- past cost 0 (a new project): a percentage is meaningless, so the new monthly total is compared with two
  amounts instead: ``>= new_block_amount`` blocks, ``>= new_warn_amount`` warns.
- a change smaller than ``min_change`` per month never warns or blocks (``$1 → $2`` is +100 %).
- a null cost (Infracost could not price it: usage-based resources without a usage file, or a project that
  failed) warns, never passes silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry.loader import validate_section
from platform_constructs.registry.model import CostGuardrails

Status = Literal["pass", "warn", "block"]
_RANK: dict[str, int] = {"pass": 0, "warn": 1, "block": 2}
HUNDRED = Decimal(100)


#: Thresholds are the registry's ``guardrails.cost`` model: one definition of the knobs, their defaults
#: (seed 5-4: +10 % warn, +30 % block; ours for new projects) and their rules, whatever the source.
THRESHOLD_NAMES = tuple(CostGuardrails.model_fields)


def cost_thresholds(
    values: Mapping[str, Any] | None = None, *, base: CostGuardrails | None = None, source: str = "cost thresholds"
) -> CostGuardrails:
    """``base`` (default: the registry defaults) with ``values`` laid over it, validated like platform.yaml."""
    merged = {**(base or CostGuardrails()).model_dump(), **dict(values or {})}
    return validate_section(CostGuardrails, merged, ("guardrails", "cost"), source)


@dataclass(frozen=True)
class ProjectCost:
    name: str
    past: Decimal | None
    total: Decimal | None
    diff: Decimal | None
    percent: Decimal | None
    status: Status = "pass"
    reason: str = ""


@dataclass(frozen=True)
class CostVerdict:
    status: Status
    past: Decimal | None
    total: Decimal | None
    diff: Decimal | None
    percent: Decimal | None
    currency: str
    reason: str
    projects: tuple[ProjectCost, ...] = ()
    thresholds: CostGuardrails = field(default_factory=CostGuardrails)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: every Decimal as its string (``"1303.28"``), None as null."""
        return _jsonable(asdict(self))


def evaluate(doc: Mapping[str, Any], thresholds: CostGuardrails | None = None, **overrides: Decimal) -> CostVerdict:
    """The verdict for one Infracost JSON document (``infracost breakdown|diff --format json``).

    ``thresholds`` (default: the registry defaults) with any single knob overridden by keyword.
    """
    t = cost_thresholds(overrides, base=thresholds) if overrides else (thresholds or CostGuardrails())
    _require_shape(doc)
    currency = str(doc.get("currency") or "USD")
    projects = []
    for i, p in enumerate(doc.get("projects") or []):
        name = str(p.get("displayName") or p.get("name") or f"project {i + 1}")
        past = _money((p.get("pastBreakdown") or {}).get("totalMonthlyCost"))
        total = _money((p.get("breakdown") or {}).get("totalMonthlyCost"))
        diff = _money((p.get("diff") or {}).get("totalMonthlyCost"))
        status, percent, reason = _judge(
            f"Project {name}", past, total, diff, currency=currency, t=t, error=_project_error(p)
        )
        projects.append(ProjectCost(name, past, total, _diff(past, total, diff), percent, status, reason))
    past = _money(doc.get("pastTotalMonthlyCost"))
    total = _money(doc.get("totalMonthlyCost"))
    diff = _money(doc.get("diffTotalMonthlyCost"))
    status, percent, reason = _judge("Monthly cost", past, total, diff, currency=currency, t=t)
    worst = max(projects, key=lambda pc: _RANK[pc.status], default=None)
    if worst is not None and _RANK[worst.status] > _RANK[status]:
        status, reason = worst.status, worst.reason
    return CostVerdict(status, past, total, _diff(past, total, diff), percent, currency, reason, tuple(projects), t)


def _judge(
    subject: str,
    past: Decimal | None,
    total: Decimal | None,
    diff: Decimal | None,
    *,
    currency: str,
    t: CostGuardrails,
    error: str = "",
) -> tuple[Status, Decimal | None, str]:
    if error:
        return "warn", None, f"{subject} could not be priced ({error}): fix the project so Infracost can price it."
    diff = _diff(past, total, diff)
    if total is None or past is None or diff is None:
        unknown = "the new" if total is None else "the previous"
        return (
            "warn",
            None,
            (
                f"{subject}: {unknown} monthly cost is unknown (usage-based resources without a usage file?): "
                "add their usage to the project's infracost-usage.yml so the change can be judged."
            ),
        )
    change = f"{_fmt(past, currency)} → {_fmt(total, currency)}"
    if past == 0:
        new = f"{subject}: new cost {_fmt(total, currency)}/month"
        warn_at, block_at = _fmt(t.new_warn_amount, currency), _fmt(t.new_block_amount, currency)
        if abs(diff) < t.min_change or total < t.new_warn_amount:
            return "pass", None, f"{new}, below the {warn_at} warning amount for new projects."
        if total >= t.new_block_amount:
            return (
                "block",
                None,
                f"{new} reaches the {block_at} block amount for new projects: merging needs cost approval.",
            )
        return "warn", None, f"{new} reaches the {warn_at} warning amount for new projects."
    percent = diff / past * HUNDRED
    shown = f"{percent.quantize(Decimal('0.01')):+}%"
    if diff <= 0:
        return "pass", percent, f"{subject} changes {shown} ({change})."
    if diff < t.min_change:
        return "pass", percent, f"{subject} rises {shown} ({change}), less than {_fmt(t.min_change, currency)}/month."
    if percent >= t.block_percent:
        return (
            "block",
            percent,
            (
                f"{subject} rises {shown} ({change}), at or above the +{t.block_percent}% block threshold: "
                "merging needs cost approval."
            ),
        )
    if percent >= t.warn_percent:
        return (
            "warn",
            percent,
            f"{subject} rises {shown} ({change}), at or above the +{t.warn_percent}% warning threshold.",
        )
    return "pass", percent, f"{subject} rises {shown} ({change}), below the +{t.warn_percent}% warning threshold."


def _diff(past: Decimal | None, total: Decimal | None, diff: Decimal | None) -> Decimal | None:
    if diff is not None:
        return diff
    return total - past if total is not None and past is not None else None


def _project_error(p: Mapping[str, Any]) -> str:
    errors = (p.get("metadata") or {}).get("errors") or []
    return "; ".join(str(e.get("message", e)) if isinstance(e, Mapping) else str(e) for e in errors)


def _money(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool | float):
        return None  # Infracost writes strings; a float here is not its output and would lose exactness
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _fmt(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(Decimal('0.01')):,}"


def _require_shape(doc: Mapping[str, Any]) -> None:
    problems = []
    if not isinstance(doc, Mapping):
        raise ConfigError("infracost JSON", [Problem("(root)", "must be a JSON object", type(doc).__name__)])
    if str(doc.get("version", "")) != "0.2":
        problems.append(
            Problem(
                "version",
                "is not Infracost's JSON output format 0.2",
                doc.get("version"),
                "pass the file written by `infracost breakdown|diff --format json` (CLI v0.10)",
            )
        )
    if not isinstance(doc.get("projects"), list):
        problems.append(Problem("projects", "must be a list", doc.get("projects")))
    for key in ("totalMonthlyCost", "pastTotalMonthlyCost"):
        v = doc.get(key)
        if key not in doc:
            problems.append(Problem(key, "is missing", None, "use infracost CLI v0.10 or later"))
        elif v is not None and (isinstance(v, bool | float) or _money(v) is None):
            problems.append(Problem(key, "must be a decimal string or null", v))
    if problems:
        raise ConfigError("infracost JSON", problems)


def _jsonable(value: Any) -> Any:
    if isinstance(value, CostGuardrails):
        return _jsonable(value.model_dump())
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def load_infracost(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(), parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError(
            str(path), [Problem(str(path), "file not found", fix="pass the --out-file of infracost")]
        ) from None
    except json.JSONDecodeError as err:
        raise ConfigError(str(path), [Problem(str(path), f"is not JSON: {err}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), [Problem(str(path), "must be a JSON object", type(data).__name__)])
    return data


def thresholds_from_platform(path: str | Path | None) -> CostGuardrails:
    """The ``guardrails.cost`` section of a platform.yaml (None: the embedded default), validated by the registry
    model like every other key."""
    from platform_constructs.registry import load_registry

    return load_registry(path).guardrails.cost
