"""Rule variants the ecs_service module needs and :mod:`platform_constructs.rules` does not have.

Each holds in both forms like the shared rules (Python ``holds`` for stack mode, an HCL ``condition``
for the module's ``validation`` blocks). They live here because only this module validates entries of a
map of objects nested one level below a variable (``extra_access.egress_rules``), which the props
framework does not reach on its own, and container health check commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from platform_constructs.rules import Rule


@dataclass(frozen=True)
class EveryEntry(Rule):
    """``check`` holds for every value of a map of models; ``hcl`` is the same test over ``{o}``.

    For maps of objects nested inside an object variable, where the framework's automatic per-attribute
    validations do not reach. The HCL form must not fail on evaluation (use ``try``), or Terraform
    reports an expression error instead of the rule's message.
    """

    check: Callable[[Any], bool] = field(compare=False)
    hcl: str = ""

    def holds(self, value: Any) -> bool:
        return isinstance(value, dict) and all(self.check(v) for v in value.values())

    def condition(self, ref: str) -> str:
        return f"alltrue([for k, o in {ref} : {self.hcl.format(o='o')}])"


@dataclass(frozen=True)
class HealthCommand(Rule):
    """A container health check command: ``["CMD", ...]`` or ``["CMD-SHELL", "..."]`` with a command."""

    def holds(self, value: Any) -> bool:
        return (
            isinstance(value, list | tuple)
            and len(value) >= 2
            and value[0] in ("CMD", "CMD-SHELL")
            and all(isinstance(v, str) and v != "" for v in value[1:])
        )

    def condition(self, ref: str) -> str:
        return (
            f'length({ref}) >= 2 && try(contains(["CMD", "CMD-SHELL"], {ref}[0]), false) && '
            f'alltrue([for i, v in {ref} : i == 0 || v != ""])'
        )
