"""Validation rules that hold in two places: construct props (Python) and module variables (Terraform).

A module's ``variable`` blocks are generated from the construct's props (DESIGN.md: one construct, two
outputs), so each rule is written once and knows both forms: :meth:`Rule.holds` for Python values and
:meth:`Rule.condition` for the HCL expression of a ``validation`` block. Tests evaluate both forms on the
same values, the HCL one through Terraform itself, so the two can never disagree silently.

Values that are still unresolved tokens (CDKTF references) are skipped in Python, as aws-cdk does: they
are checked by Terraform when the module runs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from platform_constructs.hcl.render import expression, literal_string


@dataclass(frozen=True)
class Rule:
    message: str

    def holds(self, value: Any) -> bool:
        raise NotImplementedError

    def condition(self, ref: str) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class OneOf(Rule):
    values: tuple[Any, ...]

    def holds(self, value: Any) -> bool:
        return value in self.values

    def condition(self, ref: str) -> str:
        return f"contains([{', '.join(expression(v, literal=True) for v in self.values)}], {ref})"


@dataclass(frozen=True)
class Between(Rule):
    """Whole numbers from ``low`` to ``high``, both included."""

    low: int
    high: int

    def holds(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high

    def condition(self, ref: str) -> str:
        return f"{ref} == floor({ref}) && {ref} >= {self.low} && {ref} <= {self.high}"


@dataclass(frozen=True)
class Matches(Rule):
    """A whole-string regular expression in the syntax Python's ``re`` and Terraform's RE2 share:
    no look-around, no back-references (checked on construction)."""

    pattern: str

    def __post_init__(self) -> None:
        if re.search(r"\(\?[=!<]|\\[1-9]", self.pattern):
            raise ValueError(f"pattern {self.pattern!r} uses syntax RE2 (Terraform) does not support")
        re.compile(self.pattern)

    def holds(self, value: Any) -> bool:
        # re.ASCII: RE2 classes (\\d, \\w, \\s) are ASCII-only; Python's are Unicode by default.
        return isinstance(value, str) and re.fullmatch(self.pattern, value, re.ASCII) is not None

    def condition(self, ref: str) -> str:
        return f"can(regex({literal_string('^(?:' + self.pattern + ')$')}, {ref}))"


@dataclass(frozen=True)
class Ipv4Cidr(Rule):
    """An IPv4 network in CIDR notation with no host bits set (``10.0.0.0/16``, not ``10.0.0.1/16``)."""

    def holds(self, value: Any) -> bool:
        if not isinstance(value, str) or "/" not in value:
            return False
        try:
            ipaddress.IPv4Network(value, strict=True)
        except ValueError:
            return False
        return True

    def condition(self, ref: str) -> str:
        return f"can(cidrnetmask({ref})) && try(cidrsubnet({ref}, 0, 0) == {ref}, false)"


def arn(service: str, resource: str, message: str) -> Matches:
    """An ARN of ``service`` whose resource part matches ``resource`` (a regex fragment)."""
    return Matches(message, rf"arn:aws:{service}:[a-z0-9-]*:(?:[0-9]{{12}})?:{resource}")


@dataclass(frozen=True)
class WhenSet(Rule):
    """``rule`` applies when a value is given; null (not set) passes."""

    rule: Rule

    def holds(self, value: Any) -> bool:
        return value is None or self.rule.holds(value)

    def condition(self, ref: str) -> str:
        return f"{ref} == null ? true : ({self.rule.condition(ref)})"


def validation_blocks(ref: str, rules: tuple[Rule, ...], indent: str = "  ") -> str:
    """The ``validation`` blocks of a variable, one per rule, in rule order."""
    return "".join(
        f"\n{indent}validation {{\n{indent}  condition     = {r.condition(ref)}\n"
        f"{indent}  error_message = {literal_string(r.message)}\n{indent}}}\n"
        for r in rules
    )


@dataclass(frozen=True)
class Each(Rule):
    """``rule`` holds for every element of a list, or every value of a map."""

    rule: Rule

    def holds(self, value: Any) -> bool:
        items = value.values() if isinstance(value, dict) else value
        return value is not None and all(self.rule.holds(v) for v in items)

    def condition(self, ref: str) -> str:
        return f"alltrue([for x in {ref} : {self.rule.condition('x')}])"


@dataclass(frozen=True)
class Keys(Rule):
    """``rule`` holds for every key of a map (keys become resource addresses: keep them stable and plain)."""

    rule: Rule

    def holds(self, value: Any) -> bool:
        return isinstance(value, dict) and all(self.rule.holds(k) for k in value)

    def condition(self, ref: str) -> str:
        return f"alltrue([for k, v in {ref} : {self.rule.condition('k')}])"


@dataclass(frozen=True)
class Count(Rule):
    """A list or a map with ``low`` to ``high`` elements (entries), both included; ``low=None``: no lower bound
    (the condition then tests the upper one only: an AWS quota that would otherwise fail at apply)."""

    low: int | None
    high: int

    def holds(self, value: Any) -> bool:
        return isinstance(value, list | tuple | dict) and (self.low or 0) <= len(value) <= self.high

    def condition(self, ref: str) -> str:
        if self.low is None:
            return f"length({ref}) <= {self.high}"
        return f"length({ref}) >= {self.low} && length({ref}) <= {self.high}"


def at_most(high: int, message: str) -> Count:
    """:class:`Count` with only an upper bound."""
    return Count(message, None, high)


@dataclass(frozen=True)
class Distinct(Rule):
    """No element appears twice."""

    def holds(self, value: Any) -> bool:
        return isinstance(value, list | tuple) and len(set(value)) == len(value)

    def condition(self, ref: str) -> str:
        return f"length(distinct({ref})) == length({ref})"


@dataclass(frozen=True)
class DistinctValues(Rule):
    """No value of a map appears twice (two keys naming the same certificate, say)."""

    def holds(self, value: Any) -> bool:
        return isinstance(value, dict) and len(set(value.values())) == len(value)

    def condition(self, ref: str) -> str:
        return f"length(distinct(values({ref}))) == length({ref})"


@dataclass(frozen=True)
class NotIn(Rule):
    """A value that is none of ``values`` (settings the module owns, reserved words)."""

    values: tuple[str, ...]

    def holds(self, value: Any) -> bool:
        return value not in self.values

    def condition(self, ref: str) -> str:
        return f"!contains([{', '.join(expression(v, literal=True) for v in self.values)}], {ref})"


@dataclass(frozen=True)
class NotInIgnoringCase(Rule):
    """A string that is none of ``values`` in any letter case (tag keys the module sets itself: ``service`` next to
    ``Service`` is a second tag to cost allocation and the tag policy, and the same key to IAM)."""

    values: tuple[str, ...]

    def holds(self, value: Any) -> bool:
        return isinstance(value, str) and value.lower() not in {v.lower() for v in self.values}

    def condition(self, ref: str) -> str:
        return f"!contains([{', '.join(expression(v.lower(), literal=True) for v in self.values)}], lower({ref}))"


@dataclass(frozen=True)
class NotStartingWith(Rule):
    """A string that does not start with ``prefix`` (reserved names)."""

    prefix: str

    def holds(self, value: Any) -> bool:
        return isinstance(value, str) and not value.startswith(self.prefix)

    def condition(self, ref: str) -> str:
        return f"!startswith({ref}, {literal_string(self.prefix)})"


def each(rule: Rule) -> Each:
    """:class:`Each` with the inner rule's message."""
    return Each(rule.message, rule)


