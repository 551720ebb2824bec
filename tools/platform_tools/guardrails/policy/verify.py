"""The policies' own unit tests (``policy/*_test.rego``) with ``conftest verify`` semantics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from platform_tools.guardrails.policy.engines import Engine, PolicyEngineError, select
from platform_tools.resources import policy_dir as default_policy_dir


@dataclass(frozen=True)
class TestOutcome:
    package: str
    name: str
    passed: bool


_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.M)
_TEST_RULE = re.compile(r"^(test_\w+)", re.M)


def run_tests(policy_dir: Path | None = None, engine: str | Engine | None = None) -> list[TestOutcome]:
    """conftest verify semantics: every ``test_`` rule of every *_test.rego must be true.

    Each test file is loaded with the policies and the shared fixtures into a fresh engine and its package is
    queried whole (what both engines answer reliably): a rule missing from the answer (undefined) or not
    ``true`` fails.
    """
    rego = select(engine)
    policy_dir = policy_dir or default_policy_dir()
    files = sorted(policy_dir.glob("*.rego"))
    tests = {f: f.read_text() for f in files if f.name.endswith("_test.rego")}
    suites = {f: text for f, text in tests.items() if _TEST_RULE.search(text)}
    support = [f for f in files if f not in suites]
    outcomes = []
    for file, text in suites.items():
        match = _PACKAGE.search(text)
        if match is None:
            raise PolicyEngineError(f"{file.name}: no package line")
        got = rego.query([*support, file], f"data.{match.group(1)}")
        outcomes += [TestOutcome(match.group(1), n, got.get(n) is True) for n in sorted(set(_TEST_RULE.findall(text)))]
    return outcomes
