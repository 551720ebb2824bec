"""Props of the alb module: the module's variables, their validation blocks and the cross-field rules."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    CommonProps,
    RuleKey,
    SecurityGroupIds,
    Segment,
    SubnetIds,
    VpcId,
    at_least,
)
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.naming import SEGMENT_PATTERN, Kind
from platform_constructs.rules import (
    Between,
    Count,
    Distinct,
    DistinctValues,
    Matches,
    OneOf,
    arn,
    each,
    keys,
    when_set,
)

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
    SEGMENT_PATTERN,
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
            "and a web_acl (WAF) is strongly recommended)."
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
        Count("Give 1 to 100 target groups.", 1, 100),
    ] = Field(description="Target groups by stable key (the key ends the target group's name and address).")
    default_target_group: Annotated[
        str | None,
        when_set(
            Matches("The default_target_group must be a target group key (lower-case, digits, '-').", SEGMENT_PATTERN)
        ),
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
