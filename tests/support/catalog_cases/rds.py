"""Cases of the rds module: valid inputs, one failing value per validation block, one failing combination
per precondition (tests/catalog/test_validation_coverage.py proves the coverage)."""

from __future__ import annotations

from typing import Any

from support.catalog import Bad, Cross
from support.catalog_cases import reserved_tag_cases

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
    *reserved_tag_cases("Role"),
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
