"""The Rego policies' own unit tests (policy/*_test.rego) on every engine, with identical outcomes, plus the guard
that every rule id has a passing and a failing case.

The .rego tests call ``<policy>.check(doc, cfg)`` instead of using ``with``: rego-cpp crashes on ``with``
when the target rule reads other rules (policy/README.md), and the same files run under ``conftest verify``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from platform_tools.guardrails.policy.verify import run_tests
from platform_tools.resources import policy_dir
from support.policy import ENGINES

POLICY_DIR = policy_dir()

RULE_ID = re.compile(r'"((?:tags|naming|security_groups|public_resources|sources|exceptions)\.[a-z0-9_]+)"')
PASSING = re.compile(r"pass|accept|allow|tolerate|skip|ignore|not_reported")
FAILING = re.compile(r"fail|warn|refuse")
#: rule ids whose cases need the engine without data, which a .rego test cannot arrange: tested in Python
TESTED_IN_PYTHON = {"exceptions.data_missing": "test_policy_runner.py::test_missing_data_is_a_failure"}


def rule_ids() -> set[str]:
    return {
        rid
        for f in POLICY_DIR.glob("*.rego")
        if not f.name.endswith("_test.rego")
        for rid in RULE_ID.findall(f.read_text())
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_every_rego_test_passes(engine: str) -> None:
    outcomes = run_tests(engine=engine)
    failed = [f"{o.package}.{o.name}" for o in outcomes if not o.passed]
    assert len(outcomes) >= 60, f"only {len(outcomes)} rego tests found"
    assert not failed, f"failing rego tests on {engine}: {failed}"


def test_the_engines_agree_on_every_rego_test() -> None:
    answers = {engine: run_tests(engine=engine) for engine in ENGINES}
    assert len({tuple(a) for a in answers.values()}) == 1, answers


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failing_or_undefined_rego_test_is_reported(tmp_path: Path, engine: str) -> None:
    policies = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, policies)
    (policies / "broken_test.rego").write_text(
        "package broken_test\n\nimport data.fixtures\nimport data.tags\nimport rego.v1\n\n"
        "test_false if {\n\tcount(tags.check(fixtures.plan([]), fixtures.cfg)) == 1\n}\n\n"
        "test_true if {\n\tcount(tags.check(fixtures.plan([]), fixtures.cfg)) == 0\n}\n"
    )
    outcomes = {o.name: o.passed for o in run_tests(policies, engine=engine) if o.package == "broken_test"}
    assert outcomes == {"test_false": False, "test_true": True}


@pytest.mark.parametrize("rule", sorted(rule_ids()))
def test_every_rule_id_has_a_passing_and_a_failing_case(rule: str) -> None:
    if rule in TESTED_IN_PYTHON:
        module, name = TESTED_IN_PYTHON[rule].split("::")
        assert f"def {name}(" in (Path(__file__).parent / module).read_text()
        return
    suffix = rule.split(".", 1)[1]
    names = [n for f in POLICY_DIR.glob("*_test.rego") for n in re.findall(r"^(test_\w+)", f.read_text(), re.M)]
    mine = [n for n in names if suffix in n]
    assert any(PASSING.search(n) for n in mine), f"{rule}: no passing case among {mine}"
    assert any(FAILING.search(n) for n in mine), f"{rule}: no failing case among {mine}"


def test_the_guard_sees_every_policy_rule() -> None:
    ids = rule_ids()
    assert {"tags.missing_required", "naming.pattern", "security_groups.open_ingress"} <= ids
    assert sum(i.startswith("public_resources.") for i in ids) == 8
    assert {i for i in ids if i.startswith("sources.")} == {
        "sources.module",
        "sources.provider",
        "sources.data_source",
        "sources.provisioner",
    }