def keys(rule: Rule) -> Keys:
    """:class:`Keys` with the inner rule's message."""
    return Keys(rule.message, rule)


def when_set(rule: Rule) -> WhenSet:
    """:class:`WhenSet` with the inner rule's message."""
    return WhenSet(rule.message, rule)


#: a commercial-partition region such as ap-northeast-2 (no wildcards: a grant never spans regions)
REGION = r"[a-z]{2}(?:-[a-z]+)+-[0-9]"
ACCOUNT = r"[0-9]{12}"


def regional_arn(service: str, resource: str, message: str) -> Matches:
    """An ARN of ``service`` in one region and one account (stricter than :func:`arn`, which allows both
    to be empty): what IAM grants and ECS references need, so a resource never spans regions by accident."""
    return Matches(message, rf"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}")


@dataclass(frozen=True)
class NotMatches(Rule):
    """A string that does not match ``pattern`` as a whole (refused values: admin policies, ``:latest``)."""

    pattern: str

    def __post_init__(self) -> None:
        Matches(self.message, self.pattern)  # same RE2-compatibility check as the positive rule

    def holds(self, value: Any) -> bool:
        return isinstance(value, str) and re.fullmatch(self.pattern, value, re.ASCII) is None

    def condition(self, ref: str) -> str:
        return f"!can(regex({literal_string('^(?:' + self.pattern + ')$')}, {ref}))"


@dataclass(frozen=True)
class NotContaining(Rule):
    """A string in which ``pattern`` occurs nowhere (Terraform's ``regex`` searches, like ``re.search``)."""

    pattern: str

    def __post_init__(self) -> None:
        Matches(self.message, self.pattern)  # same RE2-compatibility check as the positive rule

    def holds(self, value: Any) -> bool:
        return isinstance(value, str) and re.search(self.pattern, value, re.ASCII) is None

    def condition(self, ref: str) -> str:
        return f"!can(regex({literal_string(self.pattern)}, {ref}))"
