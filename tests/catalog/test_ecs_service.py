"""The ecs_service module: equivalence of its three forms, every validation and precondition, Python and
Terraform, and the planned values that carry its security defaults."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.ecs_service import EcsService, EcsServiceProps
from platform_constructs.tf import Terraform
from support.catalog import (
    Bad,
    Case,
    Cross,
    assert_all_equivalent,
    assert_rejected_by_python,
    assert_rejected_by_terraform,
    check_each_sample,
)

ACCOUNT = "111111111111"
KMS = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/0123abcd-4567-89ab-cdef-0123456789ab"
SECRETS_KMS = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/89abcdef-0123-4567-89ab-cdef01234567"
DB_SECRET = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:rds!db-0123abcd-AbCdEf"
PARAMETER = f"arn:aws:ssm:ap-northeast-2:{ACCOUNT}:parameter/prod/fileflow/flags"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:ap-northeast-2:{ACCOUNT}:targetgroup/prod-fileflow/0123456789abcdef"

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "cluster_arn": f"arn:aws:ecs:ap-northeast-2:{ACCOUNT}:cluster/dev-platform",
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "image": f"{ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/fileflow:1.4.2",
    "log_kms_key_arn": KMS,
}
AUTOSCALING = {"min_capacity": 2, "max_capacity": 10, "cpu_target_percent": 60}


def egress(**changes: Any) -> dict[str, Any]:
    rule = {"description": "PostgreSQL", "from_port": 5432, "to_port": 5432, "cidr_ipv4": "10.0.0.0/16", **changes}
    return {"egress_rules": {"db": rule}}


BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("service_name", "file_flow", "Must be lower-case letters and digits"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("tags", {"bad|key": "x"}, "Tag keys must be"),
    Bad("cluster_arn", "arn:aws:ecs:ap-northeast-2:1:cluster/x", "Must be an ECS cluster ARN"),
    Bad("vpc_id", "vpc-xyz", "Must be a VPC id"),
    Bad("subnet_ids", ["subnet-1", "subnet-0123456789abcdef1"], "Every subnet id must be"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0"], "Give 2 to 16 private subnets"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"], "List each subnet once"),
    Bad("image", "fileflow", "The image must be a registry path with an explicit tag"),
    Bad("image", "fileflow:latest", "The image tag must not be latest"),
    Bad("cpu", 300, "The cpu must be a Fargate size"),
    Bad("memory", 256, "The memory must be 512-122880 MiB"),
    Bad("container_port", 0, "Ports must be whole numbers from 1 to 65535"),
    Bad("environment_variables", {"1BAD": "x"}, "Environment variable names must be"),
    Bad("secrets", {"BAD-NAME": PARAMETER}, "Environment variable names must be"),
    Bad("secrets", {"DB": f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:db"}, "Every secret must be"),
    Bad("desired_count", -1, "The desired_count must be 0-1000"),
    Bad("load_balancer", {"target_group_arn": "tg", "security_group_id": "sg-0123456789abcdef0"}, "target group ARN"),
    Bad("load_balancer", {"target_group_arn": TARGET_GROUP, "security_group_id": "sg-1"}, "Must be a security group"),
    Bad("task_role", {"arn": f"arn:aws:iam::{ACCOUNT}:user/x"}, "The task_role arn must be an IAM role ARN"),
    Bad("log_kms_key_arn", f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:alias/logs", "Must be a KMS key ARN"),
    Bad("log_retention_days", 10, "The log_retention_days must be a CloudWatch Logs retention"),
    Bad(
        "extra_access",
        {"ecr_repository_arns": ["arn:aws:ecr:ap-northeast-2::repository/x"]},
        "Every ECR repository must be an ARN",
    ),
    Bad(
        "extra_access",
        {"ecr_repository_arns": [f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/x"] * 2},
        "List each ECR repository once",
    ),
    Bad("extra_access", {"kms_key_arns": ["arn:aws:kms:ap-northeast-2::key/x"]}, "Must be a KMS key ARN"),
    Bad("extra_access", {"kms_key_arns": [SECRETS_KMS, SECRETS_KMS]}, "List each KMS key once"),
    Bad("extra_access", {"egress_rules": {"Bad Key": egress()["egress_rules"]["db"]}}, "Keys must be 1-64"),
    Bad("extra_access", egress(description=""), "Every egress rule needs a description"),
    Bad("extra_access", egress(ip_protocol="-1"), "Egress rules must use tcp or udp"),
    Bad("extra_access", egress(from_port=6000), "Egress ports must be whole numbers"),
    Bad("extra_access", egress(prefix_list_id="pl-12345678"), "Every egress rule needs exactly one destination"),
    Bad("extra_access", egress(cidr_ipv4="10.0.0.1/16"), "Egress cidr_ipv4 must be an IPv4 network"),
    Bad(
        "extra_access",
        egress(cidr_ipv4=None, referenced_security_group_id="sg-1"),
        "Egress referenced_security_group_id must be",
    ),
    Bad("extra_access", egress(cidr_ipv4=None, prefix_list_id="pl-x"), "Egress prefix_list_id must be"),
    Bad("autoscaling", {**AUTOSCALING, "min_capacity": 0}, "Capacities must be whole numbers from 1 to 1000"),
    Bad("autoscaling", {**AUTOSCALING, "max_capacity": 1001}, "Capacities must be whole numbers from 1 to 1000"),
    Bad("autoscaling", {**AUTOSCALING, "cpu_target_percent": 95}, "Target utilization must be"),
    Bad("autoscaling", {**AUTOSCALING, "memory_target_percent": 5}, "Target utilization must be"),
    Bad("autoscaling", {**AUTOSCALING, "scale_in_cooldown": -1}, "Cooldowns must be 0-3600 seconds"),
    Bad("autoscaling", {**AUTOSCALING, "scale_out_cooldown": 3601}, "Cooldowns must be 0-3600 seconds"),
    Bad("health_check", {"grace_period_seconds": 4000}, "The grace_period_seconds must be 0-3600"),
    Bad("health_check", {"command": ["curl", "-f", "http://localhost/"]}, "The health check command must be"),
    Bad("health_check", {"interval": 1}, "The interval must be 5-300 seconds"),
    Bad("health_check", {"timeout": 61}, "The timeout must be 2-60 seconds"),
    Bad("health_check", {"retries": 0}, "The retries must be 1-10"),
    Bad("health_check", {"start_period": 301}, "The start_period must be 0-300 seconds"),
    Bad("service_discovery", {"namespace_id": "ns-x"}, "The namespace_id must be a Cloud Map namespace id"),
    Bad(
        "service_discovery",
        {"namespace_id": "ns-0123456789abcdef", "name": "Bad_Name"},
        "The service discovery name must be a DNS label",
    ),
    Bad("service_discovery", {"namespace_id": "ns-0123456789abcdef", "dns_ttl": -1}, "The dns_ttl must be 0-3600"),
]
# Preconditions: several inputs together (Terraform checks them at plan time, Python at props time).
CROSS = [
    Cross({"cpu": 256, "memory": 4096}, "The memory is not a Fargate size for this cpu"),
    Cross(
        {"environment_variables": {"DB_PASSWORD": "x"}, "secrets": {"DB_PASSWORD": PARAMETER}},
        "A name is both in environment_variables and in secrets",
    ),
    Cross({"autoscaling": {**AUTOSCALING, "min_capacity": 5, "max_capacity": 3}}, "min_capacity must not exceed"),
    Cross(
        {"autoscaling": {"min_capacity": 2, "max_capacity": 4}},
        "Autoscaling needs cpu_target_percent, memory_target_percent or both",
    ),
    Cross({"desired_count": 12, "autoscaling": AUTOSCALING}, "desired_count (the initial count) must be between"),
]
LONG_NAME = {"service_name": "a" * 60}


SAMPLES = {
    # a dev service: only the required inputs, plus ECS Exec for debugging (the module's own task role)
    "dev": EcsServiceProps.create(**VALID, enable_execute_command=True),
    # production: every optional feature on
    "prod": EcsServiceProps.create(
        **{**VALID, "environment": "prod"},
        tags={"Team": "files"},
        cpu=1024,
        memory=3072,
        container_port=8443,
        desired_count=3,
        environment_variables={"LOG_LEVEL": "info"},
        secrets={"DB_PASSWORD": f"{DB_SECRET}:password::", "FLAGS": PARAMETER},
        load_balancer={"target_group_arn": TARGET_GROUP, "security_group_id": "sg-0123456789abcdef0"},
        task_role={"arn": f"arn:aws:iam::{ACCOUNT}:role/prod-fileflow-app"},
        log_retention_days=731,
        deployment_managed_externally=True,
        extra_access={
            "ecr_repository_arns": [f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/sidecar"],
            "kms_key_arns": [SECRETS_KMS],
            **egress(cidr_ipv4=None, referenced_security_group_id="sg-0123456789abcdef1"),
        },
        autoscaling={**AUTOSCALING, "min_capacity": 3, "memory_target_percent": 75},
        health_check={"grace_period_seconds": 90, "command": ["CMD-SHELL", "curl -f http://localhost:8443/health"]},
        service_discovery={"namespace_id": "ns-0123456789abcdef", "name": "files"},
    ),
}


def _after(changes: dict[str, Any], address: str) -> dict[str, Any]:
    after: dict[str, Any] = changes[address]["after"]
    return after


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims."""
    check_each_sample(assert_all_equivalent(EcsService, SAMPLES, terraform, tmp_path), check_sample)


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    prod = sample == "prod"
    service = _after(changes, f"aws_ecs_service.{'external' if prod else 'this'}[0]")
    assert f"aws_ecs_service.{'this' if prod else 'external'}[0]" not in changes, "exactly one service exists"
    assert service["network_configuration"][0]["assign_public_ip"] is False
    assert service["platform_version"] == "LATEST"
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    assert service["enable_execute_command"] is (not prod)
    logs = _after(changes, "aws_cloudwatch_log_group.logs")
    assert logs["kms_key_id"] == KMS
    assert logs["retention_in_days"] == (731 if prod else 365)
    container = json.loads(_after(changes, "aws_ecs_task_definition.definition")["container_definitions"])[0]
    assert container["readonlyRootFilesystem"] is True
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    egress_rules = {a: c["after"] for a, c in changes.items() if a.startswith("aws_vpc_security_group_egress_rule")}
    assert _after(changes, "aws_vpc_security_group_egress_rule.https")["from_port"] == 443
    if prod:
        assert service["load_balancer"][0]["target_group_arn"] == TARGET_GROUP
        assert service["health_check_grace_period_seconds"] == 90
        assert "aws_iam_role.task[0]" not in changes, "a given task role is used, none is created"
        assert {c["name"]: c["valueFrom"] for c in container["secrets"]} == {
            "DB_PASSWORD": f"{DB_SECRET}:password::",
            "FLAGS": PARAMETER,
        }
        assert container["healthCheck"]["command"][0] == "CMD-SHELL"
        ingress = _after(changes, "aws_vpc_security_group_ingress_rule.from_load_balancer[0]")
        assert (ingress["referenced_security_group_id"], ingress["from_port"]) == ("sg-0123456789abcdef0", 8443)
        assert set(egress_rules) == {
            "aws_vpc_security_group_egress_rule.https",
            'aws_vpc_security_group_egress_rule.extra["db"]',
        }
        policies = [a for a in changes if a.startswith("aws_appautoscaling_policy.")]
        assert sorted(policies) == [
            'aws_appautoscaling_policy.target_tracking["cpu"]',
            'aws_appautoscaling_policy.target_tracking["memory"]',
        ]
        assert "aws_service_discovery_service.discovery[0]" in changes
        assert_execution_policy_is_scoped(json.loads(_after(changes, "aws_iam_role_policy.execution_access")["policy"]))
    else:
        # no load balancer: no ingress at all; no health check to delay either, so no grace period
        assert not any(a.startswith("aws_vpc_security_group_ingress_rule") for a in changes)
        assert service["health_check_grace_period_seconds"] is None
        assert "environment" not in container and "secrets" not in container and "healthCheck" not in container
        assert "aws_iam_role.task[0]" in changes and "aws_iam_role_policy.exec_command[0]" in changes
        assert not any(a.startswith(("aws_appautoscaling", "aws_service_discovery")) for a in changes)


