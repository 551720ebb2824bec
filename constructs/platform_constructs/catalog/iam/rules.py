"""Rule variants the iam module needs and :mod:`platform_constructs.rules` does not have.

Each holds in both forms like the shared rules (Python ``holds`` for stack mode, an HCL ``condition``
for the module's ``validation`` blocks) and keeps to the regex syntax Python's ``re`` and RE2 share.
They live here rather than in the shared rules because only IAM inputs need them (wildcard principals,
JSON documents, entry limits); the negative whole-string match is shared (``rules.NotMatches``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from platform_constructs.hcl.render import literal_string
from platform_constructs.rules import Matches, Rule


@dataclass(frozen=True)
class NotContaining(Rule):
    """A string in which ``pattern`` occurs nowhere (Terraform's ``regex`` searches, like ``re.search``)."""

    pattern: str

    def __post_init__(self) -> None:
        Matches(self.message, self.pattern)

    def holds(self, value: Any) -> bool:
        return isinstance(value, str) and re.search(self.pattern, value, re.ASCII) is None

    def condition(self, ref: str) -> str:
        return f"!can(regex({literal_string(self.pattern)}, {ref}))"


@dataclass(frozen=True)
class PolicyJson(Rule):
    """A JSON object with a ``Statement`` key: what ``source_policy_documents`` can merge."""

    def holds(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            doc = json.loads(value)
        except ValueError:
            return False
        return isinstance(doc, dict) and "Statement" in doc

    def condition(self, ref: str) -> str:
        return f"can(jsondecode({ref}).Statement)"


@dataclass(frozen=True)
class AtMostEntries(Rule):
    """A map with at most ``high`` entries (an AWS quota that would otherwise fail at apply)."""

    high: int

    def holds(self, value: Any) -> bool:
        return isinstance(value, dict) and len(value) <= self.high

    def condition(self, ref: str) -> str:
        return f"length({ref}) <= {self.high}"
