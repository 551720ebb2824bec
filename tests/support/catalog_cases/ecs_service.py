"""Cases of the ecs_service module: valid inputs, one failing value per validation block, one failing combination
per precondition (tests/catalog/test_validation_coverage.py proves the coverage)."""

from __future__ import annotations

from typing import Any

from support.catalog import Bad, Cross
from support.catalog_cases import reserved_tag_cases

ACCOUNT = "111111111111"
KMS = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/0123abcd-4567-89ab-cdef-0123456789ab"
SECRETS_KMS = f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/89abcdef-0123-4567-89ab-cdef01234567"
DB_SECRET = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:rds!db-0123abcd-AbCdEf"
PARAMETER = f"arn:aws:ssm:ap-northeast-2:{ACCOUNT}:parameter/prod/fileflow/flags"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:ap-northeast-2:{ACCOUNT}:targetgroup/prod-fileflow/0123456789abcdef"

VALID: dict[str, Any] = {
    "environment": "dev",
    "service_name": "fileflow",
    "cluster_arn": f"arn:aws:ecs:ap-northeast-2:{ACCOUNT}:cluster/dev-platform",
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "image": f"{ACCOUNT}.dkr.ecr.ap-northeast-2.amazonaws.com/fileflow:1.4.2",
    "log_kms_key_arn": KMS,
}
AUTOSCALING = {"min_capacity": 2, "max_capacity": 10, "cpu_target_percent": 60}
#: pinned public images of the sidecar cases (the example uses the same ones)
FLUENT_BIT = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4"
CW_AGENT = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300037.1b602"
#: another service's role in the same account and environment: a service must not run as it
OTHER_SERVICE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/dev-billing-app"


def sidecar(**changes: Any) -> dict[str, Any]:
    """A one-sidecar map (key ``metrics``) over a valid metrics agent."""
    return {"metrics": {"image": CW_AGENT, **changes}}


def firelens(**changes: Any) -> dict[str, Any]:
    return {"image": FLUENT_BIT, **changes}


def egress(**changes: Any) -> dict[str, Any]:
    rule = {"description": "PostgreSQL", "from_port": 5432, "to_port": 5432, "cidr_ipv4": "10.0.0.0/16", **changes}
    return {"egress_rules": {"db": rule}}


