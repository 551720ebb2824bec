"""The rds module: equivalence of its three forms, every validation and precondition, secure planned values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.rds import Rds, RdsProps
from platform_constructs.tf import Terraform
from support.catalog import (
    assert_all_equivalent,
    check_each_sample,
)
from support.catalog_cases.rds import KEY, PROD, VALID

SAMPLES = {"dev": RdsProps.create(**VALID), "prod": RdsProps.create(**PROD)}


@pytest.mark.terraform
def test_json_hcl_and_stack_mode_plan_the_same(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    """Every sample in one plan (see catalog_harness), then each sample's own claims."""
    check_each_sample(assert_all_equivalent(Rds, SAMPLES, terraform, tmp_path), check_sample)


def check_sample(sample: str, changes: dict[str, Any]) -> None:
    db = changes["aws_db_instance.this"]["after"]
    # secure values that are not inputs
    assert db["storage_encrypted"] is True
    assert db["publicly_accessible"] is False
    assert db["manage_master_user_password"] is True
    assert db["copy_tags_to_snapshot"] is True
    assert db["skip_final_snapshot"] is False
    assert db["auto_minor_version_upgrade"] is True
    assert db["ca_cert_identifier"] == "rds-ca-rsa2048-g1"
    # secure defaults that are inputs
    assert db["deletion_protection"] is True
    assert db["iam_database_authentication_enabled"] is True
    assert db["performance_insights_enabled"] is True
    assert db["backup_retention_period"] >= 7
    assert not any(a.startswith("aws_vpc_security_group_egress_rule") for a in changes)
    assert "aws_secretsmanager_secret_rotation.master_password" in changes
    if sample == "dev":
        assert db["engine"] == "postgres" and db["multi_az"] is True
        assert db["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
        # no key given: the module's own CMK with rotation, used for PI and the secret too (unknown at plan)
        assert changes["aws_kms_key.key[0]"]["after"]["enable_key_rotation"] is True
        assert "aws_kms_key_policy.key_policy[0]" in changes
        for attr in ("kms_key_id", "performance_insights_kms_key_id", "master_user_secret_kms_key_id"):
            assert changes["aws_db_instance.this"]["after_unknown"][attr] is True
        params = {p["name"]: p["value"] for p in changes["aws_db_parameter_group.postgres[0]"]["after"]["parameter"]}
        assert params["rds.force_ssl"] == "1" and params["log_statement"] == "ddl"
        assert changes["aws_db_parameter_group.postgres[0]"]["after"]["family"] == "postgres16"
        assert not any(a.startswith(("aws_db_option_group", "aws_db_instance.replica")) for a in changes)
    else:
        assert not any(a.startswith("aws_kms_key") for a in changes)
        for attr in ("kms_key_id", "performance_insights_kms_key_id", "master_user_secret_kms_key_id"):
            assert db[attr] == KEY
        group = changes["aws_db_parameter_group.mysql[0]"]["after"]
        assert group["family"] == "mysql8.0" and group["name"] == "prod-fileflow-orders-mysql8-0"
        assert {"name": "require_secure_transport", "value": "1", "apply_method": "immediate"} in group["parameter"]
        assert db["enabled_cloudwatch_logs_exports"] == ["audit", "error", "general", "slowquery"]
        replicas = {a: c["after"] for a, c in changes.items() if a.startswith("aws_db_instance.replica")}
        assert set(replicas) == {'aws_db_instance.replica["reporting"]', 'aws_db_instance.replica["standby"]'}
        for replica in replicas.values():
            assert replica["storage_encrypted"] is True and replica["kms_key_id"] == KEY
            assert replica["publicly_accessible"] is False and replica["deletion_protection"] is True
        assert replicas['aws_db_instance.replica["reporting"]']["instance_class"] == "db.r7g.medium"
        assert replicas['aws_db_instance.replica["standby"]']["instance_class"] == "db.r7g.large"
        rules = {a: c["after"] for a, c in changes.items() if a.startswith("aws_vpc_security_group_ingress_rule")}
        assert len(rules) == 2 and all(r["from_port"] == r["to_port"] == 3306 for r in rules.values())


def test_inputs_stay_within_the_catalog_budget() -> None:
    inputs = RdsProps.inputs()
    assert len(inputs) <= 26  # 25 + create_kms_key (see tests/test_catalog.py INPUT_BUDGET)
    required = {i.name for i in inputs if i.required}
    assert required == {
        "environment",
        "service_name",
        "engine",
        "engine_version",
        "instance_class",
        "db_name",
        "vpc_id",
        "subnet_ids",
        "allowed_security_group_ids",
    }
    defaults = {i.name: i.default for i in inputs}
    assert defaults["deletion_protection"] is True and defaults["multi_az"] is True
    assert defaults["iam_database_authentication_enabled"] is True and defaults["monitoring_interval"] == 60
