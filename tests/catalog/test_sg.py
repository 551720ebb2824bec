"""The sg module: equivalence of its three forms, every validation and precondition, Python and Terraform."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.sg import SecurityGroup, SecurityGroupProps
from platform_constructs.tf import Terraform
from support.catalog import (
    Bad,
    Case,
    Cross,
    assert_all_equivalent,
    assert_rejected_by_python,
    assert_rejected_by_terraform,
    check_each_sample,
)

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "name": "app",
    "vpc_id": "vpc-0123456789abcdef0",
    "preset": "ecs",
    "preset_port": 8080,
    "preset_source_security_group_id": "sg-0123456789abcdef0",
}

BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("name", "app_1", "Must be lower-case letters and digits"),
    Bad("vpc_id", "vpc-xyz", "Must be a VPC id"),
    Bad("preset", "web", "The preset must be one of"),
    Bad("preset_port", 70000, "The preset_port must be a port"),
    Bad("preset_source_security_group_id", "sg-1", "Must be a security group id"),
    Bad("preset_source_cidr", "10.0.0.1/16", "must be an IPv4 network"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("ingress_rules", {"Bad Key": {"description": "x", "cidr_ipv4": "10.0.0.0/8"}}, "Keys must be 1-64"),
    Bad("ingress_rules", {"preset-x": {"description": "x", "cidr_ipv4": "10.0.0.0/8"}}, "reserved for the preset"),
    Bad("ingress_rules", {"a": {"description": "", "cidr_ipv4": "10.0.0.0/8"}}, "Every rule needs a description"),
    Bad(
        "egress_rules",
        {"a": {"description": "x", "ip_protocol": "gre", "cidr_ipv4": "10.0.0.0/8"}},
        "The protocol must be",
    ),
    Bad(
        "egress_rules",
        {"a": {"description": "x", "from_port": -1, "to_port": 1, "cidr_ipv4": "10.0.0.0/8"}},
        "Ports must be whole numbers",
    ),
    Bad("description", "ünïcode", "The description must be 1-255 printable ASCII"),
]
# Preconditions: several inputs together (Terraform checks them at plan time, Python at props time).
CROSS = [
    Cross(
        {"ingress_rules": {"web": {"description": "open", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"}}},
        "Ingress from 0.0.0.0/0 or ::/0 is refused",
    ),
    Cross(
        {
            "egress_rules": {
                "a": {"description": "two peers", "cidr_ipv4": "10.0.0.0/8", "prefix_list_id": "pl-12345678"}
            }
        },
        "exactly one peer",
    ),
    Cross({"preset_port": None}, "The ecs and rds presets need preset_port"),
    Cross({"preset": "vpc_endpoint", "preset_source_cidr": None}, "The vpc_endpoint preset needs preset_source_cidr"),
    Cross(
        {
            "preset": "rds",
            "preset_port": 5432,
            "egress_rules": {"a": {"description": "out", "cidr_ipv4": "10.0.0.0/8"}},
        },
        "The rds preset allows no egress",
    ),
]
LONG_NAME = {"service_name": "a" * 250}

SAMPLES = {
    "alb": SecurityGroupProps.create(
        **{**VALID, "preset": "alb", "preset_port": None, "preset_source_security_group_id": None},
        egress_rules={
            "to-app": {
                "description": "to tasks",
                "from_port": 8080,
                "to_port": 8080,
                "referenced_security_group_id": "sg-0123456789abcdef0",
            }
        },
    ),
    "rds": SecurityGroupProps.create(**{**VALID, "preset": "rds", "preset_port": 5432}, tags={"Team": "storage"}),
    "custom": SecurityGroupProps.create(
        **{**VALID, "preset": "custom"},
        ingress_rules={"vpn": {"description": "VPN", "ip_protocol": "-1", "cidr_ipv4": "10.8.0.0/16"}},
        egress_rules={"all-vpc": {"description": "VPC", "ip_protocol": "-1", "cidr_ipv4": "10.0.0.0/16"}},
    ),
}


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims."""
    check_each_sample(assert_all_equivalent(SecurityGroup, SAMPLES, terraform, tmp_path), check_sample)


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    rules = [a for a in changes if "_rule." in a]
    expected = {"alb": 3, "rds": 1, "custom": 2}[sample]
    assert len(rules) == expected, rules
    if sample == "rds":
        assert not any("egress" in a for a in changes)


@pytest.mark.terraform
def test_terraform_rejects_each_bad_value_and_combination(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    cases: list[Case] = [*BAD, *CROSS, Cross(LONG_NAME, "The security group name must be 1-255 characters")]
    assert_rejected_by_terraform(SecurityGroup, VALID, cases, terraform, tmp_path)


def test_python_rejects_the_same_values_and_combinations() -> None:
    assert_rejected_by_python(
        SecurityGroupProps, VALID, [*BAD, *CROSS, Cross(LONG_NAME, "security group name is 261 characters")]
    )