BAD = [
    Bad("environment", "Dev", "Must be lower-case letters and digits"),
    Bad("service_name", "file_flow", "Must be lower-case letters and digits"),
    Bad("tags", {"Team": "a|b"}, "Tag values must be"),
    Bad("tags", {"bad|key": "x"}, "Tag keys must be"),
    Bad("cluster_arn", "arn:aws:ecs:ap-northeast-2:1:cluster/x", "Must be an ECS cluster ARN"),
    Bad("vpc_id", "vpc-xyz", "Must be a VPC id"),
    Bad("subnet_ids", ["subnet-1", "subnet-0123456789abcdef1"], "Every subnet id must be"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0"], "Give 2 to 16 private subnets"),
    Bad("subnet_ids", ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"], "List each subnet once"),
    Bad("image", "fileflow", "The image must be a registry path with an explicit tag"),
    Bad("image", "fileflow:latest", "The image tag must not be latest"),
    Bad("cpu", 300, "The cpu must be a Fargate size"),
    Bad("memory", 256, "The memory must be 512-122880 MiB"),
    Bad("container_port", 0, "Ports must be whole numbers from 1 to 65535"),
    Bad("environment_variables", {"1BAD": "x"}, "Environment variable names must be"),
    Bad("secrets", {"BAD-NAME": PARAMETER}, "Environment variable names must be"),
    Bad("secrets", {"DB": f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT}:secret:db"}, "Every secret must be"),
    Bad("desired_count", -1, "The desired_count must be 0-1000"),
    Bad("load_balancer", {"target_group_arn": "tg", "security_group_id": "sg-0123456789abcdef0"}, "target group ARN"),
    Bad("load_balancer", {"target_group_arn": TARGET_GROUP, "security_group_id": "sg-1"}, "Must be a security group"),
    Bad("task_role", {"arn": f"arn:aws:iam::{ACCOUNT}:user/x"}, "The task_role arn must be an IAM role ARN"),
    Bad("log_kms_key_arn", f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:alias/logs", "Must be a KMS key ARN"),
    Bad("log_retention_days", 10, "The log_retention_days must be a CloudWatch Logs retention"),
    Bad(
        "extra_access",
        {"ecr_repository_arns": ["arn:aws:ecr:ap-northeast-2::repository/x"]},
        "Every ECR repository must be an ARN",
    ),
    Bad(
        "extra_access",
        {"ecr_repository_arns": [f"arn:aws:ecr:ap-northeast-2:{ACCOUNT}:repository/x"] * 2},
        "List each ECR repository once",
    ),
    Bad("extra_access", {"kms_key_arns": ["arn:aws:kms:ap-northeast-2::key/x"]}, "Must be a KMS key ARN"),
    Bad("extra_access", {"kms_key_arns": [SECRETS_KMS, SECRETS_KMS]}, "List each KMS key once"),
    Bad("extra_access", {"egress_rules": {"Bad Key": egress()["egress_rules"]["db"]}}, "Keys must be 1-64"),
    Bad("extra_access", egress(description=""), "Every egress rule needs a description"),
    Bad("extra_access", egress(ip_protocol="-1"), "Egress rules must use tcp or udp"),
    Bad("extra_access", egress(from_port=6000), "Egress ports must be whole numbers"),
    Bad("extra_access", egress(prefix_list_id="pl-12345678"), "Every egress rule needs exactly one destination"),
    Bad("extra_access", egress(cidr_ipv4="10.0.0.1/16"), "Egress cidr_ipv4 must be an IPv4 network"),
    Bad(
        "extra_access",
        egress(cidr_ipv4=None, referenced_security_group_id="sg-1"),
        "Egress referenced_security_group_id must be",
    ),
    Bad("extra_access", egress(cidr_ipv4=None, prefix_list_id="pl-x"), "Egress prefix_list_id must be"),
    Bad(
        "autoscaling",
        {**AUTOSCALING, "min_capacity": 0},
        "min_capacity: Capacities must be whole numbers",
    ),
    Bad(
        "autoscaling",
        {**AUTOSCALING, "max_capacity": 1001},
        "max_capacity: Capacities must be whole numbers",
    ),
    Bad("autoscaling", {**AUTOSCALING, "cpu_target_percent": 95}, "cpu_target_percent: Target utilization must be"),
    Bad("autoscaling", {**AUTOSCALING, "memory_target_percent": 5}, "memory_target_percent: Target utilization"),
    Bad("autoscaling", {**AUTOSCALING, "scale_in_cooldown": -1}, "scale_in_cooldown: Cooldowns must be"),
    Bad(
        "autoscaling",
        {**AUTOSCALING, "scale_out_cooldown": 3601},
        "scale_out_cooldown: Cooldowns must be",
    ),
    Bad("health_check", {"grace_period_seconds": 4000}, "The grace_period_seconds must be 0-3600"),
    Bad("health_check", {"command": ["curl", "-f", "http://localhost/"]}, "The health check command must be"),
    Bad("health_check", {"interval": 1}, "The interval must be 5-300 seconds"),
    Bad("health_check", {"timeout": 61}, "The timeout must be 2-60 seconds"),
    Bad("health_check", {"retries": 0}, "The retries must be 1-10"),
    Bad("health_check", {"start_period": 301}, "The start_period must be 0-300 seconds"),
    Bad("service_discovery", {"namespace_id": "ns-x"}, "The namespace_id must be a Cloud Map namespace id"),
    Bad(
        "service_discovery",
        {"namespace_id": "ns-0123456789abcdef", "name": "Bad_Name"},
        "The service discovery name must be a DNS label",
    ),
    Bad("service_discovery", {"namespace_id": "ns-0123456789abcdef", "dns_ttl": -1}, "The dns_ttl must be 0-3600"),
    Bad("name", "Worker", "Must be lower-case letters and digits"),
    # sidecars: the app's rules hold for every container (adversarial: latest, plain secrets, writable root)
    Bad("sidecars", {"Bad Key": {"image": CW_AGENT}}, "Sidecar keys (container names) must be"),
    Bad("sidecars", {"log_router": {"image": CW_AGENT}}, "The sidecar key log_router is the FireLens router's"),
    Bad("sidecars", {f"s{i}": {"image": CW_AGENT} for i in range(9)}, "Give at most 8 sidecars"),
    Bad(
        "sidecars",
        sidecar(environment_variables={"TOKEN": "x"}, secrets={"TOKEN": PARAMETER}),
        "A sidecar name is both in its environment_variables and in its secrets",
    ),
    Bad("sidecars", sidecar(image="cloudwatch-agent"), "image: The image must be a registry path"),
    Bad(
        "sidecars",
        sidecar(image="public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest"),
        "image: The image tag must not be latest",
    ),
    Bad("sidecars", sidecar(cpu=20000), "cpu: The sidecar cpu must be 0-16384"),
    Bad("sidecars", sidecar(memory_reservation=2), "memory_reservation: The sidecar memory_reservation must be"),
    Bad("sidecars", sidecar(environment_variables={"1X": "x"}), "environment_variables: Environment variable names"),
    Bad("sidecars", sidecar(secrets={"bad-name": PARAMETER}), "secrets: Environment variable names"),
    Bad("sidecars", sidecar(secrets={"API_KEY": "s3cr3t-plain-value"}), "secrets: Every secret must be"),
    Bad(
        "sidecars",
        sidecar(health_check_command=["curl", "localhost"]),
        "health_check_command: The health_check_command",
    ),
    Bad("sidecars", sidecar(depends_on={"fileflow": "RUNNING"}), "depends_on: The condition must be"),
    Bad("sidecars", sidecar(app_waits_for="READY"), "app_waits_for: The condition must be"),
    Bad("firelens", firelens(image="fluent-bit"), "image: The image must be a registry path"),
    Bad("firelens", firelens(image="amazon/aws-for-fluent-bit:latest"), "image: The image tag must not be latest"),
    Bad("firelens", firelens(options={"bad key": "x"}), "options: Log router option names must be"),
    Bad("firelens", firelens(cpu=-1), "cpu: The log router cpu must be"),
    Bad("firelens", firelens(memory_reservation=10), "memory_reservation: The log router memory_reservation must be"),
    *reserved_tag_cases(),
]
# Preconditions: several inputs together (Terraform checks them at plan time, Python at props time).
CROSS = [
    Cross({"cpu": 256, "memory": 4096}, "The memory is not a Fargate size for this cpu"),
    Cross(
        {"environment_variables": {"DB_PASSWORD": "x"}, "secrets": {"DB_PASSWORD": PARAMETER}},
        "A name is both in environment_variables and in secrets",
    ),
    Cross({"autoscaling": {**AUTOSCALING, "min_capacity": 5, "max_capacity": 3}}, "min_capacity must not exceed"),
    Cross(
        {"autoscaling": {"min_capacity": 2, "max_capacity": 4}},
        "Autoscaling needs cpu_target_percent, memory_target_percent or both",
    ),
    Cross({"desired_count": 12, "autoscaling": AUTOSCALING}, "desired_count (the initial count) must be between"),
    # adversarial: another service's role (same account and environment), and this module's execution role
    Cross({"task_role": {"arn": OTHER_SERVICE_ROLE}}, "The task_role arn must be a role of this service"),
    Cross(
        {"name": "api", "task_role": {"arn": f"arn:aws:iam::{ACCOUNT}:role/dev-fileflow-api-execution"}},
        "The task_role arn must be a role of this service",
    ),
    Cross({"sidecars": sidecar(readonly_root_filesystem=False)}, "A sidecar asks for a writable root filesystem"),
    Cross({"sidecars": {"fileflow": {"image": CW_AGENT}}}, "A sidecar key equals service_name"),
    Cross({"sidecars": sidecar(depends_on={"proxy": "START"})}, "A sidecar's depends_on names an unknown container"),
    Cross({"sidecars": sidecar(depends_on={"fileflow": "HEALTHY"})}, "A HEALTHY dependency names a container without"),
    Cross({"sidecars": sidecar(depends_on={"fileflow": "COMPLETE"})}, "A COMPLETE or SUCCESS dependency names an"),
    Cross(
        {
            "sidecars": {
                "proxy": {"image": CW_AGENT, "depends_on": {"metrics": "START"}},
                "metrics": {"image": CW_AGENT, "depends_on": {"fileflow": "START"}},
                "init": {"image": CW_AGENT, "app_waits_for": "START", "depends_on": {"proxy": "START"}},
            }
        },
        "The containers' dependencies form a cycle",
    ),
    Cross({"sidecars": sidecar(cpu=128), "firelens": firelens(cpu=128)}, "cpu reservations must leave cpu for the app"),
    Cross(
        {"sidecars": sidecar(memory_reservation=462), "firelens": firelens()}, "memory_reservation must leave memory"
    ),
]
LONG_NAME = {"service_name": "a" * 60}
#: names built from the inputs that break an AWS limit: (inputs, Terraform's precondition message, Python's)
#: names from service_name: the roles hit 64 first; 510 characters break every other limit too. ``None``: Terraform
#: cannot report it (see UNREACHABLE); Python checks every name at once and does.
VERY_LONG_NAME = {"service_name": "a" * 510}
NAME_CASES: list[tuple[dict[str, Any], str | None, str]] = [
    (LONG_NAME, "The iam role name must be 1-64 characters", "iam role name is 74 characters"),
    (VERY_LONG_NAME, None, "ecs service name is 514 characters"),
    (VERY_LONG_NAME, "The security group name must be 1-255 characters", "security group name is 521 characters"),
    (VERY_LONG_NAME, "The log group name must be 1-512 characters", "log group name is 519 characters"),
    # the name segment counts too: dev-fileflow-<41> + "-execution" is 64 and fits, one more character does not
    ({"name": "a" * 42}, "The iam role name must be 1-64 characters", "iam role name is 65 characters"),
]
#: preconditions no input can make Terraform report, and why (the coverage guard accepts them with this reason)
UNREACHABLE = {
    "The ecs service name must be 1-255 characters": (
        "the execution role ({environment}-{service_name}-execution, limit 64) is always created and the task "
        "definition that carries this precondition references it, so any name over 255 fails the role's "
        "precondition first and Terraform never evaluates this one; kept as defence in depth, proven in Python"
    ),
}
