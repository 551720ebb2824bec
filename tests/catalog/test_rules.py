"""Validation rules agree in Python and in Terraform: the same values pass and fail in both.

The Terraform side is real: a configuration with one variable per (rule, value), each carrying the
rule's ``validation`` block and the value as its default, is planned by the Terraform engine, and the
variables Terraform rejects must be exactly those Python rejects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.rules import Between, Ipv4Cidr, Matches, OneOf, Rule, WhenSet, arn, validation_blocks
from platform_constructs.tf import Terraform
from platform_tools.service_files.templating import hcl_value

CASES: list[tuple[str, Rule, list[Any]]] = [
    ("string", OneOf("engine must be postgres or mysql", ("postgres", "mysql")), ["postgres", "mysql", "oracle", ""]),
    ("number", OneOf("retention must be a CloudWatch value", (1, 3, 5, 7, 14, 30, 60, 90)), [7, 30, 8, 0]),
    ("number", Between("port must be 1-65535", 1, 65535), [1, 443, 65535, 0, 65536, 80.5, -1]),
    (
        "string",
        Matches("name: lower-case, digits, hyphens", r"[a-z][a-z0-9-]{1,30}"),
        ["api", "a", "Api", "api_1", "x" * 32],
    ),
    ("string", Matches("digits only", r"\d{12}"), ["123456789012", "12345678901", "١٢٣٤٥٦٧٨٩٠١٢"]),
    (
        "string",
        Ipv4Cidr("must be an IPv4 CIDR block"),
        ["10.0.0.0/16", "10.0.0.1/16", "10.0.0.0", "300.0.0.0/8", "10.2.0.0/20", "::/0", "0.0.0.0/0"],
    ),
    (
        "string",
        arn("acm", r"certificate/[0-9a-f-]{36}", "must be an ACM certificate ARN"),
        [
            "arn:aws:acm:ap-northeast-2:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "arn:aws:acm:ap-northeast-2:123456789012:certificate/short",
            "arn:aws:s3:::bucket",
        ],
    ),
    ("string", WhenSet("optional CIDR must be a CIDR", Ipv4Cidr("-")), [None, "10.0.0.0/8", "nope"]),
]


def expand() -> list[tuple[str, str, Rule, Any]]:
    out = []
    for i, (hcl_type, rule, values) in enumerate(CASES):
        out += [(f"v{i}_{j}", hcl_type, rule, value) for j, value in enumerate(values)]
    return out


def test_patterns_outside_re2_are_refused() -> None:
    with pytest.raises(ValueError, match="RE2"):
        Matches("x", r"(?!admin)[a-z]+")


def test_python_side() -> None:
    assert [v for v in CASES[2][2] if CASES[2][1].holds(v)] == [1, 443, 65535]
    assert [v for v in CASES[5][2] if CASES[5][1].holds(v)] == ["10.0.0.0/16", "10.2.0.0/20", "0.0.0.0/0"]
    assert not CASES[4][1].holds("١٢٣٤٥٦٧٨٩٠١٢"), "Unicode digits must not pass (RE2 \\d is ASCII)"


@pytest.mark.terraform
def test_terraform_rejects_exactly_what_python_rejects(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    cases = expand()
    blocks = []
    for name, hcl_type, rule, value in cases:
        default = "null" if value is None else hcl_value(value)
        blocks.append(
            f'variable "{name}" {{\n  type    = {hcl_type}\n  default = {default}\n'
            f"{validation_blocks(f'var.{name}', (rule,))}}}\n"
        )
    (tmp_path / "main.tf").write_text("\n".join(blocks))
    tf = terraform(tmp_path)
    tf.init(backend=False)
    result = tf.plan(check=False)
    rejected_by_terraform = set(re.findall(r'variable "(v\d+_\d+)"', result.stderr))
    rejected_by_python = {name for name, _, rule, value in cases if not rule.holds(value)}
    assert rejected_by_python, "the cases must include failures"
    assert rejected_by_terraform == rejected_by_python, result.stderr[-3000:]
    for name, _, rule, _value in cases:
        if name in rejected_by_python:
            assert rule.message in result.stderr
