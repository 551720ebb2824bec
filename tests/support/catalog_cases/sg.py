"""Cases of the sg module: valid inputs, one failing value per validation block, one failing combination
per precondition (tests/catalog/test_validation_coverage.py proves the coverage)."""

from __future__ import annotations

from typing import Any

from support.catalog import Bad, Cross
from support.catalog_cases import reserved_tag_cases

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "name": "app",
    "vpc_id": "vpc-0123456789abcdef0",
    "preset": "ecs",
    "preset_port": 8080,
    "preset_source_security_group_id": "sg-0123456789abcdef0",
}

NET = "10.0.0.0/8"


def rule(**fields: Any) -> dict[str, dict[str, Any]]:
    """One rule keyed ``a``: a description and a CIDR peer, with ``fields`` changed."""
    return {"a": {"description": "x", "cidr_ipv4": NET, **fields}}


BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("service_name", "file_flow", "Must be lower-case letters and digits"),
    Bad("name", "app_1", "Must be lower-case letters and digits"),
    Bad("vpc_id", "vpc-xyz", "Must be a VPC id"),
    Bad("preset", "web", "The preset must be one of"),
    Bad("preset_port", 70000, "The preset_port must be a port"),
    Bad("preset_source_security_group_id", "sg-1", "Must be a security group id"),
    Bad("preset_source_cidr", "10.0.0.1/16", "must be an IPv4 network"),
    Bad("tags", {"Team!": "a"}, "Tag keys must be"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("ingress_rules", {"Bad Key": rule()["a"]}, "Keys must be 1-64"),
    Bad("ingress_rules", {"preset-x": rule()["a"]}, "reserved for the preset"),
    Bad("ingress_rules", rule(description=""), "description: Every rule needs a description"),
    Bad("ingress_rules", rule(ip_protocol="gre"), "ip_protocol: The protocol must be"),
    Bad("ingress_rules", rule(from_port=-1, to_port=1), "from_port: Ports must be whole numbers"),
    Bad("ingress_rules", rule(from_port=1, to_port=65536), "to_port: Ports must be whole numbers"),
    Bad("ingress_rules", rule(cidr_ipv4="10.0.0.1/8"), "cidr_ipv4: The cidr_ipv4 must be an IPv4 network"),
    Bad(
        "ingress_rules", rule(cidr_ipv4=None, cidr_ipv6="FD00::/8"), "cidr_ipv6: The cidr_ipv6 must be an IPv6 network"
    ),
    Bad(
        "ingress_rules",
        rule(cidr_ipv4=None, referenced_security_group_id="sg-1"),
        "referenced_security_group_id: Must be a security group id",
    ),
    Bad("ingress_rules", rule(cidr_ipv4=None, prefix_list_id="pl-"), "prefix_list_id: Must be a prefix list id"),
    Bad("egress_rules", {"Bad Key": rule()["a"]}, "Keys must be 1-64"),
    Bad("egress_rules", rule(description=""), "description: Every rule needs a description"),
    Bad("egress_rules", rule(ip_protocol="gre"), "ip_protocol: The protocol must be"),
    Bad("egress_rules", rule(from_port=-1, to_port=1), "from_port: Ports must be whole numbers"),
    Bad("egress_rules", rule(from_port=1, to_port=65536), "to_port: Ports must be whole numbers"),
    Bad("egress_rules", rule(cidr_ipv4="10.0.0.1/8"), "cidr_ipv4: The cidr_ipv4 must be an IPv4 network"),
    Bad(
        "egress_rules", rule(cidr_ipv4=None, cidr_ipv6="fd00::1/8"), "cidr_ipv6: The cidr_ipv6 must be an IPv6 network"
    ),
    Bad("allowed_public_cidrs", ["8.0.0.0/8"], "Each allowed public CIDR must be a network address at most /16"),
    Bad(
        "egress_rules",
        rule(cidr_ipv4=None, referenced_security_group_id="sg-1"),
        "referenced_security_group_id: Must be a security group id",
    ),
    Bad("egress_rules", rule(cidr_ipv4=None, prefix_list_id="pl-"), "prefix_list_id: Must be a prefix list id"),
    Bad("description", "ünïcode", "The description must be 1-255 printable ASCII"),
    *reserved_tag_cases(),
]
# Preconditions: several inputs together (Terraform checks them at plan time, Python at props time).
OPEN = "Ingress CIDRs must lie inside private address space or allowed_public_cidrs"


def ssh_from(**peer: Any) -> dict[str, Any]:
    """ingress_rules with SSH from ``peer`` (cidr_ipv4= or cidr_ipv6=)."""
    return {"ingress_rules": {"ssh": {"description": "admin", "from_port": 22, "to_port": 22, **peer}}}


CROSS = [
    # the internet, whole or in parts, and public ranges of any size: address arithmetic, not string matching
    Cross(ssh_from(cidr_ipv4="0.0.0.0/0"), OPEN),
    Cross(ssh_from(cidr_ipv4="0.0.0.0/1"), OPEN),
    Cross(ssh_from(cidr_ipv4="128.0.0.0/1"), OPEN),
    Cross(ssh_from(cidr_ipv4="8.0.0.0/8"), OPEN),
    Cross(ssh_from(cidr_ipv4="10.0.0.0/7"), OPEN),  # wider than 10/8
    Cross(ssh_from(cidr_ipv4="172.32.0.0/16"), OPEN),  # next to 172.16/12
    Cross(ssh_from(cidr_ipv6="::/0"), OPEN),
    Cross(ssh_from(cidr_ipv6="2000::/3"), OPEN),
    Cross(ssh_from(cidr_ipv6="fc00::/6"), OPEN),
    # an allowlisted range admits what lies inside it, not what is wider
    Cross({**ssh_from(cidr_ipv4="203.0.112.0/23"), "allowed_public_cidrs": ["203.0.113.0/24"]}, OPEN),
    Cross({**ssh_from(cidr_ipv4="8.8.8.0/24"), "allowed_public_cidrs": ["2001:db8::/32"]}, OPEN),
    Cross(
        {"preset": "vpc_endpoint", "preset_source_cidr": "8.8.0.0/16"},
        "The preset_source_cidr must lie inside private address space or allowed_public_cidrs",
    ),
    Cross({"egress_rules": rule(prefix_list_id="pl-12345678")}, "exactly one peer"),
    Cross({"ingress_rules": rule(referenced_security_group_id="sg-0123456789abcdef0")}, "exactly one peer"),
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
#: names built from the inputs that break an AWS limit: (inputs, Terraform's precondition message, Python's)
NAME_CASES: list[tuple[dict[str, Any], str, str]] = [
    (LONG_NAME, "The security group name must be 1-255 characters", "security group name is 261 characters")
]
