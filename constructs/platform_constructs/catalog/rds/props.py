"""Props of the rds module: the module's variables, their validation blocks and the cross-field rules.

Rules that only this module needs live here (the shared ones are in ``catalog/common.py``): each has a
Python form and an HCL form, like the ones in ``platform_constructs.rules``.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    CommonProps,
    RuleKey,
    SecurityGroupIdRule,
    Segment,
    SubnetIds,
    TagKey,
    TagValue,
    VpcId,
    at_least,
    reserved_tag_keys,
    tags_description,
)
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.catalog.rds.rules import AutoscalingCeiling, ProvisionedIops
from platform_constructs.hcl.render import expression
from platform_constructs.naming import Kind
from platform_constructs.rules import (
    Between,
    Count,
    Distinct,
    Matches,
    NotIn,
    NotStartingWith,
    OneOf,
    each,
    keys,
    when_set,
)

ENGINES = ("postgres", "mysql")
#: the parameters that enforce TLS: the module sets them and refuses overrides
TLS_PARAMETERS = ("rds.force_ssl", "require_secure_transport")
#: MySQL classes without Performance Insights (AWS: "Performance Insights for RDS for MySQL")
MYSQL_NO_PI_CLASSES = ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small", "db.t4g.micro", "db.t4g.small")
PI_RETENTION = (7, *range(31, 714, 31), 731)
MAX_REPLICAS = 5
#: tags the rds module sets besides the common ones (Role = read-replica on replicas)
RDS_TAGS = ("Role",)
#: the RDS identifier limit; replicas are named ``<identifier>-<key>``
IDENTIFIER_MAX = 63


InstanceClass = Matches(
    "The instance class must be an RDS class such as db.t4g.micro or db.r7g.large.", r"db\.[a-z0-9]+\.[a-z0-9]+"
)
HOUR_MINUTE = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)"


class Storage(ModuleProps):
    allocated_storage: Annotated[
        int, Between("The allocated_storage must be a whole number of GiB from 20 to 65536.", 20, 65536)
    ] = Field(20, description="Initial storage in GiB.")
    max_allocated_storage: Annotated[
        int, Between("The max_allocated_storage must be 0 (autoscaling off) or a number of GiB up to 65536.", 0, 65536)
    ] = Field(100, description="Storage autoscaling ceiling in GiB; 0 turns autoscaling off.")
    type: Annotated[str, OneOf("The storage type must be gp3, io1 or io2.", ("gp3", "io1", "io2"))] = Field(
        "gp3", description="gp3, io1 or io2 (gp2 and magnetic are refused)."
    )
    iops: Annotated[
        int | None, when_set(Between("The iops must be a whole number from 1000 to 256000.", 1000, 256000))
    ] = Field(None, description="Provisioned IOPS: required for io1/io2; for gp3 only from 400 GiB.")
    throughput: Annotated[
        int | None, when_set(Between("The throughput must be a whole number of MiB/s from 125 to 4000.", 125, 4000))
    ] = Field(None, description="gp3 throughput in MiB/s, only from 400 GiB.")


class Maintenance(ModuleProps):
    backup_window: Annotated[
        str,
        Matches(
            "The backup_window must be hh24:mi-hh24:mi in UTC, such as 17:00-18:00.", rf"{HOUR_MINUTE}-{HOUR_MINUTE}"
        ),
    ] = Field("17:00-18:00", description="Daily backup window, UTC (17:00 UTC is 02:00 in Seoul).")
    maintenance_window: Annotated[
        str,
        Matches(
            "The maintenance_window must be ddd:hh24:mi-ddd:hh24:mi in UTC, such as sun:18:30-sun:19:30.",
            rf"{DAY}:{HOUR_MINUTE}-{DAY}:{HOUR_MINUTE}",
        ),
    ] = Field("sun:18:30-sun:19:30", description="Weekly maintenance window, UTC; must not overlap the backup window.")
    allow_major_version_upgrade: bool = Field(
        False,
        description="Let a change of the major engine_version upgrade the instance (set it for the upgrade only).",
    )
    apply_immediately: bool = Field(
        False, description="Apply modifications now instead of in the next maintenance window."
    )


class ReadReplica(ModuleProps):
    instance_class: Annotated[str | None, when_set(InstanceClass)] = Field(
        None, description="Class of the replica; null = the primary's instance_class."
    )
    multi_az: bool = Field(False, description="Run the replica Multi-AZ (for a replica you may promote).")


class DbParameter(ModuleProps):
    value: Annotated[str, Matches("Parameter values must be non-empty and on one line.", r"[^\n]+")] = Field(
        description="Parameter value, as RDS shows it."
    )
    apply_method: Annotated[
        str, OneOf("The apply_method must be immediate or pending-reboot.", ("immediate", "pending-reboot"))
    ] = Field("immediate", description="immediate (dynamic parameters) or pending-reboot (static parameters).")


class RdsProps(CommonProps):
    name: Annotated[str, Segment] = Field(
        "db", description="Name segment: the instance is {environment}-{service_name}-{name}."
    )
    #: read replicas carry Role = read-replica, which the caller's tags cannot replace either
    tags: Annotated[dict[str, str], keys(TagKey), keys(reserved_tag_keys(RDS_TAGS)), each(TagValue)] = Field(
        default_factory=dict, description=tags_description(RDS_TAGS)
    )
    engine: Annotated[str, OneOf("The engine must be postgres or mysql.", ENGINES)] = Field(
        description="Database engine: postgres or mysql."
    )
    engine_version: Annotated[
        str,
        Matches(
            "The engine_version must be a major version (16) or major.minor (16.4, 8.0), never a patch level: "
            "minor versions are upgraded automatically.",
            r"[0-9]+(?:\.[0-9]+)?",
        ),
    ] = Field(
        description=(
            "Major version (postgres: 16; mysql: 8.0 or 8.4). Give no minor/patch level: automatic minor "
            "upgrades would otherwise make Terraform plan a downgrade."
        )
    )
    instance_class: Annotated[str, InstanceClass] = Field(description="Instance class, such as db.t4g.micro.")
    db_name: Annotated[
        str,
        Matches(
            "The db_name must be 1-63 letters, digits and underscores, starting with a letter.",
            r"[A-Za-z][A-Za-z0-9_]{0,62}",
        ),
    ] = Field(description="Name of the database created in the instance.")
    username: Annotated[
        str,
        Matches(
            "The username must be 1-16 letters, digits and underscores, starting with a letter.",
            r"[A-Za-z][A-Za-z0-9_]{0,15}",
        ),
        NotStartingWith("Usernames starting with rds are reserved by RDS.", "rds"),
    ] = Field("dbadmin", description="Master username (its password is generated and kept by RDS in Secrets Manager).")
    storage: Annotated[
        Storage,
        AutoscalingCeiling("The storage.max_allocated_storage must be 0 or at least storage.allocated_storage."),
        ProvisionedIops(
            "Storage io1/io2 needs storage.iops (and no throughput); gp3 takes iops/throughput only from 400 GiB."
        ),
    ] = Field(default_factory=Storage, description="Storage size, type and autoscaling ceiling.")
    vpc_id: Annotated[str, VpcId] = Field(description="VPC of the instance's security group.")
    subnet_ids: Annotated[
        list[str], SubnetIds, at_least(2, "private subnets in two availability zones"), Distinct("Subnet ids repeat.")
    ] = Field(description="Private subnets of the DB subnet group (at least two, in different availability zones).")
    allowed_security_group_ids: Annotated[dict[str, str], keys(RuleKey), each(SecurityGroupIdRule)] = Field(
        description=(
            "Security groups allowed to connect on the database port, by stable key (the key names the rule; "
            "the usual entry is the service's group, e.g. { app = module.app_sg.security_group_id })."
        )
    )
    read_replicas: Annotated[
        dict[str, ReadReplica],
        keys(Segment),
        Count(f"Give at most {MAX_REPLICAS} read replicas.", 0, MAX_REPLICAS),
    ] = Field(
        default_factory=dict,
        description="Read replicas by stable key; each is named {identifier}-{key} (removing one touches no other).",
    )
    parameters: Annotated[
        dict[str, DbParameter],
        keys(Matches("Parameter names must be 1-128 letters, digits, '.', '_' and '-'.", r"[A-Za-z0-9._-]{1,128}")),
        keys(
            NotIn("TLS is enforced: rds.force_ssl and require_secure_transport cannot be overridden.", TLS_PARAMETERS)
        ),
    ] = Field(
        default_factory=dict,
        description="Parameters by name, merged over the engine defaults (TLS, connection and slow-query logging).",
    )
    create_kms_key: bool = Field(
        True,
        description=(
            "Create a dedicated customer-managed key (yearly rotation) for storage, Performance Insights and the "
            "master secret. Set false and give kms_key_arn to use your own key. A switch rather than "
            "'create when kms_key_arn is null', so the plan works when your key is created in the same apply."
        ),
    )
    kms_key_arn: Annotated[
        str | None,
        when_set(
            Matches(
                "The kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>).",
                r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+",
            )
        ),
    ] = Field(
        None,
        description="Your customer-managed key when create_kms_key = false. Changing it replaces the instance.",
    )
    maintenance: Maintenance = Field(
        default_factory=Maintenance, description="Backup and maintenance windows, major upgrades and apply timing."
    )
    # security toggles: top-level scalars with the secure value as default (scanners read them)
    multi_az: bool = Field(True, description="Standby in a second availability zone (turn off only outside prod).")
    backup_retention_period: Annotated[int, Between("The backup_retention_period must be 7 to 35 days.", 7, 35)] = (
        Field(14, description="Days of automated backups (7-35).")
    )
    deletion_protection: bool = Field(True, description="Refuse deletion of the instance and its replicas.")
    performance_insights_enabled: bool = Field(
        True, description="Performance Insights, encrypted with the module's key (off for small MySQL classes)."
    )
    performance_insights_retention_period: Annotated[
        int,
        OneOf("The performance_insights_retention_period must be 7, a multiple of 31 up to 713, or 731.", PI_RETENTION),
    ] = Field(7, description="Days of Performance Insights history (7 is free).")
    monitoring_interval: Annotated[
        int, OneOf("The monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60.", (0, 1, 5, 10, 15, 30, 60))
    ] = Field(60, description="Enhanced monitoring interval in seconds; 0 turns it off (and its IAM role).")
    iam_database_authentication_enabled: bool = Field(
        True, description="Allow IAM database authentication (rds-db:connect) besides passwords."
    )
    master_password_rotation_days: Annotated[
        int, Between("The master_password_rotation_days must be 1 to 365.", 1, 365)
    ] = Field(7, description="Rotation interval of the RDS-managed master password secret, in days.")

    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {
        "identifier": ("{environment}-{service_name}-{name}", Kind.RDS_INSTANCE),
        "sg_name": ("{environment}-{service_name}-{name}-rds-sg", Kind.SECURITY_GROUP),
        "monitoring_role_name": ("{environment}-{service_name}-{name}-rds-monitoring", Kind.IAM_ROLE),
        "kms_alias": ("alias/{environment}-{service_name}-{name}-rds", Kind.KMS_ALIAS),
    }
    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            ("create_kms_key", "kms_key_arn"),
            lambda p: p.create_kms_key == (p.kms_key_arn is None),
            "{create_kms_key} == ({kms_key_arn} == null)",
            "Give kms_key_arn together with create_kms_key = false, or neither (the module creates the key).",
            "this",
        ),
        CrossCheck(
            ("engine", "engine_version"),
            lambda p: p.engine != "mysql" or p.engine_version.count(".") == 1,
            '{engine} != "mysql" || length(split(".", {engine_version})) == 2',
            "MySQL engine_version must be major.minor (8.0 or 8.4): the parameter group family is derived from it.",
            "this",
        ),
        CrossCheck(
            ("engine", "instance_class", "performance_insights_enabled"),
            lambda p: (
                not p.performance_insights_enabled or p.engine != "mysql" or p.instance_class not in MYSQL_NO_PI_CLASSES
            ),
            '!{performance_insights_enabled} || {engine} != "mysql" || '
            f"!contains([{', '.join(expression(c, literal=True) for c in MYSQL_NO_PI_CLASSES)}], {{instance_class}})",
            "Performance Insights is not available for MySQL on micro and small classes: use db.t4g.medium or "
            "larger, or set performance_insights_enabled = false.",
            "this",
        ),
        CrossCheck(
            ("environment", "service_name", "name", "read_replicas"),
            lambda p: all(
                len(f"{p.environment}-{p.service_name}-{p.name}-{k}") <= IDENTIFIER_MAX for k in p.read_replicas
            ),
            "alltrue([for k, r in {read_replicas} : "
            'length(join("-", [{environment}, {service_name}, {name}, k])) <= ' + f"{IDENTIFIER_MAX}])",
            f"Read replica identifiers (the instance identifier, a hyphen, the key) must be at most {IDENTIFIER_MAX} "
            "characters: shorten the replica key, name or service_name.",
            "this",
        ),
    )
