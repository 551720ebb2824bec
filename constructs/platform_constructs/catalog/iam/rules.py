"""Rule variants only the iam module needs: policy documents given as JSON.

Each holds in both forms like the shared rules in :mod:`platform_constructs.rules` (Python ``holds`` for
stack mode, an HCL ``condition`` for the module's ``validation`` blocks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from platform_constructs.rules import Rule


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
