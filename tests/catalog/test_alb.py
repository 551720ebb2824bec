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
    assert_all_equivalent,
    check_each_sample,
    planned,
)
from support.catalog_cases.alb import CERT, CERT2, VALID, WAF

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
