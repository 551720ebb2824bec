"""Where the suite runs: the repository, CI or not, and what a missing prerequisite means there.

Tests that need the local provider mirror (or checkov, actionlint, the official CLI) skip when it is missing
on a developer machine, and fail under ``CI=true``: CI runs on the same kind of machine, so a missing mirror
there is a broken machine, not a reason to go green.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: input files the tests read (tool outputs, Terraform fixtures)
FIXTURES = REPO / "tests" / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
