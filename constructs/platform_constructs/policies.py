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
    """Key policy: account root (so IAM stays in control and the key cannot be orphaned), named
    administrators who cannot use the key, and named users who can use it only through ``via_services``.
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
                "Principal": {"AWS": sorted(admins)},
                "Action": KEY_ADMIN_ACTIONS,
                "Resource": "*",
            }
        )
    if users:
        statements.append(
            {
                "Sid": "KeyUseThroughServices",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(users)},
                "Action": KEY_USER_ACTIONS,
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": sorted(via_services)}},
            }
        )
    return document(*statements)
