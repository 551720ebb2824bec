"""Policy documents built as plain data, so the synthesized JSON shows them whole to checkov and Rego.

Every ARN the platform's policies name is known at synth time (names come from the registry), so no
policy needs a Terraform reference or a data source.
"""

from __future__ import annotations

import json
from typing import Any

Statement = dict[str, Any]


def document(*statements: Statement) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=None, separators=(",", ":"))


def deny_insecure_transport(bucket_arn: str) -> list[Statement]:
    """Refuse plain HTTP and TLS older than 1.2 for every principal (CIS / AWS S3 best practice)."""
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTLS",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ]


KEY_ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]
KEY_USER_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def key_policy(
    account_id: str, *, admins: tuple[str, ...], users: tuple[str, ...], via_services: tuple[str, ...]
) -> str:
    """Key policy for a platform CMK.

    * The account root keeps ``kms:*`` so IAM stays in control and the key can never be orphaned
      (AWS's default key policy does the same).
    * Administrators may manage the key but get no data-plane actions.
    * Users may encrypt and decrypt only through ``via_services`` (S3, DynamoDB), and may create the
      grants those services need (``kms:GrantIsForAWSResource``), nothing else.

    Administrators and users are matched on ``aws:PrincipalArn`` with the account pinned by
    ``kms:CallerAccount`` / ``aws:PrincipalAccount``, not named as principals: KMS rejects a key policy
    whose principal does not exist yet, and the state backend is created before the roles that use it
    (the bootstrap order). The effect for those roles is the same as naming them; no other principal
    gains anything from these statements.
    """
    statements: list[Statement] = [
        {
            "Sid": "EnableAccountRootIAMDelegation",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    if admins:
        statements.append(
            {
                "Sid": "KeyAdministration",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": KEY_ADMIN_ACTIONS,
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:PrincipalAccount": account_id},
                    "ArnLike": {"aws:PrincipalArn": sorted(admins)},
                },
            }
        )
    if users:
        scope = {
            "StringEquals": {"kms:CallerAccount": account_id, "kms:ViaService": sorted(via_services)},
            "ArnLike": {"aws:PrincipalArn": sorted(users)},
        }
        statements.append(
            {
                "Sid": "KeyUseThroughServices",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": KEY_USER_ACTIONS,
                "Resource": "*",
                "Condition": scope,
            }
        )
        statements.append(
            {
                "Sid": "GrantsForAWSServices",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {**scope, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
    return document(*statements)
