"""The alb module: equivalence of its three forms, every validation and precondition, Python and Terraform."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.alb import Alb, AlbProps
from platform_constructs.tf import Terraform
from support.catalog import (
    CATALOG,
    OFFLINE_PROVIDER,
    Bad,
    Cross,
    assert_all_equivalent,
    assert_rejected_by_python,
    assert_rejected_by_terraform,
    check_each_sample,
    planned,
)

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
        "Domain names must be lower-case DNS names",
    ),
    Bad(
        "certificate_domain",
        {"domain_name": "example.com", "subject_alternative_names": ["a..b"], "zone_id": "Z0123456789ABCDEFGHIJ"},
        "Domain names must be lower-case DNS names",
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

SAMPLES = {
    "dev": AlbProps.create(
        **{**VALID, "access_logs_bucket": None}, access_logs_enabled=False, deletion_protection=False
    ),
    "prod": AlbProps.create(
        **{
            **VALID,
            "environment": "prod",
            "certificate_arn": None,
            "tags": {"Team": "web"},
            "internal": False,
            "create_certificate": True,
            "certificate_domain": {
                "domain_name": "shop.example.com",
                "subject_alternative_names": ["*.shop.example.com", "admin.example.com"],
                "zone_id": "Z0123456789ABCDEFGHIJ",
            },
            "additional_certificate_arns": {"legacy": CERT2},
            "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "desync_mitigation_mode": "strictest",
            "idle_timeout": 120,
            "web_acl": {"arn": WAF},
            "target_groups": {
                "web": {"port": 3000, "health_check_path": "/healthz"},
                "api": {"port": 8080, "protocol_version": "HTTP2", "deregistration_delay": 60},
                "grpc": {
                    "port": 50051,
                    "protocol": "HTTPS",
                    "protocol_version": "GRPC",
                    "health_check_matcher": "0-99",
                },
            },
            "default_target_group": "web",
            "listener_rules": {
                "api": {"priority": 100, "target_group": "api", "path_patterns": ["/api/*"]},
                "grpc": {"priority": 200, "target_group": "grpc", "host_headers": ["grpc.shop.example.com"]},
            },
        }
    ),
}


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims."""
    check_each_sample(assert_all_equivalent(Alb, SAMPLES, terraform, tmp_path), check_sample)


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    lb = changes["aws_lb.this"]["after"]
    http = changes["aws_lb_listener.http"]["after"]
    https = changes["aws_lb_listener.https"]["after"]
    # port 80 never serves: a permanent redirect to HTTPS 443, whatever the inputs
    assert http["protocol"] == "HTTP"
    assert http["default_action"][0]["type"] == "redirect"
    redirect = http["default_action"][0]["redirect"][0]
    assert (redirect["port"], redirect["protocol"], redirect["status_code"]) == ("443", "HTTPS", "HTTP_301")
    assert https["protocol"] == "HTTPS" and https["ssl_policy"].startswith("ELBSecurityPolicy-TLS13-1-2")
    assert lb["drop_invalid_header_fields"] is True
    assert lb["load_balancer_type"] == "application"
    target_groups = {a: c["after"] for a, c in changes.items() if a.startswith("aws_lb_target_group.")}
    assert all(t["target_type"] == "ip" and t["health_check"][0]["enabled"] for t in target_groups.values())
    if sample == "dev":
        assert lb["internal"] is True and lb["name"] == "dev-fileflow-alb"
        assert lb["enable_deletion_protection"] is False and lb["access_logs"][0]["enabled"] is False
        assert https["certificate_arn"] == CERT
        assert https["default_action"][0]["type"] == "fixed-response"
        assert https["default_action"][0]["fixed_response"][0]["status_code"] == "404"
        assert set(target_groups) == {'aws_lb_target_group.target["app"]'}
        assert target_groups['aws_lb_target_group.target["app"]']["name"] == "dev-fileflow-alb-app"
        assert not any(a.startswith(("aws_acm", "aws_route53", "aws_wafv2", "aws_lb_listener_rule")) for a in changes)
    else:
        assert lb["internal"] is False and lb["enable_deletion_protection"] is True
        assert lb["access_logs"][0] == {"bucket": "acme-alb-logs", "enabled": True, "prefix": "prod-fileflow-alb"}
        assert lb["desync_mitigation_mode"] == "strictest" and lb["idle_timeout"] == 120
        assert lb["tags"]["Team"] == "web" and lb["tags"]["ManagedBy"] == "terraform"
        assert changes['aws_wafv2_web_acl_association.waf["this"]']["after"]["web_acl_arn"] == WAF
        # the wildcard shares its apex's validation record: one record per distinct name
        records = sorted(a for a in changes if a.startswith("aws_route53_record."))
        assert records == [
            'aws_route53_record.validation["admin.example.com"]',
            'aws_route53_record.validation["shop.example.com"]',
        ]
        assert 'aws_acm_certificate_validation.validated["shop.example.com"]' in changes
        assert changes['aws_acm_certificate.certificate["shop.example.com"]']["after"]["validation_method"] == "DNS"
        assert https["default_action"][0]["type"] == "forward"
        assert len([a for a in changes if a.startswith("aws_lb_listener_rule.")]) == 2
        assert changes['aws_lb_listener_certificate.additional["legacy"]']["after"]["certificate_arn"] == CERT2
        assert target_groups['aws_lb_target_group.target["grpc"]']["protocol"] == "HTTPS"


