"""Props of the iam module: the role's variables, permission templates, validation blocks and cross-field rules."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import CommonProps, RuleKey, Segment
from platform_constructs.catalog.iam.rules import PolicyJson
from platform_constructs.catalog.props import CrossCheck
from platform_constructs.naming import Kind
from platform_constructs.rules import (
    ACCOUNT,
    Between,
    Matches,
    NotContaining,
    NotMatches,
    OneOf,
    at_most,
    each,
    keys,
    regional_arn,
    when_set,
)

PRESETS = ("ecs_task", "ecs_execution", "custom")
ECS_PRINCIPAL = "ecs-tasks.amazonaws.com"
#: IAM path segment characters (IAM allows any printable ASCII; we keep the name charset: no spaces, no '*')
_IAM_CHARS = r"[A-Za-z0-9_+=,.@-]"
POLICY_ARN = rf"arn:aws:iam::(?:aws|{ACCOUNT}):policy/(?:{_IAM_CHARS}+/)*{_IAM_CHARS}{{1,128}}"
#: AWS-managed policies that grant (or can grant themselves) administrator access
ADMIN_POLICIES = r"arn:aws:iam::aws:policy/(?:AdministratorAccess|PowerUserAccess|IAMFullAccess)"

ServicePrincipals = each(
    Matches(
        "Every trusted service must be an AWS service principal such as ecs-tasks.amazonaws.com.",
        r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com",
    )
)
RoleArns = each(
    Matches(
        "Every trusted role must be an IAM role ARN (arn:aws:iam::<account>:role/<name>); "
        "account roots and '*' are refused.",
        rf"arn:aws:iam::{ACCOUNT}:role/(?:{_IAM_CHARS}+/)*{_IAM_CHARS}{{1,64}}",
    )
)
SecretArns = each(
    regional_arn(
        "secretsmanager",
        r"secret:[A-Za-z0-9/_+=.@!?-]+",
        "Every secret must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), "
        "without '*'.",
    )
)
SsmParameterArns = each(
    regional_arn(
        "ssm",
        r"parameter/[A-Za-z0-9_./-]+",
        "Every parameter must be an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>), without '*'.",
    )
)
KmsKeyArns = each(
    regional_arn(
        "kms",
        r"key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})",
        "Every KMS key must be a key ARN (arn:aws:kms:<region>:<account>:key/<key-id>); aliases do not authorize.",
    )
)
BucketArns = each(
    Matches(
        "Every bucket must be an S3 bucket ARN (arn:aws:s3:::<bucket>) without a key path or '*'.",
        r"arn:aws:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
    )
)
DbUserArns = each(
    regional_arn(
        "rds-db",
        r"dbuser:(?:db|cluster)-[A-Za-z0-9]+/[A-Za-z_][A-Za-z0-9_.@-]{0,62}",
        "Every database user must be an RDS IAM auth ARN "
        "(arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>), without '*'.",
    )
)
LogGroupArns = each(
    regional_arn(
        "logs",
        r"log-group:[.\-_/#A-Za-z0-9]{1,512}",
        "Every log group must be a log group ARN (arn:aws:logs:<region>:<account>:log-group:<name>) "
        "without a trailing ':*' (the module adds it).",
    )
)
EcrRepositoryArns = each(
    regional_arn(
        "ecr",
        r"repository/[a-z0-9][a-z0-9._/-]{1,255}",
        "Every repository must be an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>).",
    )
)


def _empty(*lists: list[str]) -> bool:
    return all(not v for v in lists)


class IamRoleProps(CommonProps):
    name: Annotated[str, Segment] = Field(
        description="Name segment of the role: the role is named {environment}-{service_name}-{name} (64 at most)."
    )
    preset: Annotated[str, OneOf("The preset must be one of ecs_task, ecs_execution, custom.", PRESETS)] = Field(
        description=(
            "Who may assume the role: ecs_task and ecs_execution = ecs-tasks.amazonaws.com only (the task's "
            "application role, and the role ECS uses to pull images, ship logs and inject secrets); custom = "
            "trusted_services, trusted_role_arns and/or custom_trust_policy_json."
        )
    )
    description: Annotated[
        str | None, when_set(Matches("The description must be 1-1000 printable ASCII characters.", r"[ -~]{1,1000}"))
    ] = Field(None, description="Role description; null writes one from the preset and service_name.")
    trusted_services: Annotated[list[str], ServicePrincipals] = Field(
        default_factory=list,
        description="custom preset: AWS service principals (*.amazonaws.com) that may assume the role.",
    )
    trusted_role_arns: Annotated[list[str], RoleArns] = Field(
        default_factory=list,
        description="custom preset: IAM role ARNs that may assume the role (account roots are refused).",
    )
    custom_trust_policy_json: Annotated[
        str | None,
        when_set(PolicyJson("The custom_trust_policy_json must be a JSON policy document with a Statement.")),
        when_set(
            NotContaining(
                "The custom_trust_policy_json must not trust '*' (any AWS principal).",
                r"\"(?:AWS|Principal)\"\s*:\s*(?:\[[^\]]*)?\"\*\"",
            )
        ),
        when_set(
            NotContaining(
                "The custom_trust_policy_json must not reuse the Sids TrustServices or TrustRoles (the module's own).",
                r"\"Sid\"\s*:\s*\"Trust(?:Services|Roles)\"",
            )
        ),
    ] = Field(
        None,
        description=(
            "custom preset: trust statements merged into the generated ones (for example a federated OIDC "
            "principal with its conditions); statement Sids must differ from TrustServices and TrustRoles."
        ),
    )
    source_account_id: Annotated[
        str | None, when_set(Matches("The source_account_id must be a 12-digit AWS account id.", ACCOUNT))
    ] = Field(
        None,
        description=(
            "Confused-deputy guard: when set, the service trust statement requires aws:SourceAccount to equal it "
            "(set it for ECS roles; only for services that send aws:SourceAccount)."
        ),
    )
    secret_arns: Annotated[list[str], SecretArns] = Field(
        default_factory=list, description="Secrets Manager secrets the role may read (secretsmanager:GetSecretValue)."
    )
    ssm_parameter_arns: Annotated[list[str], SsmParameterArns] = Field(
        default_factory=list, description="SSM parameters the role may read (ssm:GetParameters), e.g. for ECS secrets."
    )
    kms_key_arns: Annotated[list[str], KmsKeyArns] = Field(
        default_factory=list,
        description=(
            "Customer managed KMS keys the role may decrypt with (kms:Decrypt; plus kms:GenerateDataKey when "
            "s3_write_bucket_arns is set, which SSE-KMS uploads need)."
        ),
    )
    s3_read_bucket_arns: Annotated[list[str], BucketArns] = Field(
        default_factory=list,
        description="Buckets the role may list and read objects from (s3:ListBucket, s3:GetObject on <arn>/*).",
    )
    s3_write_bucket_arns: Annotated[list[str], BucketArns] = Field(
        default_factory=list,
        description=(
            "Buckets the role may list and write objects to (s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload "
            "on <arn>/*); list a bucket in both lists for read-write."
        ),
    )
    rds_connect_user_arns: Annotated[list[str], DbUserArns] = Field(
        default_factory=list,
        description=(
            "Database users the role may connect as with IAM auth (rds-db:connect): the rds module's "
            "iam_database_user_arn_prefix (it ends with '/') followed by the user name."
        ),
    )
    log_group_arns: Annotated[list[str], LogGroupArns] = Field(
        default_factory=list,
        description="Log groups the role may write to (logs:CreateLogStream, logs:PutLogEvents on <arn>:*).",
    )
    ecr_repository_arns: Annotated[list[str], EcrRepositoryArns] = Field(
        default_factory=list,
        description=(
            "ECR repositories the role may pull from (layer and image reads on the repositories; "
            "ecr:GetAuthorizationToken on * because it has no resource-level permissions)."
        ),
    )
    managed_policy_arns: Annotated[
        dict[str, str],
        keys(RuleKey),
        each(
            Matches(
                "Every managed policy must be an IAM policy ARN (arn:aws:iam::<account|aws>:policy/...).", POLICY_ARN
            )
        ),
        each(
            NotMatches(
                "AdministratorAccess, PowerUserAccess and IAMFullAccess are refused: grant least privilege.",
                ADMIN_POLICIES,
            )
        ),
        at_most(20, "A role takes at most 20 managed policies (the raised AWS quota; the default is 10)."),
    ] = Field(default_factory=dict, description="Managed policies to attach, by stable key (the attachment address).")
    permissions_boundary_arn: Annotated[
        str | None,
        when_set(Matches("The permissions_boundary_arn must be an IAM policy ARN.", POLICY_ARN)),
    ] = Field(None, description="Permissions boundary of the role (often required by the account's SCPs).")
    max_session_duration: Annotated[
        int, Between("The max_session_duration must be whole seconds from 3600 to 43200.", 3600, 43200)
    ] = Field(3600, description="Longest session, in seconds, a principal may request when assuming the role.")
    path: Annotated[
        str,
        Matches(
            "The path must start and end with '/' and hold letters, digits and _+=,.@- in between.",
            rf"/(?:{_IAM_CHARS}+/)*",
        ),
        Matches("The path must be at most 512 characters.", r".{1,512}"),
    ] = Field("/", description="IAM path of the role.")

    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {"role_name": ("{environment}-{service_name}-{name}", Kind.IAM_ROLE)}
    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            ("preset", "trusted_services", "trusted_role_arns", "custom_trust_policy_json"),
            lambda p: (
                p.preset != "custom"
                or bool(p.trusted_services or p.trusted_role_arns)
                or p.custom_trust_policy_json is not None
            ),
            '{preset} != "custom" || length({trusted_services}) + length({trusted_role_arns}) > 0 || '
            "{custom_trust_policy_json} != null",
            "The custom preset needs trusted_services, trusted_role_arns or custom_trust_policy_json.",
            "this",
        ),
        CrossCheck(
            ("preset", "trusted_services", "trusted_role_arns", "custom_trust_policy_json"),
            lambda p: (
                p.preset == "custom"
                or (_empty(p.trusted_services, p.trusted_role_arns) and p.custom_trust_policy_json is None)
            ),
            '{preset} == "custom" || (length({trusted_services}) + length({trusted_role_arns}) == 0 && '
            "{custom_trust_policy_json} == null)",
            "The ECS presets trust ecs-tasks.amazonaws.com only: trusted_services, trusted_role_arns and "
            "custom_trust_policy_json need preset = custom.",
            "this",
        ),
        CrossCheck(
            ("preset", "log_group_arns"),
            lambda p: p.preset != "ecs_execution" or bool(p.log_group_arns),
            '{preset} != "ecs_execution" || length({log_group_arns}) > 0',
            "The ecs_execution preset needs log_group_arns: the awslogs driver writes with this role.",
            "this",
        ),
        CrossCheck(
            ("preset", "s3_read_bucket_arns", "s3_write_bucket_arns", "rds_connect_user_arns"),
            lambda p: (
                p.preset != "ecs_execution"
                or _empty(p.s3_read_bucket_arns, p.s3_write_bucket_arns, p.rds_connect_user_arns)
            ),
            '{preset} != "ecs_execution" || length(concat({s3_read_bucket_arns}, {s3_write_bucket_arns}, '
            "{rds_connect_user_arns})) == 0",
            "The ecs_execution preset carries no application permissions: put S3 and RDS access on the task role.",
            "this",
        ),
        CrossCheck(
            ("preset", "ecr_repository_arns"),
            lambda p: p.preset != "ecs_task" or not p.ecr_repository_arns,
            '{preset} != "ecs_task" || length({ecr_repository_arns}) == 0',
            "Image pulls belong to the execution role: ecr_repository_arns needs preset ecs_execution or custom.",
            "this",
        ),
    )
