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
    assert_all_equivalent,
    check_each_sample,
)
from support.catalog_cases.ecs_service import (
    ACCOUNT,
    AUTOSCALING,
    CW_AGENT,
    DB_SECRET,
    FLUENT_BIT,
    KMS,
    PARAMETER,
    SECRETS_KMS,
    TARGET_GROUP,
    VALID,
    egress,
)

#: a sidecar image in the service's own ECR: the execution role must get its pull grant
PROXY = f"{ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/envoy:1.29.1"
METRICS_SECRET = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:dev/fileflow/metrics-Zz09Yx"

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
    # two more instances of the dev service, told apart by name: an API and a worker with FireLens and sidecars
    "api": EcsServiceProps.create(**VALID, name="api", service_discovery={"namespace_id": "ns-0123456789abcdef"}),
    "worker": EcsServiceProps.create(
        **VALID,
        name="worker",
        cpu=512,
        memory=1024,
        task_role={"arn": f"arn:aws:iam::{ACCOUNT}:role/dev-fileflow-worker"},
        service_discovery={"namespace_id": "ns-0123456789abcdef"},
        health_check={"command": ["CMD-SHELL", "curl -f http://localhost:8080/health"]},
        firelens={"image": FLUENT_BIT},
        sidecars={
            "metrics": {
                "image": CW_AGENT,
                "cpu": 64,
                "memory_reservation": 128,
                "secrets": {"AGENT_TOKEN": METRICS_SECRET},
                "depends_on": {"fileflow": "HEALTHY"},
            },
            "proxy": {
                "image": PROXY,
                "memory_reservation": 64,
                "health_check_command": ["CMD-SHELL", "curl -f http://localhost:9901/ready"],
                "app_waits_for": "HEALTHY",
            },
        },
    ),
}


def _after(changes: dict[str, Any], address: str) -> dict[str, Any]:
    after: dict[str, Any] = changes[address]["after"]
    return after


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims, then the claims across the
    three instances of the dev service (no name, api, worker)."""
    results = assert_all_equivalent(EcsService, SAMPLES, terraform, tmp_path)
    assert_names_distinct({s: results[s] for s in ("dev", "api", "worker")})
    check_each_sample(results, check_sample)


#: every name an instance gives AWS that must be unique per account/region (or per namespace, cluster)
NAMED = {
    "aws_ecs_service.this[0]": "name",
    "aws_ecs_task_definition.definition": "family",
    "aws_cloudwatch_log_group.logs": "name",
    "aws_iam_role.execution": "name",
    "aws_iam_role_policy.execution_access": "name",
    "aws_security_group.tasks": "name",
    "aws_service_discovery_service.discovery[0]": "name",
}


def assert_names_distinct(instances: dict[str, dict[str, Any]]) -> None:
    """Instances of one service in one environment, with different names (or none), collide on no name: what
    made two instances plan cleanly and fail at apply before the name segment."""
    seen: dict[str, str] = {}
    for instance, changes in instances.items():
        names = {a: changes[a]["after"][attr] for a, attr in NAMED.items() if a in changes}
        task_role = changes.get("aws_iam_role.task[0]")
        if task_role:
            names["aws_iam_role.task[0]"] = task_role["after"]["name"]
        assert {"aws_ecs_service.this[0]", "aws_cloudwatch_log_group.logs", "aws_iam_role.execution"} <= set(names)
        for address, name in names.items():
            kind = address.split(".")[0]
            other = seen.setdefault(f"{kind}:{name}", f"{instance} {address}")
            assert other == f"{instance} {address}", f"{instance} {address} is named {name!r} like {other}"
    assert seen["aws_ecs_service:dev-fileflow-worker"] and seen["aws_cloudwatch_log_group:/ecs/dev/fileflow-api"]
    assert seen["aws_ecs_service:dev-fileflow"] == "dev aws_ecs_service.this[0]", "no name: the names as before"


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    if sample == "worker":
        check_worker(changes)
        return
    if sample == "api":
        return  # its names are checked across the instances
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
    containers = json.loads(_after(changes, "aws_ecs_task_definition.definition")["container_definitions"])
    assert len(containers) == 1, "without sidecars and FireLens the task holds the app alone, as before"
    container = containers[0]
    assert container["readonlyRootFilesystem"] is True
    assert "dependsOn" not in container
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


def check_worker(changes: dict[str, Any]) -> None:
    """FireLens and two sidecars: every container read-only with /tmp, the app and the sidecars log through
    the router, the router itself with awslogs to the encrypted group; the ordering as declared plus the
    router first; the execution role reads the sidecar's secret and pulls the sidecar's ECR image."""
    definition = _after(changes, "aws_ecs_task_definition.definition")
    containers = {c["name"]: c for c in json.loads(definition["container_definitions"])}
    assert list(containers) == ["fileflow", "log_router", "metrics", "proxy"]
    assert all(c["readonlyRootFilesystem"] is True for c in containers.values())
    assert all(c["mountPoints"][0]["containerPath"] == "/tmp" for c in containers.values())
    router = containers.pop("log_router")
    assert router["firelensConfiguration"]["type"] == "fluentbit"
    assert router["essential"] is True and router["image"] == FLUENT_BIT
    assert router["logConfiguration"]["logDriver"] == "awslogs"
    assert router["logConfiguration"]["options"]["awslogs-group"] == "/ecs/dev/fileflow-worker"
    for c in containers.values():
        assert c["logConfiguration"] == {
            "logDriver": "awsfirelens",
            "options": {
                "Name": "cloudwatch_logs",
                "region": "ap-northeast-2",
                "log_group_name": "/ecs/dev/fileflow-worker",
                "log_stream_prefix": "fileflow/",
                "auto_create_group": "false",
            },
        }
    app, metrics, proxy = containers["fileflow"], containers["metrics"], containers["proxy"]
    assert app["dependsOn"] == [
        {"containerName": "log_router", "condition": "START"},
        {"containerName": "proxy", "condition": "HEALTHY"},
    ]
    assert metrics["dependsOn"] == [
        {"containerName": "fileflow", "condition": "HEALTHY"},
        {"containerName": "log_router", "condition": "START"},
    ]
    assert (metrics["cpu"], metrics["memoryReservation"]) == (64, 128)
    assert metrics["secrets"] == [{"name": "AGENT_TOKEN", "valueFrom": METRICS_SECRET}]
    assert "cpu" not in proxy and proxy["healthCheck"]["command"][0] == "CMD-SHELL"
    policy = json.loads(_after(changes, "aws_iam_role_policy.execution_access")["policy"])
    grants = {st["Sid"]: st["Resource"] for st in policy["Statement"]}
    assert grants["ReadInjectedSecrets"] == METRICS_SECRET
    assert set(grants["EcrPull"]) == {
        f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/fileflow",
        f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/envoy",
    }
    # the given task role is used: the module creates no role and no FireLens grant of its own
    assert "aws_iam_role.task[0]" not in changes and "aws_iam_role_policy.firelens_logs[0]" not in changes
    assert definition["task_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/dev-fileflow-worker"
    assert _after(changes, "aws_service_discovery_service.discovery[0]")["name"] == "fileflow-worker"


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


def test_interface_budget_and_security_toggles() -> None:
    inputs = {i.name: i for i in EcsServiceProps.inputs()}
    assert len(inputs) <= 28, "budget: tests/catalog/test_catalog.py INPUT_BUDGET"
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
