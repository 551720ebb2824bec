"""Security group with presets for the ALB → ECS → RDS chain and VPC endpoints.

Why per-rule resources: inline ``ingress``/``egress`` blocks and the legacy ``aws_security_group_rule``
fight each other and replace whole rule sets on any change; ``aws_vpc_security_group_{ingress,egress}_rule``
gives each rule its own address (the map key), its own tags and its own description. Why maps and not
lists: a list index is an address, so removing the first rule would recreate all the others.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    CommonProps,
    RuleKey,
    SecurityGroupIdRule,
    Segment,
    VpcId,
)
from platform_constructs.catalog.construct import CatalogConstruct
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.naming import Kind
from platform_constructs.rules import Between, Ipv4Cidr, Matches, NotStartingWith, OneOf, keys, when_set

ANYWHERE = ("0.0.0.0/0", "::/0")


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
    cidr_ipv6: str | None = Field(None, description="IPv6 peer network.")
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
    ] = Field(default_factory=dict, description="Extra ingress rules by stable key. 0.0.0.0/0 and ::/0 are refused.")
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
            ("ingress_rules",),
            lambda p: all(
                r.cidr_ipv4 not in ANYWHERE and r.cidr_ipv6 not in ANYWHERE for r in p.ingress_rules.values()
            ),
            'alltrue([for k, r in {ingress_rules} : !contains(["0.0.0.0/0"], coalesce(r.cidr_ipv4, "-")) && '
            '!contains(["::/0"], coalesce(r.cidr_ipv6, "-"))])',
            "Ingress from 0.0.0.0/0 or ::/0 is refused: only the alb preset opens 80/443 to the internet.",
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


class SecurityGroup(CatalogConstruct):
    """A security group whose every rule is its own resource with a description.

    Presets encode the platform's standard chain: the ALB is the only thing open to the internet (80/443),
    ECS tasks accept traffic only from the ALB's group, databases only from the service's group and send
    nothing. Anything else goes in `ingress_rules` / `egress_rules`, keyed by a stable name so adding or
    removing one rule never touches the others.
    """

    NAME = "sg"
    SUMMARY = "Security group with per-rule resources and presets for ALB, ECS, RDS and VPC endpoints."
    PROPS = SecurityGroupProps
    SECURITY_NOTES = (
        "No ingress from `0.0.0.0/0` or `::/0` except the `alb` preset's ports 80 and 443 "
        "(a precondition stops the plan).",
        "Every rule has a description; every rule is tagged.",
        "The `rds` preset has no egress rule at all and refuses `egress_rules`.",
        "The `ecs` preset's egress is TCP 443 only (AWS APIs, external HTTPS), not all traffic.",
    )

    def build(self) -> None:
        name = self.name_local("sg_name")
        sg = self.resource(
            "aws_security_group",
            "this",
            {
                "name": name,
                "description": self.x("var.description"),
                "vpc_id": self.x("var.vpc_id"),
                "revoke_rules_on_delete": True,
                "tags": self.tags(name),
            },
        )
        self.named("this", "sg_name")
        self.skip_check(
            "this",
            "CKV2_AWS_5",
            "a group module cannot attach its group: callers pass security_group_id to the ALB, ECS service or RDS "
            "modules (see the catalog's complete example, where the same check passes)",
        )

        def rule(preset: str, direction: str, description: str, port: Any, **peer: Any) -> dict[str, Any]:
            return {
                "preset": preset,
                "direction": direction,
                "description": description,
                "ip_protocol": "tcp",
                "from_port": port,
                "to_port": port,
                "cidr_ipv4": peer.get("cidr_ipv4"),
                "cidr_ipv6": None,
                "referenced_security_group_id": peer.get("sg"),
                "prefix_list_id": None,
            }

        port, source = self.x("var.preset_port"), self.x("var.preset_source_security_group_id")
        self.local(
            "preset_rules",
            {
                "preset-http": rule(
                    "alb", "ingress", "HTTP from anywhere (redirected to HTTPS)", 80, cidr_ipv4=ANYWHERE[0]
                ),
                "preset-https": rule("alb", "ingress", "HTTPS from anywhere", 443, cidr_ipv4=ANYWHERE[0]),
                "preset-app": rule("ecs", "ingress", "Application port from the load balancer", port, sg=source),
                "preset-https-out": rule(
                    "ecs", "egress", "HTTPS to AWS APIs and external services", 443, cidr_ipv4=ANYWHERE[0]
                ),
                "preset-db": rule("rds", "ingress", "Database port from the service", port, sg=source),
                "preset-endpoint": rule(
                    "vpc_endpoint",
                    "ingress",
                    "HTTPS to the VPC endpoints",
                    443,
                    cidr_ipv4=self.x("var.preset_source_cidr"),
                ),
            },
        )
        for direction in ("ingress", "egress"):
            merged = (
                "merge({ for k, r in local.preset_rules : k => r "
                f'if r.preset == var.preset && r.direction == "{direction}" }}, '
                f"{{ for k, r in var.{direction}_rules : k => "
                f'merge(r, {{ preset = "custom", direction = "{direction}" }}) }})'
            )
            self.local(f"all_{direction}_rules", self.x(merged))
            self.resource(
                f"aws_vpc_security_group_{direction}_rule",
                direction,
                {
                    "for_each": self.x(f"local.all_{direction}_rules"),
                    "security_group_id": sg.get_string_attribute("id"),
                    "description": "${each.value.description}",
                    "ip_protocol": "${each.value.ip_protocol}",
                    "from_port": '${each.value.ip_protocol == "-1" ? null : each.value.from_port}',
                    "to_port": '${each.value.ip_protocol == "-1" ? null : each.value.to_port}',
                    "cidr_ipv4": "${each.value.cidr_ipv4}",
                    "cidr_ipv6": "${each.value.cidr_ipv6}",
                    "referenced_security_group_id": "${each.value.referenced_security_group_id}",
                    "prefix_list_id": "${each.value.prefix_list_id}",
                    "tags": self.tags(f"{name}-${{each.key}}"),
                },
            )
        self.output("security_group_id", sg.get_string_attribute("id"), "ID of the security group.")
        self.output("security_group_arn", sg.get_string_attribute("arn"), "ARN of the security group.")
        self.output("security_group_name", sg.get_string_attribute("name"), "Name of the security group.")
        for direction in ("ingress", "egress"):
            rules = self.addr(f"aws_vpc_security_group_{direction}_rule", direction)
            self.output(
                f"{direction}_rule_ids",
                self.x(f"{{ for k, r in {rules} : k => r.security_group_rule_id }}"),
                f"{direction.capitalize()} rule ids by key (preset rules are prefixed preset-).",
            )
