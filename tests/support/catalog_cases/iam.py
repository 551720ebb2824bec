"""Cases of the iam module: valid inputs, one failing value per validation block, one failing combination
per precondition (tests/catalog/test_validation_coverage.py proves the coverage)."""

from __future__ import annotations

import json
from typing import Any

from support.catalog import Bad, Cross
from support.catalog_cases import reserved_tag_cases

ACCOUNT = "111111111111"
SECRET = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:dev/fileflow/api-key-AbCdEf"
RDS_SECRET = (
    f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:rds!db-0123abcd-4567-89ab-cdef-0123456789ab-AbCdEf"
)
PARAMETER = f"arn:aws:ssm:ap-northeast-2:{ACCOUNT}:parameter/dev/fileflow/flags"
KMS_KEY = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/0123abcd-4567-89ab-cdef-0123456789ab"
UPLOADS = "arn:aws:s3:::dev-fileflow-uploads"
REPORTS = "arn:aws:s3:::dev-fileflow-reports"
DB_USER = f"arn:aws:rds-db:ap-northeast-2:{ACCOUNT}:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0/app_rw"
LOG_GROUP = f"arn:aws:logs:ap-northeast-2:{ACCOUNT}:log-group:/ecs/dev-fileflow"
REPOSITORY = f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/fileflow"
CI_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ci-deploy"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/platform-boundary"
OIDC_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "GithubActions",
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"},
                "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/fileflow:*"}},
            }
        ],
    }
)

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "name": "task",
    "preset": "ecs_task",
    "secret_arns": [SECRET],
}

BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("service_name", "file_flow", "Must be lower-case letters and digits"),
    Bad("name", "Task", "Must be lower-case letters and digits"),
    Bad("tags", {"aws|x": "a"}, "Tag keys must be"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("preset", "lambda", "The preset must be one of"),
    Bad("description", "ünïcode", "The description must be 1-1000 printable ASCII"),
    Bad("trusted_services", ["ecs-tasks"], "Every trusted service must be an AWS service principal"),
    Bad("trusted_role_arns", [f"arn:aws:iam::{ACCOUNT}:root"], "Every trusted role must be an IAM role ARN"),
    Bad("custom_trust_policy_json", "{not json", "must be a JSON policy document with a Statement"),
    Bad(
        "custom_trust_policy_json",
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}),
        "must not trust '*'",
    ),
    Bad(
        "custom_trust_policy_json",
        json.dumps(
            {"Statement": [{"Sid": "TrustRoles", "Effect": "Allow", "Principal": {"Service": "x.amazonaws.com"}}]}
        ),
        "must not reuse the Sids TrustServices or TrustRoles",
    ),
    Bad("source_account_id", "1234", "The source_account_id must be a 12-digit AWS account id."),
    Bad("secret_arns", [f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:*"], "Every secret must be"),
    Bad("ssm_parameter_arns", [f"arn:aws:ssm:ap-northeast-2:{ACCOUNT}:parameter/*"], "Every parameter must be"),
    Bad("kms_key_arns", [f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:alias/app"], "Every KMS key must be a key ARN"),
    Bad("s3_read_bucket_arns", [f"{REPORTS}/*"], "Every bucket must be an S3 bucket ARN"),
    Bad("s3_write_bucket_arns", ["arn:aws:s3:::*"], "Every bucket must be an S3 bucket ARN"),
    Bad(
        "rds_connect_user_arns",
        [f"arn:aws:rds-db:ap-northeast-2:{ACCOUNT}:dbuser:*/app_rw"],
        "Every database user must be an RDS IAM auth ARN",
    ),
    Bad("log_group_arns", [f"{LOG_GROUP}:*"], "Every log group must be a log group ARN"),
    Bad("ecr_repository_arns", ["fileflow"], "Every repository must be an ECR repository ARN"),
    Bad("managed_policy_arns", {"Bad Key": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, "Keys must be 1-64"),
    Bad("managed_policy_arns", {"ro": "ReadOnlyAccess"}, "Every managed policy must be an IAM policy ARN"),
    Bad(
        "managed_policy_arns",
        {"admin": "arn:aws:iam::aws:policy/AdministratorAccess"},
        "AdministratorAccess, PowerUserAccess and IAMFullAccess are refused",
    ),
    Bad(
        "managed_policy_arns",
        {f"p{i}": f"arn:aws:iam::{ACCOUNT}:policy/p{i}" for i in range(21)},
        "A role takes at most 20 managed policies",
    ),
    Bad("permissions_boundary_arn", "platform-boundary", "The permissions_boundary_arn must be an IAM policy ARN."),
    Bad("max_session_duration", 60, "The max_session_duration must be whole seconds from 3600 to 43200."),
    Bad("path", "services", "The path must start and end with '/'"),
    Bad("path", "/" + "a" * 600 + "/", "The path must be at most 512 characters."),
    *reserved_tag_cases(),
]
# Preconditions: several inputs together (Terraform checks them at plan time, Python at props time).
CROSS = [
    Cross({"preset": "custom"}, "The custom preset needs trusted_services, trusted_role_arns or"),
    Cross({"trusted_role_arns": [CI_ROLE]}, "The ECS presets trust ecs-tasks.amazonaws.com only"),
    Cross({"preset": "ecs_execution"}, "The ecs_execution preset needs log_group_arns"),
    Cross(
        {"preset": "ecs_execution", "log_group_arns": [LOG_GROUP], "rds_connect_user_arns": [DB_USER]},
        "The ecs_execution preset carries no application permissions",
    ),
    Cross({"ecr_repository_arns": [REPOSITORY]}, "Image pulls belong to the execution role"),
]
LONG_NAME = {"service_name": "a" * 60}
#: names built from the inputs that break an AWS limit: (inputs, Terraform's precondition message, Python's)
NAME_CASES: list[tuple[dict[str, Any], str, str]] = [
    (LONG_NAME, "The iam role name must be 1-64 characters", "iam role name is 69 characters")
]
