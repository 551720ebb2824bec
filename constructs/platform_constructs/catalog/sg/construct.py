"""Security group with presets for the ALB → ECS → RDS chain and VPC endpoints.

Why per-rule resources: inline ``ingress``/``egress`` blocks and the legacy ``aws_security_group_rule``
fight each other and replace whole rule sets on any change; ``aws_vpc_security_group_{ingress,egress}_rule``
gives each rule its own address (the map key), its own tags and its own description. Why maps and not
lists: a list index is an address, so removing the first rule would recreate all the others.
"""

from __future__ import annotations

from typing import Any

from platform_constructs.catalog.construct import CatalogConstruct
from platform_constructs.catalog.sg.props import ANYWHERE, SecurityGroupProps


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
        "No ingress from public address space except the `alb` preset's ports 80 and 443: every CIDR of "
        "`ingress_rules` and `preset_source_cidr` must lie inside private space (RFC 1918, RFC 6598, IPv6 ULA, "
        "loopback, link-local) or inside `allowed_public_cidrs`, by address arithmetic, so `0.0.0.0/1` or "
        "`8.0.0.0/8` are refused like `0.0.0.0/0` (a precondition stops the plan).",
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