@pytest.mark.terraform
def test_terraform_rejects_each_bad_value_and_combination(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    names = [Cross(inputs, tf_message) for inputs, tf_message, _ in NAME_CASES]
    assert_rejected_by_terraform(Alb, VALID, [*BAD, *CROSS, *names], terraform, tmp_path)


def test_python_rejects_the_same_values_and_combinations() -> None:
    names = [Cross(inputs, py_message) for inputs, _, py_message in NAME_CASES]
    assert_rejected_by_python(AlbProps, VALID, [*BAD, *CROSS, *names])


def test_every_validation_block_and_precondition_has_a_case() -> None:
    """A validation block or precondition without a case would be an unproven claim."""
    for inp in AlbProps.inputs():
        for _, message in inp.validations:
            assert any(c.field == inp.name and c.message in message for c in BAD), (inp.name, message)
    for check in AlbProps.CROSS_CHECKS:
        assert any(c.message in check.message for c in CROSS), check.message


# A caller whose ARNs and zone id are attributes of resources created in the same apply (unknown at plan):
# the WAF association, the SNI certificates and the created certificate's DNS records must still plan.
COMPOSED = """
resource "aws_acm_certificate" "main" {
  domain_name       = "shop.example.com"
  validation_method = "DNS"
}
resource "aws_acm_certificate" "legacy" {
  domain_name       = "old.example.com"
  validation_method = "DNS"
}
resource "aws_route53_zone" "main" {
  name = "example.com"
}
resource "terraform_data" "waf" {
  input = "%(waf)s"
}
locals {
  common = {
    vpc_id             = "vpc-0123456789abcdef0"
    subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
}
module "given" {
  source                      = "./alb"
  environment                 = "prod"
  service_name                = "shop"
  name                        = "given"
  vpc_id                      = local.common.vpc_id
  subnet_ids                  = local.common.subnet_ids
  security_group_ids          = local.common.security_group_ids
  access_logs_enabled         = false
  certificate_arn             = aws_acm_certificate.main.arn
  additional_certificate_arns = { legacy = aws_acm_certificate.legacy.arn }
  web_acl                     = { arn = terraform_data.waf.output }
  target_groups               = { app = { port = 8080 } }
}
module "created" {
  source              = "./alb"
  environment         = "prod"
  service_name        = "shop"
  name                = "created"
  vpc_id              = local.common.vpc_id
  subnet_ids          = local.common.subnet_ids
  security_group_ids  = local.common.security_group_ids
  access_logs_enabled = false
  create_certificate  = true
  certificate_domain = {
    domain_name               = "shop.example.com"
    subject_alternative_names = ["*.shop.example.com"]
    zone_id                   = aws_route53_zone.main.zone_id
  }
  target_groups       = { app = { port = 8080 } }
}
"""


@pytest.mark.terraform
def test_plans_with_arns_and_zone_created_in_the_same_apply(
    terraform: Callable[..., Terraform], tmp_path: Path
) -> None:
    work = tmp_path / "caller"
    work.mkdir()
    shutil.copytree(CATALOG / Alb.NAME, work / "alb", ignore=shutil.ignore_patterns("examples"))
    (work / "main.tf").write_text(COMPOSED % {"waf": WAF})
    (work / "p.tf.json").write_text(OFFLINE_PROVIDER)
    changes = planned(terraform(work), tmp_path)
    given = "module.given."
    assert changes[f'{given}aws_wafv2_web_acl_association.waf["this"]']["after_unknown"]["web_acl_arn"] is True
    assert changes[f'{given}aws_lb_listener_certificate.additional["legacy"]']["after_unknown"]["certificate_arn"]
    assert changes[f"{given}aws_lb_listener.https"]["after_unknown"]["certificate_arn"] is True
    assert not any(a.startswith((f"{given}aws_acm", f"{given}aws_route53")) for a in changes)
    created = "module.created."
    assert f'{created}aws_route53_record.validation["shop.example.com"]' in changes
    assert f'{created}aws_acm_certificate_validation.validated["shop.example.com"]' in changes
    assert not any(a.startswith(f"{created}aws_wafv2") for a in changes)
