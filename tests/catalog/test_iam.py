"""The iam module: equivalence of its three forms, every validation and precondition, Python and Terraform."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.iam import IamRole, IamRoleProps
from platform_constructs.tf import Terraform
from support.catalog import (
    assert_all_equivalent,
    check_each_sample,
)
from support.catalog_cases.iam import (
    ACCOUNT,
    BOUNDARY,
    CI_ROLE,
    DB_USER,
    KMS_KEY,
    LOG_GROUP,
    OIDC_TRUST,
    PARAMETER,
    RDS_SECRET,
    REPORTS,
    REPOSITORY,
    SECRET,
    UPLOADS,
    VALID,
)

SAMPLES = {
    # dev: an ECS task role with no permissions at all (no inline policy is created)
    "task-minimal": IamRoleProps.create(**{**VALID, "secret_arns": []}),
    "execution": IamRoleProps.create(
        **{**VALID, "name": "execution", "preset": "ecs_execution", "secret_arns": [RDS_SECRET]},
        source_account_id=ACCOUNT,
        ssm_parameter_arns=[PARAMETER],
        kms_key_arns=[KMS_KEY],
        log_group_arns=[LOG_GROUP],
        ecr_repository_arns=[REPOSITORY],
    ),
    # prod: every optional input set
    "custom-full": IamRoleProps.create(
        environment="prod",
        service_name="fileflow",
        name="worker",
        preset="custom",
        description="Nightly worker.",
        tags={"Team": "storage"},
        trusted_services=["lambda.amazonaws.com"],
        trusted_role_arns=[CI_ROLE],
        custom_trust_policy_json=OIDC_TRUST,
        source_account_id=ACCOUNT,
        secret_arns=[SECRET],
        ssm_parameter_arns=[PARAMETER],
        kms_key_arns=[KMS_KEY],
        s3_read_bucket_arns=[UPLOADS, REPORTS],
        s3_write_bucket_arns=[UPLOADS],
        rds_connect_user_arns=[DB_USER],
        log_group_arns=[LOG_GROUP],
        ecr_repository_arns=[REPOSITORY],
        managed_policy_arns={"xray": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"},
        permissions_boundary_arn=BOUNDARY,
        max_session_duration=7200,
        path="/services/",
    ),
}


def _statements(policy: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims."""
    check_each_sample(assert_all_equivalent(IamRole, SAMPLES, terraform, tmp_path), check_sample)


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    role = changes["aws_iam_role.this"]["after"]
    trust = _statements(role["assume_role_policy"])
    policy = changes.get("aws_iam_role_policy.inline[0]", {}).get("after", {}).get("policy")
    statements = _statements(policy) if policy else {}
    # least privilege: "*" only where IAM has no resource-level permissions
    for sid, stmt in statements.items():
        assert "*" not in _as_list(stmt["Resource"]) or sid == "EcrAuthorizationToken", stmt
        assert "*" not in _as_list(stmt["Action"]), stmt
    assert role["max_session_duration"] == SAMPLES[sample].max_session_duration
    if sample == "task-minimal":
        assert set(changes) == {"aws_iam_role.this"}, "no permission input: no inline policy, no attachment"
        assert trust["TrustServices"]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert "Condition" not in trust["TrustServices"]
        assert role["name"] == "dev-fileflow-task"
    elif sample == "execution":
        assert trust["TrustServices"]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
        assert set(statements) == {
            "SecretsManagerRead",
            "SsmParameterRead",
            "KmsDecrypt",
            "CloudWatchLogsWrite",
            "EcrPull",
            "EcrAuthorizationToken",
        }
        assert _as_list(statements["CloudWatchLogsWrite"]["Resource"]) == [f"{LOG_GROUP}:*"]
    else:
        assert set(trust) == {"TrustServices", "TrustRoles", "GithubActions"}
        assert trust["TrustRoles"]["Principal"] == {"AWS": CI_ROLE}
        assert role["permissions_boundary"] == BOUNDARY
        assert role["path"] == "/services/"
        assert role["tags"]["Team"] == "storage" and role["tags"]["ManagedBy"] == "terraform"
        assert 'aws_iam_role_policy_attachment.managed["xray"]' in changes
        assert set(_as_list(statements["S3ListBuckets"]["Resource"])) == {UPLOADS, REPORTS}
        assert _as_list(statements["S3WriteObjects"]["Resource"]) == [f"{UPLOADS}/*"]
        assert "KmsGenerateDataKeyForS3Writes" in statements
        assert _as_list(statements["RdsIamConnect"]["Resource"]) == [DB_USER]
