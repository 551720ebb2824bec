"""Validation rules agree in Python and in Terraform: the same values pass and fail in both.

The Terraform side is real: a configuration with one variable per (rule, value), each carrying the
rule's ``validation`` block and the value as its default, is planned by the Terraform engine, and the
variables Terraform rejects must be exactly those Python rejects. Every kind of rule, shared or a module's
own, has cases here (``test_every_rule_kind_has_cases``).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from platform_constructs.catalog import MODULES
from platform_constructs.catalog.ecs_service.rules import EveryEntry, HealthCommand
from platform_constructs.catalog.iam.rules import PolicyJson
from platform_constructs.catalog.rds.rules import AutoscalingCeiling, ProvisionedIops
from platform_constructs.catalog.sg.rules import Ipv6Cidr, PublicRange
from platform_constructs.hcl.render import expression
from platform_constructs.rules import (
    Between,
    Count,
    Distinct,
    DistinctValues,
    Each,
    Ipv4Cidr,
    Keys,
    Matches,
    NotContaining,
    NotIn,
    NotInIgnoringCase,
    NotMatches,
    NotStartingWith,
    OneOf,
    Rule,
    WhenSet,
    arn,
    at_most,
    each,
    keys,
    validation_blocks,
)
from platform_constructs.tf import Terraform


def as_object(value: Any) -> Any:
    """What props hand an object rule in Python: attribute access (a model), not a dict."""
    return SimpleNamespace(**value) if isinstance(value, dict) else value


def as_map_of_objects(value: Any) -> Any:
    return {k: as_object(v) for k, v in value.items()}


@dataclass(frozen=True)
class Case:
    hcl_type: str
    rule: Rule
    values: tuple[Any, ...]
    #: the Python form of a value, where props hold models rather than plain data
    python: Callable[[Any], Any] = lambda v: v


STORAGE = (
    "object({type = string, allocated_storage = number, max_allocated_storage = number, iops = number, "
    "throughput = number})"
)


def storage(**over: Any) -> dict[str, Any]:
    return {
        "type": "gp3",
        "allocated_storage": 20,
        "max_allocated_storage": 0,
        "iops": None,
        "throughput": None,
        **over,
    }


CASES: list[Case] = [
    Case(
        "string", OneOf("engine must be postgres or mysql", ("postgres", "mysql")), ("postgres", "mysql", "oracle", "")
    ),
    Case("number", OneOf("retention must be a CloudWatch value", (1, 3, 5, 7, 14, 30, 60, 90)), (7, 30, 8, 0)),
    Case("number", Between("port must be 1-65535", 1, 65535), (1, 443, 65535, 0, 65536, 80.5, -1)),
    Case(
        "string",
        Matches("name: lower-case, digits, hyphens", r"[a-z][a-z0-9-]{1,30}"),
        ("api", "a", "Api", "api_1", "x" * 32),
    ),
    Case("string", Matches("digits only", r"\d{12}"), ("123456789012", "12345678901", "١٢٣٤٥٦٧٨٩٠١٢")),
    Case(
        "string",
        Ipv4Cidr("must be an IPv4 CIDR block"),
        ("10.0.0.0/16", "10.0.0.1/16", "10.0.0.0", "300.0.0.0/8", "10.2.0.0/20", "::/0", "0.0.0.0/0"),
    ),
    Case(
        "string",
        arn("acm", r"certificate/[0-9a-f-]{36}", "must be an ACM certificate ARN"),
        (
            "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "arn:aws:acm:ap-northeast-2:123456789012:certificate/short",
            "arn:aws:s3:::bucket",
        ),
    ),
    Case("string", WhenSet("optional CIDR must be a CIDR", Ipv4Cidr("-")), (None, "10.0.0.0/8", "nope")),
    Case(
        "list(string)",
        each(Matches("every id must be subnet-...", r"subnet-[0-9a-f]{8}")),
        (
            ["subnet-0123abcd"],
            [],
            ["subnet-0123abcd", "subnet-XYZ"],
        ),
    ),
    Case("map(string)", keys(Matches("keys must be lower-case", r"[a-z]+")), ({"app": "x"}, {}, {"App": "x"})),
    Case("list(string)", Count("give 1 to 2", 1, 2), ([], ["a"], ["a", "b"], ["a", "b", "c"])),
    Case("map(string)", Count("give 1 to 2 entries", 1, 2), ({}, {"a": "1"}, {"a": "1", "b": "2", "c": "3"})),
    Case("map(string)", at_most(2, "at most 2 entries"), ({}, {"a": "1", "b": "2"}, {"a": "1", "b": "2", "c": "3"})),
    Case("list(string)", Distinct("no repeats"), (["a", "b"], [], ["a", "a"])),
    Case("map(string)", DistinctValues("no repeated values"), ({"a": "x", "b": "y"}, {"a": "x", "b": "x"})),
    Case(
        "string",
        NotIn("owned by the module", ("rds.force_ssl", "require_secure_transport")),
        (
            "max_connections",
            "rds.force_ssl",
            "require_secure_transport",
        ),
    ),
    Case("string", NotStartingWith("preset- is reserved", "preset-"), ("web", "preset-web", "xpreset-")),
    Case(
        "string",
        NotInIgnoringCase("set by the module", ("Service", "ManagedBy")),
        ("Team", "Service", "service", "MANAGEDBY", "Services", "ManagedByTeam"),
    ),
    Case(
        "string",
        NotMatches("no admin policy", r"arn:aws:iam::aws:policy/AdministratorAccess"),
        (
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess2",
        ),
    ),
    Case("string", NotContaining("no wildcard actions", r"\*"), ("s3:GetObject", "s3:*", "*")),
    Case(
        "string",
        PolicyJson("a policy document"),
        (
            json.dumps({"Version": "2012-10-17", "Statement": []}),
            json.dumps({"Version": "2012-10-17"}),
            "not json",
            "[]",
        ),
    ),
    Case(
        "list(string)",
        HealthCommand("a health command"),
        (
            ["CMD", "curl", "-f", "http://localhost/"],
            ["CMD-SHELL", "curl -f localhost"],
            ["curl", "-f"],
            ["CMD"],
            ["CMD", ""],
        ),
    ),
    Case(
        "map(object({port = number}))",
        EveryEntry("every port positive", check=lambda o: o.port > 0, hcl="{o}.port > 0"),
        ({"a": {"port": 80}}, {}, {"a": {"port": 80}, "b": {"port": 0}}),
        python=as_map_of_objects,
    ),
    Case(
        STORAGE,
        AutoscalingCeiling("ceiling at least the allocation"),
        (storage(), storage(max_allocated_storage=100), storage(max_allocated_storage=10)),
        python=as_object,
    ),
    Case(
        STORAGE,
        ProvisionedIops("iops for io1/io2; gp3 from 400 GiB"),
        (
            storage(),
            storage(type="io1", iops=3000),
            storage(type="io1"),
            storage(type="io2", iops=3000, throughput=125),
            storage(iops=3000),
            storage(allocated_storage=400, iops=12000, throughput=500),
        ),
        python=as_object,
    ),
    Case(
        "string",
        Ipv6Cidr("must be an IPv6 network as Terraform writes it"),
        (
            "fd00::/8",
            "2001:db8::/32",
            "::/0",
            "FD00::/8",  # Terraform writes lower case
            "fd00::1/8",  # host bits
            "fd00:0::/32",  # not compressed
            "::ffff:a00:0/104",  # IPv4-mapped: Terraform prints it as IPv4
            "::ffff:10.0.0.0/104",
            "10.0.0.0/8",
            "fd00::",
            "nope",
        ),
    ),
    Case(
        "string",
        PublicRange("a public range at most /16 or /32 wide"),
        (
            "203.0.113.0/24",
            "198.51.0.0/16",
            "2001:db8::/32",
            "2001:db8:1234::/48",
            "8.0.0.0/8",  # too wide
            "2001::/16",
            "203.0.113.1/24",  # host bits
            "::ffff:cb00:7100/120",
            "203.0.113.0",
            "",
        ),
    ),
]


def expand() -> list[tuple[str, Case, Any]]:
    return [(f"v{i}_{j}", case, value) for i, case in enumerate(CASES) for j, value in enumerate(case.values)]


def rule_kinds() -> set[type[Rule]]:
    """Every Rule subclass the library defines: shared ones and each catalog module's own."""
    for target in MODULES.values():
        importlib.import_module(target.partition(":")[0])
    found: set[type[Rule]] = set()
    todo = [Rule]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("platform_constructs") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def test_every_rule_kind_has_cases() -> None:
    covered = {type(c.rule) for c in CASES}
    assert rule_kinds() - covered == set(), "rules without cases here: " + ", ".join(
        sorted(k.__name__ for k in rule_kinds() - covered)
    )
    for case in CASES:  # each kind is seen both passing and failing
        verdicts = {case.rule.holds(case.python(v)) for v in case.values}
        assert verdicts == {True, False}, (case.rule, verdicts)


