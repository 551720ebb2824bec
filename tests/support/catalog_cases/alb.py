"""Cases of the alb module: valid inputs, one failing value per validation block, one failing combination
per precondition (tests/catalog/test_validation_coverage.py proves the coverage)."""

from __future__ import annotations

from typing import Any

from support.catalog import Bad, Cross
from support.catalog_cases import reserved_tag_cases

CERT = "arn:aws:acm:ap-northeast-2:111111111111:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
CERT2 = "arn:aws:acm:ap-northeast-2:111111111111:certificate/1a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
WAF = "arn:aws:wafv2:ap-northeast-2:111111111111:regional/webacl/edge/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
RULE = {"priority": 10, "target_group": "app", "path_patterns": ["/api/*"]}

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "name": "alb",
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "security_group_ids": ["sg-0123456789abcdef0"],
    "certificate_arn": CERT,
    "access_logs_bucket": "acme-alb-logs",
    "target_groups": {"app": {"port": 8080}},
}


def tg(**over: Any) -> dict[str, Any]:
    return {"app": {"port": 8080, **over}}


def rule(**over: Any) -> dict[str, Any]:
    return {"r": {**RULE, **over}}


# One case per validation block (test_every_validation_block_has_a_case proves the coverage).
BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("service_name", "file_flow", "Must be lower-case letters and digits"),
    Bad("tags", {"Team!": "a"}, "Tag keys must be"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("name", "-alb", "Must be lower-case letters and digits"),
    Bad("vpc_id", "vpc-xyz", "Must be a VPC id"),
    Bad("subnet_ids", ["subnet-1", "subnet-0123456789abcdef1"], "Every subnet id must be"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0"], "Give at least 2 subnets"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"], "Subnet ids must not repeat."),
    Bad("security_group_ids", ["sg-1"], "Must be a security group id"),
    Bad("security_group_ids", [], "Give 1 to 5 security groups."),
    Bad("security_group_ids", ["sg-0123456789abcdef0", "sg-0123456789abcdef0"], "Security group ids must not repeat."),
    Bad("certificate_arn", "arn:aws:iam::111111111111:server-certificate/x", "Must be an ACM certificate ARN"),
    Bad(
        "certificate_domain",
        {"domain_name": "Example.COM", "zone_id": "Z0123456789ABCDEFGHIJ"},
        "domain_name: Domain names must be lower-case DNS names",
    ),
    Bad(
        "certificate_domain",
        {"domain_name": "example.com", "subject_alternative_names": ["a..b"], "zone_id": "Z0123456789ABCDEFGHIJ"},
        "subject_alternative_names: Domain names must be lower-case DNS names",
    ),
    Bad(
        "certificate_domain",
        {"domain_name": "example.com", "subject_alternative_names": ["a.com", "a.com"], "zone_id": "Z01234"},
        "Subject alternative names must not repeat.",
    ),
    Bad("certificate_domain", {"domain_name": "example.com", "zone_id": "zone-1"}, "The zone_id must be a Route 53"),
    Bad("additional_certificate_arns", {"Legacy": CERT2}, "Keys must be 1-64"),
    Bad("additional_certificate_arns", {"legacy": "arn:aws:acm:x"}, "Every additional certificate must be an ACM"),
    Bad("additional_certificate_arns", {"a": CERT2, "b": CERT2}, "Additional certificate ARNs must not repeat."),
    Bad(
        "additional_certificate_arns",
        {f"c{i}": CERT2.replace("1a1b2c3d", f"{i:08x}") for i in range(26)},
        "Give at most 25 additional certificates",
    ),
    Bad("ssl_policy", "ELBSecurityPolicy-2016-08", "The ssl_policy must be an ELB security policy"),
    Bad("ssl_policy", "ELBSecurityPolicy-TLS13-1-1-2021-06", "allows TLS 1.2 or newer only"),
    Bad("access_logs_bucket", "Logs_Bucket", "The access_logs_bucket must be an S3 bucket name"),
    Bad("desync_mitigation_mode", "monitor", "The desync_mitigation_mode must be defensive or strictest."),
    Bad("idle_timeout", 0, "The idle_timeout must be a whole number"),
    Bad("idle_timeout", 4001, "The idle_timeout must be a whole number"),
    Bad(
        "web_acl", {"arn": "arn:aws:wafv2:ap-northeast-2:111111111111:global/webacl/x/y"}, "regional WAFv2 web ACL ARN"
    ),
    Bad("target_groups", {"App_1": {"port": 8080}}, "Target group keys must be lower-case"),
    Bad("target_groups", {}, "Give 1 to 100 target groups."),
    Bad("target_groups", tg(port=0), "The target group port must be"),
    Bad("target_groups", tg(protocol="TCP"), "The target group protocol must be HTTP or HTTPS."),
    Bad("target_groups", tg(protocol_version="HTTP3"), "The protocol_version must be"),
    Bad("target_groups", tg(target_type="lambda"), "The target_type must be ip or instance."),
    Bad("target_groups", tg(deregistration_delay=3601), "The deregistration_delay must be"),
    Bad("target_groups", tg(health_check_path="health"), "The health_check_path must start with /"),
    Bad("target_groups", tg(health_check_port="65536"), "The health_check_port must be traffic-port"),
    Bad("target_groups", tg(health_check_matcher="2xx"), "The health_check_matcher must be codes"),
    Bad("target_groups", tg(health_check_interval=4), "The health_check_interval must be"),
    Bad("target_groups", tg(health_check_timeout=1), "The health_check_timeout must be"),
    Bad("target_groups", tg(healthy_threshold=11), "The healthy_threshold must be"),
    Bad("target_groups", tg(unhealthy_threshold=1), "The unhealthy_threshold must be"),
    Bad("default_target_group", "App", "The default_target_group must be a target group key"),
    Bad("listener_rules", {"Bad Key": RULE}, "Keys must be 1-64"),
    Bad("listener_rules", rule(priority=50001), "Listener rule priorities must be whole numbers from 1 to 50000."),
    Bad("listener_rules", rule(priority=0), "Listener rule priorities must be whole numbers from 1 to 50000."),
    Bad("listener_rules", rule(target_group="App"), "Target group keys must be lower-case"),
    Bad("listener_rules", rule(path_patterns=["/a b"]), "Path patterns must be 1-128 characters"),
    Bad("listener_rules", rule(path_patterns=[f"/{i}" for i in range(6)]), "Give at most 5 path patterns"),
    Bad("listener_rules", rule(host_headers=["a_b.example.com"]), "Host headers must be 1-128 characters"),
    Bad("listener_rules", rule(host_headers=[f"h{i}.example.com" for i in range(6)]), "Give at most 5 host headers"),
    *reserved_tag_cases(),
]
DOMAIN = {"domain_name": "app.example.com", "zone_id": "Z0123456789ABCDEFGHIJ"}
# Preconditions: several inputs together (Terraform checks them at plan time, Python at props time).
CROSS = [
    Cross({"certificate_arn": None}, "The HTTPS listener needs exactly one certificate"),
    Cross({"create_certificate": True, "certificate_domain": DOMAIN}, "The HTTPS listener needs exactly one"),
    Cross(
        {"certificate_arn": None, "create_certificate": True, "certificate_domain": None},
        "A created certificate (create_certificate = true) needs certificate_domain",
    ),
    Cross({"access_logs_bucket": None}, "Access logs are enabled but access_logs_bucket is not set"),
    Cross({"default_target_group": "web"}, "The default_target_group must be a key of target_groups."),
    Cross({"listener_rules": rule(target_group="web")}, "Every listener rule's target_group must be a key"),
    Cross(
        {"listener_rules": {"a": RULE, "b": {**RULE, "path_patterns": ["/b/*"]}}},
        "Listener rule priorities must be unique.",
    ),
    Cross({"listener_rules": rule(path_patterns=[])}, "Every listener rule needs 1 to 5 path_patterns"),
    Cross(
        {"listener_rules": rule(path_patterns=["/1", "/2", "/3"], host_headers=["a.com", "b.com", "c.com"])},
        "Every listener rule needs 1 to 5 path_patterns",
    ),
    Cross({"target_groups": {"a-long-target-group-key": {"port": 80}}}, "Every target group name"),
    Cross({"target_groups": tg(health_check_timeout=15)}, "health_check_timeout must be less than"),
]
LONG_NAME = {"service_name": "a" * 30}
INTERNAL_NAME = {"environment": "internal"}
#: the alb name's own preconditions (Terraform's wording; Python words them by the name's kind and length)
NAME_CASES: list[tuple[dict[str, Any], str, str]] = [
    (LONG_NAME, "The alb name must be 1-32 characters", "alb name is 38 characters"),
    (INTERNAL_NAME, "The alb name must not start with internal-", "alb name must not start with 'internal-'"),
]
