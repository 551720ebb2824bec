"""The state-backend stack as synthesized Terraform JSON (seed task 1-1, every requirement)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.registry import Registry

pytestmark = pytest.mark.synth


@pytest.fixture(scope="module")
def doc(synth_out: Path) -> dict[str, Any]:
    return json.loads((synth_out / "stacks" / "state-backend" / "cdk.tf.json").read_text())


def res(doc: dict[str, Any], type_name: str, name: str) -> dict[str, Any]:
    return doc["resource"][type_name][name]


def test_bucket(doc: dict[str, Any], registry: Registry) -> None:
    bucket = res(doc, "aws_s3_bucket", "state")
    assert bucket["bucket"] == f"acme-terraform-state-{registry.platform.account_id}"
    assert bucket["force_destroy"] is False
    assert bucket["lifecycle"] == {"prevent_destroy": True}
    assert res(doc, "aws_s3_bucket_versioning", "state")["versioning_configuration"]["status"] == "Enabled"
    rule = res(doc, "aws_s3_bucket_server_side_encryption_configuration", "state")["rule"][0]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"] == "${aws_kms_key.state_key.arn}"
    assert rule["bucket_key_enabled"] is True
    pab = res(doc, "aws_s3_bucket_public_access_block", "state")
    assert all(
        pab[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert res(doc, "aws_s3_bucket_ownership_controls", "state")["rule"]["object_ownership"] == "BucketOwnerEnforced"
    assert res(doc, "aws_s3_bucket_logging", "state")["target_bucket"] == "${aws_s3_bucket.state_access_logs.id}"
    assert res(doc, "aws_s3_bucket_notification", "state")["eventbridge"] is True


def test_lifecycle_expires_old_noncurrent_versions(doc: dict[str, Any], registry: Registry) -> None:
    rule = res(doc, "aws_s3_bucket_lifecycle_configuration", "state")["rule"][0]
    assert rule["status"] == "Enabled"
    nve = rule["noncurrent_version_expiration"][0]
    assert nve["noncurrent_days"] == registry.state_backend.noncurrent_version_days
    assert nve["newer_noncurrent_versions"] == registry.state_backend.noncurrent_versions_kept
    assert rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 7


def test_bucket_policy_denies_insecure_transport(doc: dict[str, Any]) -> None:
    policy = json.loads(res(doc, "aws_s3_bucket_policy", "state")["policy"])
    denies = {s["Sid"]: s for s in policy["Statement"] if s["Effect"] == "Deny"}
    assert denies["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert denies["DenyOutdatedTLS"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    assert set(denies["DenyInsecureTransport"]["Resource"]) == {
        "arn:aws:s3:::acme-terraform-state-100000000000",
        "arn:aws:s3:::acme-terraform-state-100000000000/*",
    }


def test_lock_table(doc: dict[str, Any]) -> None:
    table = res(doc, "aws_dynamodb_table", "state_lock")
    assert table["name"] == "terraform-state-lock"
    assert table["hash_key"] == "LockID"
    assert table["attribute"] == [{"name": "LockID", "type": "S"}]
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": "${aws_kms_key.state_key.arn}"}
    assert table["lifecycle"] == {"prevent_destroy": True}
    assert table["deletion_protection_enabled"] is True


def test_key_alias_rotation_and_policy(doc: dict[str, Any], registry: Registry) -> None:
    key = res(doc, "aws_kms_key", "state_key")
    assert key["enable_key_rotation"] is True and key["rotation_period_in_days"] == 365
    assert key["lifecycle"] == {"prevent_destroy": True}
    assert res(doc, "aws_kms_alias", "state_key")["name"] == "alias/terraform-state-key"
    statements = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}
    account = registry.platform.account_id
    assert statements["EnableAccountRootIAMDelegation"]["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
    use = statements["KeyUseThroughServices"]
    assert use["Condition"]["ArnLike"] == {"aws:PrincipalArn": [registry.atlantis_role_arn]}
    assert use["Condition"]["StringEquals"] == {
        "kms:CallerAccount": account,
        "kms:ViaService": ["dynamodb.ap-northeast-2.amazonaws.com", "s3.ap-northeast-2.amazonaws.com"],
    }
    assert {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"} <= set(use["Action"])
    grants = statements["GrantsForAWSServices"]
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    admin = statements["KeyAdministration"]
    assert admin["Condition"]["ArnLike"] == {"aws:PrincipalArn": list(registry.platform.admin_role_arns)}
    assert admin["Condition"]["StringEquals"] == {"aws:PrincipalAccount": account}
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"} & set(admin["Action"])
    # A wildcard principal is only ever granted under an account pin and a principal ARN match.
    for statement in statements.values():
        if statement["Principal"] == {"AWS": "*"}:
            condition = statement["Condition"]
            assert condition["ArnLike"]["aws:PrincipalArn"]
            assert account in condition["StringEquals"].values()


def test_provider_versions_and_default_tags(doc: dict[str, Any], registry: Registry) -> None:
    assert doc["terraform"]["required_providers"]["aws"]["version"] == ">= 5.100, < 7.0"
    assert doc["terraform"]["required_version"] == ">= 1.11"  # use_lockfile is stable from 1.11
    provider = doc["provider"]["aws"][0]
    assert provider["allowed_account_ids"] == [registry.platform.account_id]
    assert provider["default_tags"][0]["tags"] == {
        "Environment": "shared",
        "Service": "platform",
        "Team": "platform",
        "Owner": "platform-team@acme.example",
        "CostCenter": "CC-0001",
        "ManagedBy": "terraform",
    }


def test_bootstrap_starts_on_local_state_outside_the_output(doc: dict[str, Any]) -> None:
    assert doc["terraform"]["backend"] == {"local": {"path": "../../../.state/acme-100000000000/state-backend.tfstate"}}


def test_every_checkov_skip_carries_a_reason(doc: dict[str, Any]) -> None:
    for instances in doc["resource"].values():
        for body in instances.values():
            for key, text in body.get("//", {}).items():
                if key.startswith("checkov_skip_"):
                    check, _, reason = text.removeprefix("checkov:skip=").partition(":")
                    assert key == f"checkov_skip_{check}" and len(reason.strip()) > 40, text


def test_hcl_form_written_next_to_json(synth_out: Path) -> None:
    main_tf = synth_out / "hcl" / "state-backend" / "main.tf"
    text = main_tf.read_text()
    assert 'resource "aws_s3_bucket" "state"' in text
    assert "# checkov:skip=CKV_AWS_144:" in text