def test_patterns_outside_re2_are_refused() -> None:
    with pytest.raises(ValueError, match="RE2"):
        Matches("x", r"(?!admin)[a-z]+")
    with pytest.raises(ValueError, match="RE2"):
        NotContaining("x", r"(?<=a)b")


def test_python_side() -> None:
    assert [v for v in CASES[2].values if CASES[2].rule.holds(v)] == [1, 443, 65535]
    assert [v for v in CASES[5].values if CASES[5].rule.holds(v)] == ["10.0.0.0/16", "10.2.0.0/20", "0.0.0.0/0"]
    assert not CASES[4].rule.holds("١٢٣٤٥٦٧٨٩٠١٢"), "Unicode digits must not pass (RE2 \\d is ASCII)"
    assert isinstance(CASES[8].rule, Each) and isinstance(CASES[9].rule, Keys)


def test_terraform_rejects_exactly_what_python_rejects(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    cases = expand()
    blocks = []
    for name, case, value in cases:
        blocks.append(
            f'variable "{name}" {{\n  type    = {case.hcl_type}\n  default = {expression(value, literal=True)}\n'
            f"{validation_blocks(f'var.{name}', (case.rule,))}}}\n"
        )
    (tmp_path / "main.tf").write_text("\n".join(blocks))
    tf = terraform(tmp_path)
    tf.init(backend=False)
    result = tf.plan(check=False)
    rejected_by_terraform = set(re.findall(r'variable "(v\d+_\d+)"', result.stderr))
    rejected_by_python = {name for name, case, value in cases if not case.rule.holds(case.python(value))}
    assert rejected_by_python, "the cases must include failures"
    assert rejected_by_terraform == rejected_by_python, result.stderr[-3000:]
    for name, case, _value in cases:
        if name in rejected_by_python:
            assert case.rule.message in result.stderr
