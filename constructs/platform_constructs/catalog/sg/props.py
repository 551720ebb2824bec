"""Props of the sg module: the group's variables, rule presets, their validation blocks and cross-field rules."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    CommonProps,
    RuleKey,
    SecurityGroupIdRule,
    Segment,
    VpcId,
)
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.catalog.sg.rules import Ipv6Cidr, PublicRange, admitted, admitted_hcl
from platform_constructs.naming import Kind
from platform_constructs.rules import Between, Ipv4Cidr, Matches, NotStartingWith, OneOf, each, keys, when_set

ANYWHERE = ("0.0.0.0/0", "::/0")

#: the precondition over every ingress rule's CIDRs (see sg/rules.py for the arithmetic)
_ADMITTED_RULES = (
    "alltrue([for k, r in {ingress_rules} : "
    f"(r.cidr_ipv4 == null ? true : {admitted_hcl('r.cidr_ipv4', '{allowed_public_cidrs}', 4)}) && "
    f"(r.cidr_ipv6 == null ? true : {admitted_hcl('r.cidr_ipv6', '{allowed_public_cidrs}', 6)})])"
)


class SgRule(ModuleProps):
    description: Annotated[str, Matches("Every rule needs a description (1-255 characters).", r"[^\n]{1,255}")] = Field(
        description="Why the rule exists; shown in the console and required by policy."
    )
    ip_protocol: Annotated[
        str, OneOf("The protocol must be tcp, udp, icmp or -1 (all).", ("tcp", "udp", "icmp", "-1"))
    ] = Field("tcp", description="tcp, udp, icmp or -1 for all protocols.")
    from_port: Annotated[int | None, when_set(Between("Ports must be whole numbers from 0 to 65535.", 0, 65535))] = (
        Field(None, description="First port (null for protocol -1).")
    )
    to_port: Annotated[int | None, when_set(Between("Ports must be whole numbers from 0 to 65535.", 0, 65535))] = Field(
        None, description="Last port (null for protocol -1)."
    )
    cidr_ipv4: Annotated[
        str | None, when_set(Ipv4Cidr("The cidr_ipv4 must be an IPv4 network such as 10.0.0.0/16."))
    ] = Field(None, description="IPv4 peer network.")
    cidr_ipv6: Annotated[
        str | None,
        when_set(Ipv6Cidr("The cidr_ipv6 must be an IPv6 network as Terraform writes it, such as fd00::/8.")),
    ] = Field(None, description="IPv6 peer network.")
    referenced_security_group_id: Annotated[str | None, when_set(SecurityGroupIdRule)] = Field(
        None, description="Peer security group."
    )
    prefix_list_id: Annotated[
        str | None, when_set(Matches("Must be a prefix list id (pl-...).", r"pl-[0-9a-f]{8,17}"))
    ] = Field(None, description="Peer managed prefix list.")


def _one_peer(rules: dict[str, SgRule]) -> bool:
    return all(
        sum(v is not None for v in (r.cidr_ipv4, r.cidr_ipv6, r.referenced_security_group_id, r.prefix_list_id)) == 1
        for r in rules.values()
    )


class SecurityGroupProps(CommonProps):
    name: Annotated[str, Segment] = Field(
        description="Name segment of the group: the group is named {environment}-{service_name}-{name}-sg."
    )
    vpc_id: Annotated[str, VpcId] = Field(description="VPC the group belongs to.")
    description: Annotated[
        str, Matches("The description must be 1-255 printable ASCII characters.", r"[ -~]{1,255}")
    ] = Field("Managed by Terraform", description="Group description (changing it replaces the group).")
    preset: Annotated[
        str,
        OneOf(
            "The preset must be one of alb, ecs, rds, vpc_endpoint, custom.",
            ("alb", "ecs", "rds", "vpc_endpoint", "custom"),
        ),
    ] = Field(
        "custom",
        description=(
            "Built-in rules: alb = ingress 80/443 from anywhere; ecs = ingress on preset_port from "
            "preset_source_security_group_id, egress 443 to anywhere; rds = ingress on preset_port from "
            "preset_source_security_group_id and no egress at all; vpc_endpoint = ingress 443 from "
            "preset_source_cidr; custom = none."
        ),
    )
    preset_port: Annotated[
        int | None, when_set(Between("The preset_port must be a port from 1 to 65535.", 1, 65535))
    ] = Field(None, description="Port the ecs (container port) and rds (database port) presets open.")
    preset_source_security_group_id: Annotated[str | None, when_set(SecurityGroupIdRule)] = Field(
        None, description="The only source the ecs (the ALB's group) and rds (the service's group) presets admit."
    )
    preset_source_cidr: Annotated[
        str | None, when_set(Ipv4Cidr("The preset_source_cidr must be an IPv4 network such as 10.0.0.0/16."))
    ] = Field(None, description="Network the vpc_endpoint preset admits on 443 (usually the VPC CIDR).")
    ingress_rules: Annotated[
        dict[str, SgRule],
        keys(RuleKey),
        keys(NotStartingWith("Rule keys starting with preset- are reserved for the preset's rules.", "preset-")),
    ] = Field(
        default_factory=dict,
        description=(
            "Extra ingress rules by stable key. Each CIDR must lie inside private address space or "
            "allowed_public_cidrs (0.0.0.0/0, ::/0 and every other public range are refused)."
        ),
    )
    allowed_public_cidrs: Annotated[
        tuple[str, ...],
        each(
            PublicRange(
                "Each allowed public CIDR must be a network address at most /16 (IPv4) or /32 (IPv6) wide, "
                "such as 203.0.113.0/24."
            )
        ),
    ] = Field(
        (),
        description=(
            "Public ranges ingress_rules and preset_source_cidr may admit: the service's entries of platform.yaml's "
            "guardrails.network.public_cidrs (the policy check refuses any other public range)."
        ),
    )
    egress_rules: Annotated[dict[str, SgRule], keys(RuleKey)] = Field(
        default_factory=dict, description="Extra egress rules by stable key."
    )

    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {
        "sg_name": ("{environment}-{service_name}-{name}-sg", Kind.SECURITY_GROUP)
    }
    # Preconditions sit on the rule resources, never on the group: a group that depended on its rules'
    # peers would form a cycle whenever two groups reference each other (ALB egress -> tasks, tasks
    # ingress <- ALB), which is the standard chain.
    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            ("ingress_rules", "allowed_public_cidrs"),
            lambda p: all(
                (r.cidr_ipv4 is None or admitted(r.cidr_ipv4, p.allowed_public_cidrs))
                and (r.cidr_ipv6 is None or admitted(r.cidr_ipv6, p.allowed_public_cidrs))
                for r in p.ingress_rules.values()
            ),
            _ADMITTED_RULES,
            "Ingress CIDRs must lie inside private address space or allowed_public_cidrs: only the alb preset "
            "opens 80/443 to the internet.",
            "ingress",
        ),
        CrossCheck(
            ("preset", "preset_source_cidr", "allowed_public_cidrs"),
            lambda p: (
                p.preset != "vpc_endpoint"
                or p.preset_source_cidr is None
                or admitted(p.preset_source_cidr, p.allowed_public_cidrs)
            ),
            '{preset} != "vpc_endpoint" || {preset_source_cidr} == null || '
            + admitted_hcl("{preset_source_cidr}", "{allowed_public_cidrs}", 4),
            "The preset_source_cidr must lie inside private address space or allowed_public_cidrs.",
            "ingress",
        ),
        CrossCheck(
            ("ingress_rules",),
            lambda p: _one_peer(p.ingress_rules),
            "alltrue([for k, r in {ingress_rules} : length(compact([r.cidr_ipv4, r.cidr_ipv6, "
            "r.referenced_security_group_id, r.prefix_list_id])) == 1])",
            "Every rule needs exactly one peer: cidr_ipv4, cidr_ipv6, referenced_security_group_id or prefix_list_id.",
            "ingress",
        ),
        CrossCheck(
            ("egress_rules",),
            lambda p: _one_peer(p.egress_rules),
            "alltrue([for k, r in {egress_rules} : length(compact([r.cidr_ipv4, r.cidr_ipv6, "
            "r.referenced_security_group_id, r.prefix_list_id])) == 1])",
            "Every rule needs exactly one peer: cidr_ipv4, cidr_ipv6, referenced_security_group_id or prefix_list_id.",
            "egress",
        ),
        CrossCheck(
            ("preset", "preset_port", "preset_source_security_group_id"),
            lambda p: (
                p.preset not in ("ecs", "rds")
                or (p.preset_port is not None and p.preset_source_security_group_id is not None)
            ),
            '!contains(["ecs", "rds"], {preset}) || '
            "({preset_port} != null && {preset_source_security_group_id} != null)",
            "The ecs and rds presets need preset_port and preset_source_security_group_id.",
            "ingress",
        ),
        CrossCheck(
            ("preset", "preset_source_cidr"),
            lambda p: p.preset != "vpc_endpoint" or p.preset_source_cidr is not None,
            '{preset} != "vpc_endpoint" || {preset_source_cidr} != null',
            "The vpc_endpoint preset needs preset_source_cidr (usually the VPC CIDR).",
            "ingress",
        ),
        CrossCheck(
            ("preset", "egress_rules"),
            lambda p: p.preset != "rds" or not p.egress_rules,
            '{preset} != "rds" || length({egress_rules}) == 0',
            "The rds preset allows no egress: a database never opens connections; remove egress_rules.",
            "egress",
        ),
    )
