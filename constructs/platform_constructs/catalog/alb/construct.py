"""Application Load Balancer: HTTPS only (port 80 always redirects), keyed target groups and routing rules.

Why the redirect is not an input: a listener that serves plain HTTP is the one mistake every scanner
flags and every service team eventually makes by copy-paste; the module owns port 80 and only ever
answers it with a 301 to HTTPS. Why maps keyed by stable names for target groups and rules: a list
index is an address, so removing the first target group would recreate the others and everything that
points at them (listener rules, ECS services). Why fixed target group names and not ``name_prefix``:
the name is what operators search for in the console and in CloudWatch, and a precondition proves it
fits the 32-character limit at plan time instead of truncating it into a collision.

Why ``web_acl`` is an object (``{ arn = ... }``) and ``additional_certificate_arns`` a map: callers pass
ARNs of resources created in the same apply (``aws_wafv2_web_acl.main.arn``, ``aws_acm_certificate.x.arn``),
unknown at plan time. ``count``/``for_each`` must not depend on such values: ``var.web_acl_arn == null`` and
``toset(var.arns)`` are unknown then and stop the plan. An object literal is known to be non-null even when its
``arn`` is computed, and map keys are the caller's stable names, so both decide the structure at plan time.
The certificate needs no wrapper: ``create_certificate`` (a plain bool) decides what is created, and
``certificate_arn`` is only read as a value, so ``aws_acm_certificate.x.arn`` plans; the "exactly one
certificate" precondition then waits for apply, when the ARN is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    SEGMENT,
    CommonProps,
    RuleKey,
    SecurityGroupIds,
    Segment,
    SubnetIds,
    VpcId,
    at_least,
)
from platform_constructs.catalog.construct import CatalogConstruct
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.naming import Kind
from platform_constructs.rules import Between, Count, Distinct, Matches, OneOf, Rule, arn, each, keys, when_set


@dataclass(frozen=True)
class Entries(Rule):
    """A map with ``low`` to ``high`` entries (rules.Count only accepts lists in Python)."""

    low: int
    high: int

    def holds(self, value: Any) -> bool:
        return isinstance(value, dict) and self.low <= len(value) <= self.high

    def condition(self, ref: str) -> str:
        return f"length({ref}) >= {self.low} && length({ref}) <= {self.high}"


#: ELB security policies that negotiate TLS 1.2 or newer only (TLS 1.0/1.1 policies are refused).
SSL_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
)

AcmArn = arn(
    "acm",
    r"certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "Must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>).",
)
Domain = Matches(
    "Domain names must be lower-case DNS names such as api.example.com (a leading *. wildcard is allowed).",
    r"(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
)
#: target group keys end the target group's name, so they follow the name segment rule (no '_')
TargetGroupKey = Matches(
    "Target group keys must be lower-case letters and digits, starting with a letter, with single inner hyphens "
    "(they end the target group name).",
    SEGMENT,
)
PORT = r"[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]"
# ALB path-pattern and host-header characters (AWS ELBv2 API reference, RuleCondition)
PathPattern = Matches(
    "Path patterns must be 1-128 characters of A-Z a-z 0-9 and _-.$/~\"'@:+&*? (case-sensitive).",
    r"[A-Za-z0-9_.$/~\"'@:+&*?-]{1,128}",
)
HostHeader = Matches(
    "Host headers must be 1-128 characters of letters, digits, '-', '.', '*' and '?'.", r"[A-Za-z0-9.*?-]{1,128}"
)


class TargetGroup(ModuleProps):
    port: Annotated[int, Between("The target group port must be a whole number from 1 to 65535.", 1, 65535)] = Field(
        description="Port the targets listen on (the container port for Fargate)."
    )
    protocol: Annotated[str, OneOf("The target group protocol must be HTTP or HTTPS.", ("HTTP", "HTTPS"))] = Field(
        "HTTP",
        description=(
            "Protocol from the load balancer to the targets. TLS ends at the load balancer; HTTP stays inside the "
            "VPC, where the targets' security group admits only the load balancer. HTTPS when the targets serve TLS."
        ),
    )
    protocol_version: Annotated[
        str, OneOf("The protocol_version must be HTTP1, HTTP2 or GRPC.", ("HTTP1", "HTTP2", "GRPC"))
    ] = Field("HTTP1", description="HTTP1, HTTP2 or GRPC (changing it replaces the target group).")
    target_type: Annotated[str, OneOf("The target_type must be ip or instance.", ("ip", "instance"))] = Field(
        "ip", description="ip for Fargate (awsvpc) tasks, instance for EC2 targets."
    )
    deregistration_delay: Annotated[
        int, Between("The deregistration_delay must be a whole number of seconds from 0 to 3600.", 0, 3600)
    ] = Field(30, description="Seconds a deregistering target keeps serving in-flight requests.")
    health_check_path: Annotated[
        str, Matches("The health_check_path must start with / (at most 1000 printable characters).", r"/[!-~]{0,999}")
    ] = Field("/", description="Path the load balancer requests to check a target's health.")
    health_check_port: Annotated[
        str, Matches("The health_check_port must be traffic-port or a port from 1 to 65535.", f"traffic-port|{PORT}")
    ] = Field("traffic-port", description="traffic-port (the target's own port) or another port, as a string.")
    health_check_matcher: Annotated[
        str,
        Matches(
            "The health_check_matcher must be codes or ranges such as 200, 200-299 or 200,302.",
            r"[0-9]{1,3}(?:-[0-9]{1,3})?(?:,[0-9]{1,3}(?:-[0-9]{1,3})?)*",
        ),
    ] = Field("200", description="HTTP (or gRPC) codes that mean healthy.")
    health_check_interval: Annotated[
        int, Between("The health_check_interval must be a whole number of seconds from 5 to 300.", 5, 300)
    ] = Field(15, description="Seconds between health checks of one target.")
    health_check_timeout: Annotated[
        int, Between("The health_check_timeout must be a whole number of seconds from 2 to 120.", 2, 120)
    ] = Field(5, description="Seconds without a response that count as a failed check (less than the interval).")
    healthy_threshold: Annotated[int, Between("The healthy_threshold must be a whole number from 2 to 10.", 2, 10)] = (
        Field(3, description="Consecutive successes before a target receives traffic.")
    )
    unhealthy_threshold: Annotated[
        int, Between("The unhealthy_threshold must be a whole number from 2 to 10.", 2, 10)
    ] = Field(3, description="Consecutive failures before a target stops receiving traffic.")


class ListenerRule(ModuleProps):
    priority: Annotated[int, Between("Listener rule priorities must be whole numbers from 1 to 50000.", 1, 50000)] = (
        Field(description="Evaluation order on the HTTPS listener (lower first; unique across rules).")
    )
    target_group: Annotated[str, TargetGroupKey] = Field(
        description="Key in target_groups that matching requests are forwarded to."
    )
    path_patterns: Annotated[list[str], each(PathPattern), Count("Give at most 5 path patterns per rule.", 0, 5)] = (
        Field(default_factory=list, description="Path patterns such as /api/* (any of them matches).")
    )
    host_headers: Annotated[list[str], each(HostHeader), Count("Give at most 5 host headers per rule.", 0, 5)] = Field(
        default_factory=list, description="Host names such as api.example.com (any of them matches)."
    )


@dataclass(frozen=True)
class DistinctValues(Rule):
    """No value of a map appears twice (rules.Distinct reads lists only)."""

    def holds(self, value: Any) -> bool:
        return isinstance(value, dict) and len(set(value.values())) == len(value)

    def condition(self, ref: str) -> str:
        return f"length(distinct(values({ref}))) == length({ref})"


#: module level: inside WebAcl the field ``arn`` would shadow the rule factory in the annotation
WebAclArn = arn(
    "wafv2",
    r"regional/webacl/[A-Za-z0-9_-]{1,128}/[0-9a-f-]{36}",
    "The web ACL arn must be a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/...).",
)


class WebAcl(ModuleProps):
    arn: Annotated[str, WebAclArn] = Field(
        description="ARN of the regional WAFv2 web ACL, such as aws_wafv2_web_acl.main.arn (may be computed)."
    )


class CertificateDomain(ModuleProps):
    domain_name: Annotated[str, Domain] = Field(description="Main domain of the certificate (api.example.com).")
    subject_alternative_names: Annotated[
        list[str], each(Domain), Distinct("Subject alternative names must not repeat.")
    ] = Field(default_factory=list, description="Other names the certificate covers.")
    zone_id: Annotated[
        str,
        Matches(
            "The zone_id must be a Route 53 hosted zone id (Z followed by letters and digits).", r"Z[A-Z0-9]{1,31}"
        ),
    ] = Field(description="Route 53 public hosted zone that receives the DNS validation records.")


def _tg_names_fit(p: AlbProps) -> bool:
    # A load balancer name that is already too long is the root cause: its own NAMES check reports it.
    if Kind.ALB.value.problems(f"{p.environment}-{p.service_name}-{p.name}"):
        return True
    return all(
        not Kind.TARGET_GROUP.value.problems(f"{p.environment}-{p.service_name}-{p.name}-{k}") for k in p.target_groups
    )


class AlbProps(CommonProps):
    name: Annotated[str, Segment] = Field(
        description=(
            "Name segment of the load balancer: it is named {environment}-{service_name}-{name} (32 characters at "
            "most) and its target groups {environment}-{service_name}-{name}-{key}."
        )
    )
    vpc_id: Annotated[str, VpcId] = Field(description="VPC of the load balancer and its target groups.")
    subnet_ids: Annotated[
        list[str],
        SubnetIds,
        at_least(2, "subnets in different Availability Zones"),
        Distinct("Subnet ids must not repeat."),
    ] = Field(
        description=(
            "Subnets of the load balancer, in at least two Availability Zones: public subnets when internal is "
            "false, private subnets when internal is true."
        )
    )
    security_group_ids: Annotated[
        list[str],
        SecurityGroupIds,
        Count("Give 1 to 5 security groups.", 1, 5),
        Distinct("Security group ids must not repeat."),
    ] = Field(description="Security groups of the load balancer (the sg module's alb preset: 80/443 in).")
    internal: bool = Field(
        True,
        description=(
            "true = reachable only inside the VPC (and peered networks); false = internet-facing (public subnets, "
            "and a web_acl_arn is strongly recommended)."
        ),
    )
    certificate_arn: Annotated[str | None, when_set(AcmArn)] = Field(
        None,
        description="ACM certificate of the HTTPS listener (in the load balancer's region); or create_certificate.",
    )
    create_certificate: bool = Field(
        False,
        description="Create and DNS-validate an ACM certificate for certificate_domain (instead of certificate_arn).",
    )
    certificate_domain: CertificateDomain | None = Field(
        None, description="Names and Route 53 zone of the certificate that create_certificate creates."
    )
    additional_certificate_arns: Annotated[
        dict[str, str],
        keys(RuleKey),
        each(Matches("Every additional certificate must be an ACM certificate ARN.", AcmArn.pattern)),
        DistinctValues("Additional certificate ARNs must not repeat."),
        Count("Give at most 25 additional certificates (the ALB quota per load balancer).", 0, 25),
    ] = Field(
        default_factory=dict,
        description=(
            "More ACM certificates served by SNI on the HTTPS listener, by stable key (the key is the address; "
            "the ARN may be computed): { legacy = aws_acm_certificate.legacy.arn }."
        ),
    )
    ssl_policy: Annotated[
        str,
        OneOf(
            "The ssl_policy must be an ELB security policy that allows TLS 1.2 or newer only "
            "(ELBSecurityPolicy-TLS13-*, ELBSecurityPolicy-TLS-1-2-*, ELBSecurityPolicy-FS-1-2-*).",
            SSL_POLICIES,
        ),
    ] = Field(
        "ELBSecurityPolicy-TLS13-1-2-2021-06", description="TLS policy of the HTTPS listener (TLS 1.2+ policies only)."
    )
    drop_invalid_header_fields: bool = Field(
        True, description="Drop HTTP headers with invalid names instead of passing them to the targets."
    )
    deletion_protection: bool = Field(
        True, description="Refuse to delete the load balancer through the API (set false, apply, then destroy)."
    )
    access_logs_enabled: bool = Field(True, description="Write access logs to access_logs_bucket.")
    access_logs_bucket: Annotated[
        str | None,
        when_set(
            Matches(
                "The access_logs_bucket must be an S3 bucket name (3-63 lower-case letters, digits, '.', '-').",
                r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
            )
        ),
    ] = Field(
        None,
        description=(
            "Existing S3 bucket (SSE-S3 encrypted, with the ELB log delivery bucket policy) for access logs; logs go "
            "under the prefix {environment}-{service_name}-{name}."
        ),
    )
    desync_mitigation_mode: Annotated[
        str, OneOf("The desync_mitigation_mode must be defensive or strictest.", ("defensive", "strictest"))
    ] = Field(
        "defensive",
        description=(
            "HTTP desync protection: defensive (AWS's recommendation) or strictest (also refuses ambiguous requests)."
        ),
    )
    idle_timeout: Annotated[
        int, Between("The idle_timeout must be a whole number of seconds from 1 to 4000.", 1, 4000)
    ] = Field(60, description="Seconds a connection may stay idle.")
    web_acl: WebAcl | None = Field(
        None,
        description=(
            "WAFv2 web ACL to associate with the load balancer, as { arn = aws_wafv2_web_acl.main.arn } (recommended "
            "when internet-facing); null associates none. An object so that a computed ARN still plans."
        ),
    )
    target_groups: Annotated[
        dict[str, TargetGroup],
        keys(TargetGroupKey),
        Entries("Give 1 to 100 target groups.", 1, 100),
    ] = Field(description="Target groups by stable key (the key ends the target group's name and address).")
    default_target_group: Annotated[
        str | None,
        when_set(Matches("The default_target_group must be a target group key (lower-case, digits, '-').", SEGMENT)),
    ] = Field(
        None,
        description=(
            "Key in target_groups that receives HTTPS requests no listener rule matches; null answers them with a "
            "fixed 404."
        ),
    )
    listener_rules: Annotated[dict[str, ListenerRule], keys(RuleKey)] = Field(
        default_factory=dict,
        description="Host- and path-based routing rules of the HTTPS listener, by stable key.",
    )

    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {"alb_name": ("{environment}-{service_name}-{name}", Kind.ALB)}
    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            ("certificate_arn", "create_certificate"),
            lambda p: (p.certificate_arn is not None) != p.create_certificate,
            "({certificate_arn} != null) != {create_certificate}",
            "The HTTPS listener needs exactly one certificate: set certificate_arn, or create_certificate = true "
            "with certificate_domain.",
            "https",
        ),
        CrossCheck(
            ("create_certificate", "certificate_domain"),
            lambda p: not p.create_certificate or p.certificate_domain is not None,
            "!{create_certificate} || {certificate_domain} != null",
            "A created certificate (create_certificate = true) needs certificate_domain (domain_name and the Route 53 "
            "zone_id).",
            "https",
        ),
        CrossCheck(
            ("access_logs_enabled", "access_logs_bucket"),
            lambda p: not p.access_logs_enabled or p.access_logs_bucket is not None,
            "!{access_logs_enabled} || {access_logs_bucket} != null",
            "Access logs are enabled but access_logs_bucket is not set: give the bucket, or set "
            "access_logs_enabled = false.",
            "this",
        ),
        CrossCheck(
            ("default_target_group", "target_groups"),
            lambda p: p.default_target_group is None or p.default_target_group in p.target_groups,
            "{default_target_group} == null ? true : contains(keys({target_groups}), {default_target_group})",
            "The default_target_group must be a key of target_groups.",
            "https",
        ),
        CrossCheck(
            ("listener_rules", "target_groups"),
            lambda p: all(r.target_group in p.target_groups for r in p.listener_rules.values()),
            "alltrue([for k, r in {listener_rules} : contains(keys({target_groups}), r.target_group)])",
            "Every listener rule's target_group must be a key of target_groups.",
            "rule",
        ),
        CrossCheck(
            ("listener_rules",),
            lambda p: len({r.priority for r in p.listener_rules.values()}) == len(p.listener_rules),
            "length(distinct([for k, r in {listener_rules} : r.priority])) == length({listener_rules})",
            "Listener rule priorities must be unique.",
            "rule",
        ),
        CrossCheck(
            ("listener_rules",),
            lambda p: all(1 <= len(r.path_patterns) + len(r.host_headers) <= 5 for r in p.listener_rules.values()),
            "alltrue([for k, r in {listener_rules} : length(r.path_patterns) + length(r.host_headers) >= 1 && "
            "length(r.path_patterns) + length(r.host_headers) <= 5])",
            "Every listener rule needs 1 to 5 path_patterns and host_headers in total.",
            "rule",
        ),
        CrossCheck(
            ("environment", "service_name", "name", "target_groups"),
            _tg_names_fit,
            "alltrue([for k, n in local.target_group_names : length(n) <= 32])",
            "Every target group name ({environment}-{service_name}-{name}-{key}) must be at most 32 characters: "
            "shorten environment, service_name, name or the target group key.",
            "target",
        ),
        CrossCheck(
            ("target_groups",),
            lambda p: all(t.health_check_timeout < t.health_check_interval for t in p.target_groups.values()),
            "alltrue([for k, t in {target_groups} : t.health_check_timeout < t.health_check_interval])",
            "Every target group's health_check_timeout must be less than its health_check_interval.",
            "target",
        ),
    )


class Alb(CatalogConstruct):
    """An Application Load Balancer that only speaks HTTPS to clients.

    Port 80 is always answered with a permanent redirect to HTTPS; you cannot turn that off or forward
    plain HTTP. The HTTPS listener uses your ACM certificate (`certificate_arn`) or one the module creates
    and validates in your Route 53 zone (`create_certificate`). Traffic goes to target groups you name in
    `target_groups` (type `ip` for Fargate by default) and is routed by host and path with
    `listener_rules`; requests no rule matches go to `default_target_group`, or get a 404.

    The load balancer is internal unless you set `internal = false`: exposing a service to the internet
    should be a visible decision (with public subnets and, ideally, a WAF web ACL in `web_acl = { arn = ... }`).
    Wire `target_group_arns["<key>"]` into the `ecs_service` module, and the outputs
    `alb_arn_suffix` / `target_group_arn_suffixes` into CloudWatch alarms.
    """

    NAME = "alb"
    SUMMARY = "Application Load Balancer with HTTPS only (built-in 80 → 443 redirect), keyed target groups and rules."
    PROPS = AlbProps
    SECURITY_NOTES = (
        "Port 80 only ever redirects to HTTPS (301); plain HTTP is never forwarded to targets.",
        "TLS 1.2+ only: `ssl_policy` defaults to `ELBSecurityPolicy-TLS13-1-2-2021-06` and refuses TLS 1.0/1.1 "
        "policies.",
        "Internal by default (`internal = true`); internet-facing is an explicit choice.",
        "`drop_invalid_header_fields = true`, `desync_mitigation_mode = defensive`, `deletion_protection = true`.",
        "Access logs on by default (`access_logs_enabled = true`): the plan stops until `access_logs_bucket` is "
        "given or logging is explicitly switched off. The bucket must use SSE-S3 (ELB cannot write to SSE-KMS) "
        "and allow the ELB log delivery service.",
        "Optional WAFv2 association (`web_acl = { arn = ... }`); use it for every internet-facing load balancer.",
        "Every target group has an explicit health check; unmatched requests get a 404 unless a "
        "`default_target_group` is chosen.",
    )
    UPGRADE_NOTES = (
        "Changing a target group's `port`, `protocol`, `protocol_version` or `target_type` replaces it, and its "
        "name is fixed: add a target group under a new key, move `listener_rules` / `default_target_group` and "
        "the ECS service to it, apply, then remove the old key.",
        "`deletion_protection = true` blocks `terraform destroy`: set it to false and apply first.",
        "Switching between `certificate_arn` and `create_certificate` changes the listener's certificate in "
        "place; the old created certificate is deleted after the listener stops using it.",
        "`web_acl_arn = X` became `web_acl = { arn = X }` (a computed ARN now plans); the association keeps its "
        'address `aws_wafv2_web_acl_association.waf["this"]`.',
        "`additional_certificate_arns` became a map by stable key (`{ legacy = <arn> }`): its listener "
        'certificates move from `["<arn>"]` to `["<key>"]`; `terraform state mv` each one to avoid a brief '
        "detach of that certificate.",
    )

    def build(self) -> None:
        name = self.name_local("alb_name")
        self.local(
            "target_group_names",
            self.x(
                '{ for k, t in var.target_groups : k => "${var.environment}-${var.service_name}-${var.name}-${k}" }'
            ),
        )
        lb = self.resource(
            "aws_lb",
            "this",
            {
                "name": name,
                "load_balancer_type": "application",
                "internal": self.x("var.internal"),
                "subnets": self.x("var.subnet_ids"),
                "security_groups": self.x("var.security_group_ids"),
                "ip_address_type": "ipv4",
                "idle_timeout": self.x("var.idle_timeout"),
                "enable_deletion_protection": self.x("var.deletion_protection"),
                "drop_invalid_header_fields": self.x("var.drop_invalid_header_fields"),
                "desync_mitigation_mode": self.x("var.desync_mitigation_mode"),
                "enable_http2": True,
                "enable_waf_fail_open": False,
                "access_logs": [
                    {
                        # the provider requires a bucket string even when logging is off
                        "bucket": self.x('var.access_logs_bucket == null ? "" : var.access_logs_bucket'),
                        "prefix": name,
                        "enabled": self.x("var.access_logs_enabled"),
                    }
                ],
                "tags": self.tags(name),
            },
        )
        self.named("this", "alb_name")
        self.precondition(
            "this",
            '!startswith(local.alb_name, "internal-")',
            "The alb name must not start with internal- (AWS reserves it): change environment.",
        )
        self.skip_check(
            "this",
            "CKV2_AWS_76",
            "the WAF web ACL is an input (web_acl), managed and scanned where it is defined (CKV_AWS_192 "
            "checks its Log4j managed rules there); this module associates it and cannot see its rules",
        )
        lb_arn = lb.get_string_attribute("arn")

        targets = self.addr("aws_lb_target_group", "target")
        self.resource(
            "aws_lb_target_group",
            "target",
            {
                "for_each": self.x("var.target_groups"),
                "name": self.x("local.target_group_names[each.key]"),
                "vpc_id": self.x("var.vpc_id"),
                "port": "${each.value.port}",
                "protocol": "${each.value.protocol}",
                "protocol_version": "${each.value.protocol_version}",
                "target_type": "${each.value.target_type}",
                "deregistration_delay": "${each.value.deregistration_delay}",
                "health_check": [
                    {
                        "enabled": True,
                        "protocol": "${each.value.protocol}",
                        "path": "${each.value.health_check_path}",
                        "port": "${each.value.health_check_port}",
                        "matcher": "${each.value.health_check_matcher}",
                        "interval": "${each.value.health_check_interval}",
                        "timeout": "${each.value.health_check_timeout}",
                        "healthy_threshold": "${each.value.healthy_threshold}",
                        "unhealthy_threshold": "${each.value.unhealthy_threshold}",
                    }
                ],
                "tags": self.tags("${local.target_group_names[each.key]}"),
            },
        )

        self.resource(
            "aws_lb_listener",
            "http",
            {
                "load_balancer_arn": lb_arn,
                "port": 80,
                "protocol": "HTTP",
                "default_action": [
                    {
                        "type": "redirect",
                        "redirect": [{"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}],
                    }
                ],
                "tags": self.tags(f"{name}-http"),
            },
        )

        # -- certificate: the caller's, or one created and DNS-validated here ------------------------------
        # Optional resources are for_each over maps built from their inputs (not count): their bodies read
        # each.value, so stack mode, where an unset input is a literal null, still validates.
        self.local(
            "certificate_requests",
            self.x(
                "{ for c in (var.create_certificate && var.certificate_domain != null ? [var.certificate_domain] : []) "
                ": c.domain_name => c }"
            ),
        )
        # One record per name with "*." removed: a wildcard and its apex share one validation record.
        self.local(
            "certificate_validation_zones",
            self.x(
                "merge([for c in values(local.certificate_requests) : { for d in distinct([for n in "
                'concat([c.domain_name], c.subject_alternative_names) : trimprefix(n, "*.")]) : d => c.zone_id }]...)'
            ),
        )
        cert = self.addr("aws_acm_certificate", "certificate")
        self.resource(
            "aws_acm_certificate",
            "certificate",
            {
                "for_each": self.x("local.certificate_requests"),
                "domain_name": "${each.value.domain_name}",
                "subject_alternative_names": "${each.value.subject_alternative_names}",
                "validation_method": "DNS",
                "key_algorithm": "RSA_2048",
                "options": [{"certificate_transparency_logging_preference": "ENABLED"}],
                "lifecycle": {"create_before_destroy": True},
                "tags": self.tags(name),
            },
        )
        # grouped (o...) because a wildcard and its apex report the same record twice
        self.local(
            "certificate_validation_options",
            self.x(
                f"{{ for o in flatten([for c in {cert} : c.domain_validation_options]) : "
                'trimprefix(o.domain_name, "*.") => o... }'
            ),
        )
        records = self.addr("aws_route53_record", "validation")
        self.resource(
            "aws_route53_record",
            "validation",
            {
                "for_each": self.x("local.certificate_validation_zones"),
                "zone_id": "${each.value}",
                "name": self.x("local.certificate_validation_options[each.key][0].resource_record_name"),
                "type": self.x("local.certificate_validation_options[each.key][0].resource_record_type"),
                "records": [self.x("local.certificate_validation_options[each.key][0].resource_record_value")],
                "ttl": 60,
                "allow_overwrite": True,
            },
        )
        validated = self.addr("aws_acm_certificate_validation", "validated")
        self.resource(
            "aws_acm_certificate_validation",
            "validated",
            {
                "for_each": self.x("local.certificate_requests"),
                "certificate_arn": f"${{{cert}[each.key].arn}}",
                "validation_record_fqdns": f"${{[for r in {records} : r.fqdn]}}",
            },
        )
        certificate_arn = self.local(
            "listener_certificate_arn",
            self.x(f"var.create_certificate ? one([for v in {validated} : v.certificate_arn]) : var.certificate_arn"),
        )

        https = self.resource(
            "aws_lb_listener",
            "https",
            {
                "load_balancer_arn": lb_arn,
                "port": 443,
                "protocol": "HTTPS",
                "ssl_policy": self.x("var.ssl_policy"),
                "certificate_arn": certificate_arn,
                "default_action": [
                    {
                        "type": self.x('var.default_target_group == null ? "fixed-response" : "forward"'),
                        "target_group_arn": self.x(
                            f"var.default_target_group == null ? null : {targets}[var.default_target_group].arn"
                        ),
                        "dynamic": {
                            "fixed_response": {
                                "for_each": self.x("var.default_target_group == null ? [1] : []"),
                                "content": {
                                    "content_type": "text/plain",
                                    "message_body": "Not Found",
                                    "status_code": "404",
                                },
                            }
                        },
                    }
                ],
                "tags": self.tags(f"{name}-https"),
            },
        )
        https_arn = https.get_string_attribute("arn")

        self.resource(
            "aws_lb_listener_certificate",
            "additional",
            {
                # keyed by the caller's names: the ARNs may be unknown until apply
                "for_each": self.x("var.additional_certificate_arns"),
                "listener_arn": https_arn,
                "certificate_arn": "${each.value}",
            },
        )

        self.resource(
            "aws_lb_listener_rule",
            "rule",
            {
                "for_each": self.x("var.listener_rules"),
                "listener_arn": https_arn,
                "priority": "${each.value.priority}",
                "action": [{"type": "forward", "target_group_arn": f"${{{targets}[each.value.target_group].arn}}"}],
                "dynamic": {
                    "condition": [
                        {
                            "for_each": "${length(each.value.path_patterns) > 0 ? [each.value.path_patterns] : []}",
                            "content": {"path_pattern": [{"values": "${condition.value}"}]},
                        },
                        {
                            "for_each": "${length(each.value.host_headers) > 0 ? [each.value.host_headers] : []}",
                            "content": {"host_header": [{"values": "${condition.value}"}]},
                        },
                    ]
                },
                "tags": self.tags(f"{name}-${{each.key}}"),
            },
        )

        self.resource(
            "aws_wafv2_web_acl_association",
            "waf",
            {
                # null-ness of the object is known at plan even when its arn is computed
                "for_each": self.x('{ for w in (var.web_acl == null ? [] : [var.web_acl]) : "this" => w }'),
                "resource_arn": lb_arn,
                "web_acl_arn": "${each.value.arn}",
            },
        )

        self.output("alb_arn", lb_arn, "ARN of the load balancer.")
        self.output(
            "alb_arn_suffix",
            lb.get_string_attribute("arn_suffix"),
            "ARN suffix of the load balancer (the LoadBalancer dimension of CloudWatch metrics).",
        )
        self.output("alb_dns_name", lb.get_string_attribute("dns_name"), "DNS name of the load balancer.")
        self.output(
            "alb_zone_id",
            lb.get_string_attribute("zone_id"),
            "Route 53 zone id of the load balancer (for alias records).",
        )
        self.output("alb_name", lb.get_string_attribute("name"), "Name of the load balancer.")
        self.output(
            "http_listener_arn",
            self.x(f"{self.addr('aws_lb_listener', 'http')}.arn"),
            "ARN of the HTTP listener (redirect only).",
        )
        self.output("https_listener_arn", https_arn, "ARN of the HTTPS listener (attach extra listener rules here).")
        self.output(
            "target_group_arns",
            self.x(f"{{ for k, t in {targets} : k => t.arn }}"),
            "Target group ARNs by key (give one to the ecs_service module).",
        )
        self.output(
            "target_group_arn_suffixes",
            self.x(f"{{ for k, t in {targets} : k => t.arn_suffix }}"),
            "Target group ARN suffixes by key (the TargetGroup dimension of CloudWatch metrics).",
        )
        self.output(
            "target_group_names", self.x(f"{{ for k, t in {targets} : k => t.name }}"), "Target group names by key."
        )
        self.output("certificate_arn", certificate_arn, "ARN of the certificate the HTTPS listener serves by default.")
