"""The sg module: equivalence of its three forms, every validation and precondition, Python and Terraform."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.sg import SecurityGroup, SecurityGroupProps
from platform_constructs.tf import Terraform
from support.catalog import (
    assert_all_equivalent,
    check_each_sample,
)
from support.catalog_cases.sg import VALID

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
    # what the arithmetic admits: private space in both families, and public ranges inside the allowlist
    "admitted": SecurityGroupProps.create(
        **{**VALID, "preset": "vpc_endpoint", "preset_source_cidr": "100.64.0.0/16"},
        allowed_public_cidrs=["203.0.113.0/24", "2001:db8:1234::/48"],
        ingress_rules={
            "office": {"description": "office", "from_port": 22, "to_port": 22, "cidr_ipv4": "203.0.113.128/25"},
            "vendor": {
                "description": "webhooks",
                "from_port": 443,
                "to_port": 443,
                "cidr_ipv6": "2001:db8:1234:5::/64",
            },
            "vpc6": {"description": "VPC", "from_port": 8080, "to_port": 8080, "cidr_ipv6": "fd00:10::/32"},
            "peered": {"description": "peer VPC", "from_port": 8080, "to_port": 8080, "cidr_ipv4": "172.20.0.0/16"},
        },
    ),
}


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims."""
    check_each_sample(assert_all_equivalent(SecurityGroup, SAMPLES, terraform, tmp_path), check_sample)


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    rules = [a for a in changes if "_rule." in a]
    expected = {"alb": 3, "rds": 1, "custom": 2, "admitted": 5}[sample]
    assert len(rules) == expected, rules
    if sample == "rds":
        assert not any("egress" in a for a in changes)
