"""Every claim a catalog module makes has a case that breaks it, in Terraform and in Python: one place for all.

A validation block or a precondition without a failing case is an unproven claim (it could be a condition that
never fails). The claims are read from the exported HCL itself (``modules_out/<module>``), so nothing the module
checks can escape this list; the cases are each module's tables in ``tests/support/catalog_cases/``. Then every
case must fail ``terraform plan`` of the exported module with its message (all of a module's cases in one plan)
and fail the props in Python with the same message.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest

from platform_constructs.catalog import MODULES, construct_class
from platform_constructs.tf import Terraform
from support.catalog import (
    CATALOG,
    Bad,
    Cross,
    assert_rejected_by_python,
    assert_rejected_by_terraform,
    name_cases,
)
from support.hcl import unquote


def flat(text: str) -> str:
    return " ".join(text.split())


def validations(folder: Path) -> list[tuple[str, str]]:
    """``(variable, error_message)`` of every validation block in ``variables.tf``."""
    out = []
    for entry in hcl2.loads((folder / "variables.tf").read_text()).get("variable", []):
        for name, body in entry.items():
            out += [(name.strip('"'), flat(unquote(v["error_message"]))) for v in body.get("validation", [])]
    return out


def preconditions(folder: Path) -> list[tuple[str, str]]:
    """``(resource address, error_message)`` of every precondition in ``main.tf``."""
    out = []
    doc: dict[str, Any] = hcl2.loads((folder / "main.tf").read_text())
    for kind in ("resource", "data"):
        for entry in doc.get(kind, []):
            for rtype, bodies in entry.items():
                for rname, body in bodies.items():
                    for lifecycle in body.get("lifecycle", []):
                        for pre in lifecycle.get("precondition", []):
                            address = f"{rtype.strip(chr(34))}.{rname.strip(chr(34))}"
                            out.append((address, flat(unquote(pre["error_message"]))))
    return out


def cases(module: str) -> tuple[list[Bad], list[Cross]]:
    table = importlib.import_module(f"support.catalog_cases.{module}")
    return list(table.BAD), [*table.CROSS, *name_cases(table.NAME_CASES, python=False)]


def unreachable(module: str) -> dict[str, str]:
    """Preconditions Terraform can never report, each with the reason (a case module's ``UNREACHABLE``)."""
    found: dict[str, str] = getattr(importlib.import_module(f"support.catalog_cases.{module}"), "UNREACHABLE", {})
    assert all(len(reason) > 40 for reason in found.values()), "say why, in a sentence"
    return found


def identifies(message: str, claim: str, claims: list[str]) -> bool:
    """The case's message is part of this claim's and of no claim that says something else: it proves this one.
    (Claims with the very same message on several resources, such as the two IAM roles' name limit, fail
    together for the same input and are proven by the same case.)"""
    text = flat(message)
    return text in claim and not any(text in other for other in claims if other != claim)


@pytest.mark.parametrize("module", list(MODULES))
def test_every_validation_block_has_a_failing_case(module: str) -> None:
    bad, _ = cases(module)
    blocks = validations(CATALOG / module)
    missing = []
    for var, message in blocks:
        same_field = [m for v, m in blocks if v == var]
        if not any(b.field == var and identifies(b.message, message, same_field) for b in bad):
            missing.append(f"{var}: {message}")
    assert missing == [], f"{module}: validation blocks without a failing case:\n" + "\n".join(missing)


@pytest.mark.parametrize("module", list(MODULES))
def test_every_precondition_has_a_failing_case(module: str) -> None:
    _, cross = cases(module)
    checks = [m for _, m in preconditions(CATALOG / module)]
    exempt = unreachable(module)
    missing = [
        f"{address}: {message}"
        for address, message in preconditions(CATALOG / module)
        if not any(identifies(c.message, message, checks) for c in cross)
        and not any(identifies(text, message, checks) for text in exempt)
    ]
    assert missing == [], f"{module}: preconditions without a failing case:\n" + "\n".join(missing)


@pytest.mark.parametrize("module", list(MODULES))
def test_every_case_names_a_claim_the_module_makes(module: str) -> None:
    """The other direction: a case whose message matches no validation of its field, or no precondition, tests
    nothing (a stale message would pass the rejection tests only by matching something else)."""
    bad, cross = cases(module)
    blocks = validations(CATALOG / module)
    checks = [m for _, m in preconditions(CATALOG / module)]
    stale = [
        f"Bad({b.field}): {b.message}" for b in bad if not any(v == b.field and flat(b.message) in m for v, m in blocks)
    ]
    stale += [f"Cross: {c.message}" for c in cross if not any(flat(c.message) in m for m in checks)]
    stale += [f"UNREACHABLE: {text}" for text in unreachable(module) if not any(flat(text) in m for m in checks)]
    assert stale == [], f"{module}: cases that match no claim:\n" + "\n".join(stale)


def test_the_guard_reads_claims_from_the_exported_hcl() -> None:
    """It can fail: every module has claims of both kinds for it to check."""
    for module in MODULES:
        assert validations(CATALOG / module), module
        assert preconditions(CATALOG / module), module


@pytest.mark.parametrize("module", list(MODULES))
def test_terraform_rejects_each_case(module: str, terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    table = importlib.import_module(f"support.catalog_cases.{module}")
    bad, cross = cases(module)
    assert_rejected_by_terraform(construct_class(module), table.VALID, [*bad, *cross], terraform, tmp_path)


@pytest.mark.parametrize("module", list(MODULES))
def test_python_rejects_the_same_cases(module: str) -> None:
    table = importlib.import_module(f"support.catalog_cases.{module}")
    cls = construct_class(module)
    assert_rejected_by_python(
        cls.PROPS, table.VALID, [*table.BAD, *table.CROSS, *name_cases(table.NAME_CASES, python=True)]
    )
