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

from typing import Any

from platform_constructs.catalog.construct import CatalogConstruct
from platform_constructs.catalog.iam.props import ECS_PRINCIPAL, IamRoleProps


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
