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

from platform_constructs.catalog.alb.props import AlbProps
from platform_constructs.catalog.construct import CatalogConstruct


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
