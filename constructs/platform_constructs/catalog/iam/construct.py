"""IAM role with presets for ECS task / execution roles and least-privilege permission templates.

Why templates instead of free-form policy JSON: each template (secrets, SSM parameters, KMS keys, S3
buckets, RDS IAM auth, log groups, ECR repositories) takes only resource ARNs, validated per service, and
writes the smallest action set for that job on exactly those resources. A caller cannot write ``"*"``
by mistake, and reviewers read a list of ARNs instead of a policy. Everything goes into one inline policy
built by ``data "aws_iam_policy_document"`` with one dynamic statement per template, so checkov and
``inline_policy_json`` show the real document. Managed policies stay possible (``managed_policy_arns``,
a map so each attachment has a stable address), minus the AWS administrator policies.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import CommonProps, RuleKey, Segment
from platform_constructs.catalog.construct import CatalogConstruct
from platform_constructs.catalog.iam.rules import AtMostEntries, NotContaining, PolicyJson
from platform_constructs.catalog.props import CrossCheck
from platform_constructs.naming import Kind
from platform_constructs.rules import ACCOUNT, Between, Matches, NotMatches, OneOf, each, keys, regional_arn, when_set

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
        AtMostEntries("A role takes at most 20 managed policies (the raised AWS quota; the default is 10).", 20),
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


class IamRole(CatalogConstruct):
    """An IAM role whose trust is a preset and whose permissions are lists of ARNs.

    For an ECS service you usually create two: an `ecs_task` role (what your code may do: read its
    secrets, read/write its buckets, connect to its database with IAM auth) and an `ecs_execution` role
    (what ECS itself needs to start the task: pull the image, write the log group, inject secrets). Give
    each input only the ARNs the role needs: every non-empty list adds its statements to the role's one
    inline policy, on exactly those resources, and an empty list adds nothing. `inline_policy_json`
    shows the result for review. Pass `source_account_id` to guard the trust policy against the
    confused-deputy problem, and compose by output name: `role_arn` goes to the ecs_service module's
    task/execution role inputs; the rds module's `iam_database_user_arn_prefix` (it ends with `/`) plus
    the user name goes to `rds_connect_user_arns`, e.g. `"${module.db.iam_database_user_arn_prefix}app"`.

    Caveat: IAM limits a role's inline policies to 10,240 characters, so very long ARN lists fail at
    apply; split them across roles or attach a customer managed policy through `managed_policy_arns`.
    """

    NAME = "iam"
    SUMMARY = "IAM role with ECS task/execution presets and least-privilege policy templates over ARNs."
    PROPS = IamRoleProps
    SECURITY_NOTES = (
        "Every permission names its resources: no `*` resource except `ecr:GetAuthorizationToken`, "
        "which has no resource-level permissions.",
        "ARNs are validated per service (Secrets Manager, SSM, KMS keys, S3 buckets, RDS IAM users, log groups, "
        "ECR repositories), with one region and one account and no wildcards.",
        "`AdministratorAccess`, `PowerUserAccess` and `IAMFullAccess` cannot be attached; account roots and `*` "
        "cannot be trusted.",
        "The ECS presets trust `ecs-tasks.amazonaws.com` only; with `source_account_id` the trust also requires "
        "`aws:SourceAccount` (confused-deputy guard).",
        "The execution preset refuses application permissions (S3, RDS) and the task preset refuses ECR pulls, "
        "so each role holds only its own job's permissions.",
        "Sessions last one hour by default; `permissions_boundary_arn` sets a boundary when the account needs one.",
    )
    UPGRADE_NOTES = (
        "Managed policy attachments are addressed by their `managed_policy_arns` key: renaming a key detaches "
        "and re-attaches the policy (add a `moved` block to keep it).",
        "Changing `name`, `environment`, `service_name` or `path` replaces the role; consumers of `role_arn` "
        "pick up the new ARN on the same apply.",
        "Statement Sids (SecretsManagerRead, S3ReadObjects, TrustServices, ...) are part of the interface: "
        "Sids in `custom_trust_policy_json` must not reuse TrustServices or TrustRoles.",
    )

    def build(self) -> None:
        name = self.name_local("role_name")
        self.local(
            "trusted_service_principals",
            self.x(f'var.preset == "custom" ? var.trusted_services : ["{ECS_PRINCIPAL}"]'),
        )
        self.local(
            "preset_descriptions",
            {
                "ecs_task": "ECS task role of ${var.service_name}: the application's AWS permissions.",
                "ecs_execution": "ECS execution role of ${var.service_name}: image pulls, logs and secret injection.",
                "custom": "Role of ${var.service_name} in ${var.environment}.",
            },
        )
        self.local("s3_bucket_arns", self.x("distinct(concat(var.s3_read_bucket_arns, var.s3_write_bucket_arns))"))

        # Every template is its own small document with static statements, read only when its input is
        # non-empty (count), and the role's documents merge them with source_policy_documents. Static
        # statements are what scanners read (checkov renders no dynamic blocks in data sources), and an
        # empty input adds no statement at all (IAM refuses a statement without Resource).
        # Every count depends only on list lengths and var.preset, never on an ARN's value: ARNs are
        # usually other resources' attributes (unknown at plan), and length() of a list of unknown strings
        # is still known, while distinct()/compact()/== null over them is not.
        def document(doc: str, when: str, statements: list[dict[str, Any]]) -> str:
            self.data(
                "aws_iam_policy_document",
                doc,
                {"count": self.x(f"{when} ? 1 : 0"), "statement": statements},
            )
            return self.addr("data.aws_iam_policy_document", doc) + "[*].json"

        def allow(sid: str, actions: list[str], resources: str, **extra: Any) -> dict[str, Any]:
            return {"sid": sid, "effect": "Allow", "actions": actions, "resources": self.x(resources), **extra}

        def some(field: str) -> str:
            return f"length(var.{field}) > 0"

        assume = ["sts:AssumeRole"]
        trust_parts = [
            document(
                "trust_services",
                "length(local.trusted_service_principals) > 0",
                [
                    {
                        "sid": "TrustServices",
                        "effect": "Allow",
                        "actions": assume,
                        "principals": [{"type": "Service", "identifiers": self.x("local.trusted_service_principals")}],
                        # confused-deputy guard: only on behalf of this account (when the caller names it)
                        "dynamic": {
                            "condition": {
                                "for_each": self.x("var.source_account_id == null ? [] : [var.source_account_id]"),
                                "content": {
                                    "test": "StringEquals",
                                    "variable": "aws:SourceAccount",
                                    "values": ["${condition.value}"],
                                },
                            }
                        },
                    }
                ],
            ),
            document(
                "trust_roles",
                some("trusted_role_arns"),
                [
                    {
                        "sid": "TrustRoles",
                        "effect": "Allow",
                        "actions": assume,
                        "principals": [{"type": "AWS", "identifiers": self.x("var.trusted_role_arns")}],
                    }
                ],
            ),
            "var.custom_trust_policy_json == null ? [] : [var.custom_trust_policy_json]",
        ]
        trust = self.data(
            "aws_iam_policy_document",
            "trust",
            {"source_policy_documents": self.x(f"concat({', '.join(trust_parts)})")},
        )

        permission_parts = [
            document(
                "secrets",
                some("secret_arns"),
                [allow("SecretsManagerRead", ["secretsmanager:GetSecretValue"], "var.secret_arns")],
            ),
            document(
                "ssm_parameters",
                some("ssm_parameter_arns"),
                [allow("SsmParameterRead", ["ssm:GetParameters"], "var.ssm_parameter_arns")],
            ),
            document("kms", some("kms_key_arns"), [allow("KmsDecrypt", ["kms:Decrypt"], "var.kms_key_arns")]),
            document(
                "kms_s3_writes",
                f"{some('kms_key_arns')} && {some('s3_write_bucket_arns')}",
                [allow("KmsGenerateDataKeyForS3Writes", ["kms:GenerateDataKey"], "var.kms_key_arns")],
            ),
            document(
                # count from the input lengths, never from distinct(): distinct() of ARNs that are only known
                # after apply (aws_s3_bucket.x.arn) has an unknown length, and count must be known at plan
                "s3_buckets",
                f"{some('s3_read_bucket_arns')} || {some('s3_write_bucket_arns')}",
                [allow("S3ListBuckets", ["s3:GetBucketLocation", "s3:ListBucket"], "local.s3_bucket_arns")],
            ),
            document(
                "s3_read",
                some("s3_read_bucket_arns"),
                [allow("S3ReadObjects", ["s3:GetObject"], '[for arn in var.s3_read_bucket_arns : "${arn}/*"]')],
            ),
            document(
                "s3_write",
                some("s3_write_bucket_arns"),
                [
                    allow(
                        "S3WriteObjects",
                        ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"],
                        '[for arn in var.s3_write_bucket_arns : "${arn}/*"]',
                    )
                ],
            ),
            document(
                "rds_connect",
                some("rds_connect_user_arns"),
                [allow("RdsIamConnect", ["rds-db:connect"], "var.rds_connect_user_arns")],
            ),
            document(
                "logs",
                some("log_group_arns"),
                [
                    allow(
                        "CloudWatchLogsWrite",
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        '[for arn in var.log_group_arns : "${arn}:*"]',
                    )
                ],
            ),
            document(
                "ecr",
                some("ecr_repository_arns"),
                [
                    allow(
                        "EcrPull",
                        ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        "var.ecr_repository_arns",
                    ),
                    # the one action without resource-level permissions: "*" is its only valid resource
                    allow("EcrAuthorizationToken", ["ecr:GetAuthorizationToken"], '["*"]'),
                ],
            ),
        ]
        permissions = self.data(
            "aws_iam_policy_document",
            "permissions",
            {"source_policy_documents": self.x(f"concat({', '.join(permission_parts)})")},
        )
        self.local("has_inline_policy", self.x(f"length(concat({', '.join(permission_parts)})) > 0"))

        role = self.resource(
            "aws_iam_role",
            "this",
            {
                "name": name,
                "path": self.x("var.path"),
                "description": self.x("coalesce(var.description, local.preset_descriptions[var.preset])"),
                "assume_role_policy": trust.get_string_attribute("json"),
                "max_session_duration": self.x("var.max_session_duration"),
                "permissions_boundary": self.x("var.permissions_boundary_arn"),
                # the module owns the role: destroying it must not fail on a policy someone attached by hand
                "force_detach_policies": True,
                "tags": self.tags(name),
            },
        )
        self.named("this", "role_name")
        self.resource(
            "aws_iam_role_policy",
            "inline",
            {
                "count": self.x("local.has_inline_policy ? 1 : 0"),
                "name": name,
                "role": role.get_string_attribute("id"),
                "policy": permissions.get_string_attribute("json"),
            },
        )
        self.resource(
            "aws_iam_role_policy_attachment",
            "managed",
            {
                "for_each": self.x("var.managed_policy_arns"),
                "role": role.get_string_attribute("name"),
                "policy_arn": "${each.value}",
            },
        )
        self.output("role_arn", role.get_string_attribute("arn"), "ARN of the role (task/execution role inputs).")
        self.output("role_name", role.get_string_attribute("name"), "Name of the role.")
        self.output("role_id", role.get_string_attribute("id"), "ID of the role (its name, as Terraform reports it).")
        self.output("role_unique_id", role.get_string_attribute("unique_id"), "Stable unique id of the role (AROA...).")
        perms = self.addr("data.aws_iam_policy_document", "permissions")
        self.output(
            "inline_policy_json",
            self.x(f"local.has_inline_policy ? {perms}.json : null"),
            "The role's inline policy as JSON (null when no permission template is set), for review.",
        )
        self.output("trust_policy_json", trust.get_string_attribute("json"), "The role's trust policy as JSON.")
