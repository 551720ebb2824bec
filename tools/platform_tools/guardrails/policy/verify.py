"""The policies' own unit tests (``policy/*_test.rego``) with ``conftest verify`` semantics."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from platform_tools.guardrails.policy.engine import PolicyEngineError
from platform_tools.resources import policy_dir as default_policy_dir


@dataclass(frozen=True)
class TestOutcome:
    package: str
    name: str
    passed: bool


_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.M)
_TEST_RULE = re.compile(r"^(test_\w+)", re.M)


def run_tests(policy_dir: Path | None = None) -> list[TestOutcome]:
    """conftest verify semantics: every ``test_`` rule of every *_test.rego must be true.

    rego-cpp crashes when a single test rule is queried, or when one interpreter answers several test
    packages, so each test file gets a fresh interpreter (policies + shared fixtures + that file) and its
    package is queried whole: a rule missing from the answer (undefined) or not ``true`` fails.
    """
    from regopy import Interpreter, RegoError

    policy_dir = policy_dir or default_policy_dir()
    files = sorted(policy_dir.glob("*.rego"))
    tests = {f: f.read_text() for f in files if f.name.endswith("_test.rego")}
    suites = {f: text for f, text in tests.items() if _TEST_RULE.search(text)}
    support = [f for f in files if f not in suites]
    outcomes = []
    for file, text in suites.items():
        rego = Interpreter()
        try:
            for module in [*support, file]:
                rego.add_module(module.name, module.read_text())
        except RegoError as err:
            raise PolicyEngineError(f"the Rego engine rejected {file}: {str(err)[:2000]}") from None
        match = _PACKAGE.search(text)
        if match is None:
            raise PolicyEngineError(f"{file.name}: no package line")
        out = str(rego.query(f"x = data.{match.group(1)}"))
        try:
            got = json.loads(out)["bindings"]["x"]
        except (ValueError, KeyError, TypeError):
            raise PolicyEngineError(f"{file.name}: the engine answered {out[:2000]}") from None
        outcomes += [TestOutcome(match.group(1), n, got.get(n) is True) for n in sorted(set(_TEST_RULE.findall(text)))]
    return outcomes
