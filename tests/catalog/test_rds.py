"""The rds module: equivalence of its three forms, every validation and precondition, secure planned values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.catalog.rds import Rds, RdsProps
from platform_constructs.tf import Terraform
from support.catalog import (
    Bad,
    Cross,
    assert_all_equivalent,
    assert_rejected_by_python,
    assert_rejected_by_terraform,
    check_each_sample,
)

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "engine": "postgres",
    "engine_version": "16",
    "instance_class": "db.t4g.micro",
    "db_name": "fileflow",
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "allowed_security_group_ids": {"app": "sg-0123456789abcdef0"},
}
KEY = "arn:aws:kms:ap-northeast-2:111111111111:key/11111111-2222-3333-4444-555555555555"

# One case per validation block (nested-model rules included).
BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("service_name", "file_flow", "Must be lower-case letters and digits"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("tags", {"Bad|Key": "a"}, "Tag keys must be"),
    Bad("name", "DB", "Must be lower-case letters and digits"),
    Bad("engine", "oracle-ee", "The engine must be postgres or mysql."),
    Bad("engine_version", "16.4.1", "The engine_version must be a major version"),
    Bad("instance_class", "t4g.micro", "The instance class must be an RDS class"),
    Bad("db_name", "1app", "The db_name must be 1-63 letters"),
    Bad("username", "admin-user", "The username must be 1-16 letters"),
    Bad("username", "rdsadmin", "Usernames starting with rds are reserved by RDS."),
    Bad("storage", {"allocated_storage": 10}, "allocated_storage must be a whole number of GiB from 20"),
    Bad("storage", {"max_allocated_storage": 70000}, "max_allocated_storage must be 0 (autoscaling off)"),
    Bad("storage", {"type": "gp2"}, "The storage type must be gp3, io1 or io2."),
    Bad("storage", {"type": "io2", "iops": 500}, "The iops must be a whole number from 1000"),
    Bad("storage", {"allocated_storage": 500, "throughput": 10}, "The throughput must be a whole number"),
    Bad("storage", {"allocated_storage": 100, "max_allocated_storage": 50}, "must be 0 or at least storage."),
    Bad("storage", {"type": "io1"}, "Storage io1/io2 needs storage.iops"),
    Bad("vpc_id", "vpc-xyz", "Must be a VPC id"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0", "subnet-1"], "Every subnet id must be subnet-"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0"], "Give at least 2 private subnets"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"], "Subnet ids repeat."),
    Bad("allowed_security_group_ids", {"App Key": "sg-0123456789abcdef0"}, "Keys must be 1-64"),
    Bad("allowed_security_group_ids", {"app": "sg-1"}, "Must be a security group id"),
    Bad("read_replicas", {"Reporting": {}}, "Must be lower-case letters and digits"),
    Bad("read_replicas", {f"r{i}": {} for i in range(6)}, "Give at most 5 read replicas."),
    Bad("read_replicas", {"r": {"instance_class": "large"}}, "The instance class must be an RDS class"),
    Bad("parameters", {"bad name": {"value": "1"}}, "Parameter names must be 1-128"),
    Bad("parameters", {"rds.force_ssl": {"value": "0"}}, "TLS is enforced"),
    Bad("parameters", {"work_mem": {"value": ""}}, "Parameter values must be non-empty"),
    Bad("parameters", {"work_mem": {"value": "4096", "apply_method": "later"}}, "The apply_method must be"),
    Bad("kms_key_arn", "alias/aws/rds", "The kms_key_arn must be a KMS key ARN"),
    Bad("maintenance", {"backup_window": "3am-4am"}, "The backup_window must be hh24:mi-hh24:mi"),
    Bad("maintenance", {"maintenance_window": "sun:25:00-sun:26:00"}, "The maintenance_window must be ddd:hh24"),
    Bad("backup_retention_period", 1, "The backup_retention_period must be 7 to 35 days."),
    Bad("performance_insights_retention_period", 30, "must be 7, a multiple of 31 up to 713, or 731."),
    Bad("monitoring_interval", 45, "The monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60."),
    Bad("master_password_rotation_days", 0, "The master_password_rotation_days must be 1 to 365."),
]
# Preconditions: several inputs together.
CROSS = [
    Cross({"engine": "mysql", "engine_version": "8"}, "MySQL engine_version must be major.minor"),
    Cross({"engine": "mysql", "engine_version": "8.0"}, "Performance Insights is not available for MySQL on micro"),
    Cross({"read_replicas": {"a" * 50: {}}}, "Read replica identifiers"),
    Cross({"kms_key_arn": KEY}, "Give kms_key_arn together with create_kms_key = false"),
]
LONG_NAME = {"service_name": "a" * 250}
# Each name-length precondition: inputs, Terraform's message, Python's wording (the name's kind and length).
# The instance's own check needs the monitoring role off: a failing role stops the plan of its dependents.
NAME_CASES: list[tuple[dict[str, Any], str, str]] = [
    (
        {"service_name": "a" * 60, "monitoring_interval": 0},
        "The rds instance name must be 1-63 characters",
        "rds instance name is 67 characters",
    ),
    (LONG_NAME, "The security group name must be 1-255 characters", "security group name is 264 characters"),
    (LONG_NAME, "The iam role name must be 1-64 characters", "iam role name is 272 characters"),
    (LONG_NAME, "The kms alias name must be 1-256 characters", "kms alias name is 267 characters"),
]

PROD: dict[str, Any] = {
    **VALID,
    "environment": "prod",
    "engine": "mysql",
    "engine_version": "8.0",
    "instance_class": "db.r7g.large",
    "name": "orders",
    "username": "orders_admin",
    "storage": {"allocated_storage": 500, "max_allocated_storage": 1000, "iops": 12000, "throughput": 500},
    "subnet_ids": [*VALID["subnet_ids"], "subnet-0123456789abcdef2"],
    "allowed_security_group_ids": {"api": "sg-0123456789abcdef0", "worker": "sg-0123456789abcdef1"},
    "read_replicas": {"reporting": {"instance_class": "db.r7g.medium"}, "standby": {"multi_az": True}},
    "parameters": {"max_connections": {"value": "1000"}, "innodb_lock_wait_timeout": {"value": "20"}},
    "create_kms_key": False,
    "kms_key_arn": KEY,
    "maintenance": {"backup_window": "16:00-17:00", "allow_major_version_upgrade": True},
    "backup_retention_period": 35,
    "performance_insights_retention_period": 731,
    "monitoring_interval": 15,
    "master_password_rotation_days": 30,
    "tags": {"Team": "orders"},
}
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


@pytest.mark.terraform
def test_terraform_rejects_each_bad_value_and_combination(terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    names = [Cross(inputs, tf_message) for inputs, tf_message, _ in NAME_CASES]
    assert_rejected_by_terraform(Rds, VALID, [*BAD, *CROSS, *names], terraform, tmp_path)


def test_python_rejects_the_same_values_and_combinations() -> None:
    names = [Cross(inputs, py_message) for inputs, _, py_message in NAME_CASES]
    assert_rejected_by_python(RdsProps, VALID, [*BAD, *CROSS, *names])


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