def assert_execution_policy_is_scoped(policy: dict[str, Any]) -> None:
    """The execution role's grants as planned: its own log group, the image's (and the extra) repository,
    the secret itself (not ECS's ``:json-key::`` reference), the parameter, the KMS key only via Secrets
    Manager/SSM, and ``*`` only for ecr:GetAuthorizationToken."""
    grants = {st["Sid"]: (st["Action"], st["Resource"], st.get("Condition")) for st in policy["Statement"]}
    repos = {f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/{r}" for r in ("fileflow", "sidecar")}
    assert set(grants) == {
        "OwnLogGroup",
        "EcrPull",
        "EcrAuthorizationToken",
        "ReadInjectedSecrets",
        "KmsDecryptSecrets",
    }
    assert grants["OwnLogGroup"][1] == f"arn:aws:logs:ap-northeast-2:{ACCOUNT}:log-group:/ecs/prod/fileflow:*"
    assert set(grants["EcrPull"][1]) == repos
    assert grants["EcrAuthorizationToken"][:2] == ("ecr:GetAuthorizationToken", "*")
    # one statement for both sources (the count knows how many secrets, not which service each is in)
    actions, resources, _ = grants["ReadInjectedSecrets"]
    assert (set(actions), set(resources)) == (
        {"secretsmanager:GetSecretValue", "ssm:GetParameters"},
        {DB_SECRET, PARAMETER},
    )
    assert grants["KmsDecryptSecrets"][1:] == (
        SECRETS_KMS,
        {
            "StringEquals": {
                "kms:ViaService": ["secretsmanager.ap-northeast-2.amazonaws.com", "ssm.ap-northeast-2.amazonaws.com"]
            }
        },
    )


@pytest.mark.terraform
def test_terraform_rejects_each_bad_value_and_combination(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    cases: list[Case] = [*BAD, *CROSS, Cross(LONG_NAME, "The iam role name must be 1-64 characters")]
    assert_rejected_by_terraform(EcsService, VALID, cases, terraform, tmp_path)


def test_python_rejects_the_same_values_and_combinations() -> None:
    assert_rejected_by_python(
        EcsServiceProps, VALID, [*BAD, *CROSS, Cross(LONG_NAME, "iam role name is 74 characters")]
    )


def test_interface_budget_and_security_toggles() -> None:
    inputs = {i.name: i for i in EcsServiceProps.inputs()}
    assert len(inputs) <= 25
    required = {n for n, i in inputs.items() if i.required}
    assert required == {
        "environment",
        "service_name",
        "cluster_arn",
        "vpc_id",
        "subnet_ids",
        "image",
        "log_kms_key_arn",
    }
    secure = {
        "assign_public_ip": False,
        "readonly_root_filesystem": True,
        "enable_execute_command": False,
        "deployment_managed_externally": False,
        "log_retention_days": 365,
    }
    assert {n: inputs[n].default for n in secure} == secure
    assert all(inputs[n].type in ("bool", "number") for n in secure), "security toggles are top-level scalars"
