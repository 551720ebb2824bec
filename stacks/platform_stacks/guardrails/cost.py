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
from platform_constructs.registry.model import CostGuardrails

Status = Literal["pass", "warn", "block"]
_RANK: dict[str, int] = {"pass": 0, "warn": 1, "block": 2}
HUNDRED = Decimal(100)


#: The defaults live in one place, the registry model (seed 5-4: +10 % warn, +30 % block; ours for new projects).
_DEFAULT = CostGuardrails()


@dataclass(frozen=True)
class CostThresholds:
    """The knobs as the check uses them, whatever their source (platform.yaml, CLI flags, a caller)."""

    warn_percent: Decimal = _DEFAULT.warn_percent
    block_percent: Decimal = _DEFAULT.block_percent
    #: a new project (past cost 0) warns from this monthly amount and blocks from the next one
    new_warn_amount: Decimal = _DEFAULT.new_warn_amount
    new_block_amount: Decimal = _DEFAULT.new_block_amount
    #: monthly changes smaller than this never warn or block, whatever the percentage
    min_change: Decimal = _DEFAULT.min_change

    def __post_init__(self) -> None:
        checks = [
            (self.warn_percent <= 0, "warn_percent", self.warn_percent, "a percentage above 0, e.g. 10"),
            (
                self.block_percent <= self.warn_percent,
                "block_percent",
                self.block_percent,
                f"a percentage above warn_percent ({self.warn_percent})",
            ),
            (self.new_warn_amount < 0, "new_warn_amount", self.new_warn_amount, "a monthly amount >= 0"),
            (
                self.new_block_amount <= self.new_warn_amount,
                "new_block_amount",
                self.new_block_amount,
                f"a monthly amount above new_warn_amount ({self.new_warn_amount})",
            ),
            (self.min_change < 0, "min_change", self.min_change, "a monthly amount >= 0"),
        ]
        problems = [
            Problem(f"guardrails.cost.{name}", "is out of range", value, fix) for bad, name, value, fix in checks if bad
        ]
        if problems:
            raise ConfigError("cost thresholds", problems)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "guardrails.cost") -> CostThresholds:
        """Thresholds from a mapping such as platform.yaml's ``guardrails.cost``; unknown keys are errors."""
        known = {f for f in cls.__dataclass_fields__}
        problems = [
            Problem(f"{source}.{k}", "is not a cost threshold", k, "one of " + ", ".join(sorted(known)))
            for k in data
            if k not in known
        ]
        values: dict[str, Decimal] = {}
        for k, v in data.items():
            if k in known:
                d = _money(v) if not isinstance(v, bool) else None
                if d is None:
                    problems.append(Problem(f"{source}.{k}", "must be a number", v, 'e.g. 10 or "12.5"'))
                else:
                    values[k] = d
        if problems:
            raise ConfigError(source, problems)
        return cls(**values)


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
    thresholds: CostThresholds = field(default_factory=CostThresholds)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: every Decimal as its string (``"1303.28"``), None as null."""
        return _jsonable(asdict(self))


def evaluate(
    doc: Mapping[str, Any],
    *,
    warn_percent: Decimal = _DEFAULT.warn_percent,
    block_percent: Decimal = _DEFAULT.block_percent,
    new_warn_amount: Decimal = _DEFAULT.new_warn_amount,
    new_block_amount: Decimal = _DEFAULT.new_block_amount,
    min_change: Decimal = _DEFAULT.min_change,
) -> CostVerdict:
    """The verdict for one Infracost JSON document (``infracost breakdown|diff --format json``)."""
    t = CostThresholds(
        Decimal(warn_percent),
        Decimal(block_percent),
        Decimal(new_warn_amount),
        Decimal(new_block_amount),
        Decimal(min_change),
    )
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
    t: CostThresholds,
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


def thresholds_from_platform(path: str | Path | None) -> dict[str, Any]:
    """The ``guardrails.cost`` section of a platform.yaml (None: the embedded default), validated by the registry
    model like every other key."""
    from platform_constructs.registry import load_registry

    return dict(load_registry(path).guardrails.cost.model_dump())


def render_infracost_config(registry: Any, service: str) -> str:
    """``infracost.yml`` for a service repo: one project per environment folder, each with its usage file."""
    from platform_constructs.templating import render

    names = [s.name for s in registry.services]
    if service not in names:
        raise ConfigError(
            "service", [Problem("service", "is not in the registry", service, "one of " + ", ".join(names))]
        )
    return render("service/infracost.yml.j2", service=service, environments=list(registry.environments))
