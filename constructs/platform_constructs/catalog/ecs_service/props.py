"""Props of the ecs_service module: its ``variables.tf`` (see :mod:`platform_constructs.catalog.props`).

25 inputs at most: knobs that belong together and are often left alone (autoscaling, health check,
service discovery, load balancer, access beyond the defaults) are objects with optional attributes;
every security toggle is a top-level scalar with the secure value as its default, where scanners and
reviewers read it.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    CommonProps,
    RuleKey,
    SecurityGroupIdRule,
    SubnetIds,
    VpcId,
)
from platform_constructs.catalog.ecs_service.rules import EveryEntry, HealthCommand
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.naming import Kind
from platform_constructs.rules import (
    ACCOUNT,
    Between,
    Count,
    Distinct,
    Ipv4Cidr,
    Matches,
    NotMatches,
    OneOf,
    each,
    keys,
    regional_arn,
    when_set,
)

#: Fargate task sizes: CPU units -> the memory (MiB) Fargate accepts with it (AWS ECS developer guide,
#: "Task CPU and memory"). Python side of the memory cross-check; FARGATE_MEMORY_HCL is the HCL side.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
FARGATE_MEMORY_HCL = (
    '{ "256" = [512, 1024, 2048], "512" = range(1024, 4097, 1024), "1024" = range(2048, 8193, 1024), '
    '"2048" = range(4096, 16385, 1024), "4096" = range(8192, 30721, 1024), '
    '"8192" = range(16384, 61441, 4096), "16384" = range(32768, 122881, 8192) }'
)
#: CloudWatch Logs' accepted retention periods (PutRetentionPolicy); 0 = never expire
LOG_RETENTION_DAYS = (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)  # fmt: skip

EnvName = Matches(
    "Environment variable names must be letters, digits and '_', not starting with a digit (at most 255).",
    r"[A-Za-z_][A-Za-z0-9_]{0,254}",
)
#: full Secrets Manager ARNs (with AWS's 6-character suffix, so the execution role's grant matches the
#: secret) optionally followed by ECS's ``:json-key:version-stage:version-id``; or SSM parameter ARNs
SecretSource = Matches(
    "Every secret must be a full Secrets Manager secret ARN (with its 6-character suffix, optionally "
    "followed by :json-key:version-stage:version-id) or an SSM parameter ARN, in one region and account.",
    rf"arn:aws:secretsmanager:[a-z]{{2}}(?:-[a-z]+)+-[0-9]:{ACCOUNT}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{{6}}"
    rf"(?::[^:]*:[^:]*:[^:]*)?|arn:aws:ssm:[a-z]{{2}}(?:-[a-z]+)+-[0-9]:{ACCOUNT}:parameter/[A-Za-z0-9_./-]+",
)
KmsKeyArn = regional_arn(
    "kms",
    r"key/(?:mrk-[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})",
    "Must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); aliases are not accepted.",
)
Port = Between("Ports must be whole numbers from 1 to 65535.", 1, 65535)
Percent = Between("Target utilization must be a whole percentage from 10 to 90.", 10, 90)
Cooldown = Between("Cooldowns must be 0-3600 seconds.", 0, 3600)
Capacity = Between("Capacities must be whole numbers from 1 to 1000.", 1, 1000)


class EgressRule(ModuleProps):
    description: str = Field(description="Why the tasks need this destination; shown in the console.")
    ip_protocol: str = Field("tcp", description="tcp or udp (all-protocol egress is refused).")
    from_port: int = Field(description="First port.")
    to_port: int = Field(description="Last port (equal to from_port for one port).")
    cidr_ipv4: str | None = Field(None, description="Destination IPv4 network.")
    referenced_security_group_id: str | None = Field(None, description="Destination security group.")
    prefix_list_id: str | None = Field(None, description="Destination managed prefix list.")


def _one_peer(r: EgressRule) -> bool:
    return sum(v is not None for v in (r.cidr_ipv4, r.referenced_security_group_id, r.prefix_list_id)) == 1


def _cidr_ok(r: EgressRule) -> bool:
    return r.cidr_ipv4 is None or Ipv4Cidr("").holds(r.cidr_ipv4)


class ExtraAccess(ModuleProps):
    ecr_repository_arns: Annotated[
        list[str],
        each(
            regional_arn(
                "ecr",
                r"repository/[a-z0-9][a-z0-9._/-]{0,255}",
                "Every ECR repository must be an ARN arn:aws:ecr:<region>:<account>:repository/<name>.",
            )
        ),
        Distinct("List each ECR repository once."),
    ] = Field(
        default_factory=list,
        description="ECR repositories the execution role may pull from besides the one in image (added automatically).",
    )
    kms_key_arns: Annotated[list[str], each(KmsKeyArn), Distinct("List each KMS key once.")] = Field(
        default_factory=list,
        description="Customer managed keys that encrypt the secrets: the execution role gets kms:Decrypt on them.",
    )
    egress_rules: Annotated[
        dict[str, EgressRule],
        keys(RuleKey),
        EveryEntry(
            "Every egress rule needs a description of 1-255 characters.",
            lambda r: 1 <= len(r.description) <= 255 and "\n" not in r.description,
            'can(regex("^[^\\\\n]{{1,255}}$", {o}.description))',
        ),
        EveryEntry(
            "Egress rules must use tcp or udp.",
            lambda r: r.ip_protocol in ("tcp", "udp"),
            'contains(["tcp", "udp"], {o}.ip_protocol)',
        ),
        EveryEntry(
            "Egress ports must be whole numbers from 1 to 65535 with from_port <= to_port.",
            lambda r: 1 <= r.from_port <= r.to_port <= 65535,
            "{o}.from_port == floor({o}.from_port) && {o}.to_port == floor({o}.to_port) && "
            "{o}.from_port >= 1 && {o}.from_port <= {o}.to_port && {o}.to_port <= 65535",
        ),
        EveryEntry(
            "Every egress rule needs exactly one destination: cidr_ipv4, referenced_security_group_id or "
            "prefix_list_id.",
            _one_peer,
            "length(compact([{o}.cidr_ipv4, {o}.referenced_security_group_id, {o}.prefix_list_id])) == 1",
        ),
        EveryEntry(
            "Egress cidr_ipv4 must be an IPv4 network such as 10.0.0.0/16.",
            _cidr_ok,
            "{o}.cidr_ipv4 == null ? true : (can(cidrnetmask({o}.cidr_ipv4)) && "
            "try(cidrsubnet({o}.cidr_ipv4, 0, 0) == {o}.cidr_ipv4, false))",
        ),
        EveryEntry(
            "Egress referenced_security_group_id must be sg- followed by 8 or 17 hex digits.",
            lambda r: (
                r.referenced_security_group_id is None or SecurityGroupIdRule.holds(r.referenced_security_group_id)
            ),
            "{o}.referenced_security_group_id == null ? true : "
            'can(regex("^(?:sg-(?:[0-9a-f]{{8}}|[0-9a-f]{{17}}))$", {o}.referenced_security_group_id))',
        ),
        EveryEntry(
            "Egress prefix_list_id must be pl- followed by 8 to 17 hex digits.",
            lambda r: r.prefix_list_id is None or Matches("", r"pl-[0-9a-f]{8,17}").holds(r.prefix_list_id),
            '{o}.prefix_list_id == null ? true : can(regex("^(?:pl-[0-9a-f]{{8,17}})$", {o}.prefix_list_id))',
        ),
    ] = Field(
        default_factory=dict,
        description=(
            "Security group egress beyond the default TCP 443 to anywhere, by stable key (for example the "
            "database port to the database's security group)."
        ),
    )


class LoadBalancer(ModuleProps):
    target_group_arn: Annotated[
        str,
        regional_arn(
            "elasticloadbalancing",
            r"targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}",
            "Must be a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>).",
        ),
    ] = Field(description="Target group the service registers its tasks in (the alb module's target_group_arns).")
    security_group_id: Annotated[str, SecurityGroupIdRule] = Field(
        description="The load balancer's security group: the only source the tasks accept traffic from."
    )


class TaskRole(ModuleProps):
    """An object around the ARN, not a nullable string: whether the module creates a role must be known at
    plan, and ``{ arn = <computed> }`` is known to be set while the ARN itself is not (``arn == null`` would
    be unknown and break the role's ``count``)."""

    arn: Annotated[
        str,
        Matches(
            "The task_role arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>).",
            rf"arn:aws:iam::{ACCOUNT}:role/[A-Za-z0-9+=,.@_/-]{{1,512}}",
        ),
    ] = Field(description="ARN of the application's role (the iam module's role_arn).")


class Autoscaling(ModuleProps):
    min_capacity: Annotated[int, Capacity] = Field(description="Fewest tasks.")
    max_capacity: Annotated[int, Capacity] = Field(description="Most tasks.")
    cpu_target_percent: Annotated[int | None, when_set(Percent)] = Field(
        None, description="Average CPU utilization to track (null: no CPU policy)."
    )
    memory_target_percent: Annotated[int | None, when_set(Percent)] = Field(
        None, description="Average memory utilization to track (null: no memory policy)."
    )
    scale_in_cooldown: Annotated[int, Cooldown] = Field(300, description="Seconds between scale-in activities.")
    scale_out_cooldown: Annotated[int, Cooldown] = Field(60, description="Seconds between scale-out activities.")


class HealthCheck(ModuleProps):
    grace_period_seconds: Annotated[int, Between("The grace_period_seconds must be 0-3600 seconds.", 0, 3600)] = Field(
        60, description="Seconds ECS ignores failing load balancer and container health checks after a task starts."
    )
    command: Annotated[
        list[str] | None,
        when_set(HealthCommand('The health check command must be ["CMD", ...] or ["CMD-SHELL", "<command>"].')),
    ] = Field(None, description='Container health check, e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health"].')
    interval: Annotated[int, Between("The interval must be 5-300 seconds.", 5, 300)] = Field(
        30, description="Seconds between container health checks."
    )
    timeout: Annotated[int, Between("The timeout must be 2-60 seconds.", 2, 60)] = Field(
        5, description="Seconds before one container health check fails."
    )
    retries: Annotated[int, Between("The retries must be 1-10.", 1, 10)] = Field(
        3, description="Failed checks before the container is unhealthy."
    )
    start_period: Annotated[int, Between("The start_period must be 0-300 seconds.", 0, 300)] = Field(
        0, description="Seconds of start-up during which failed checks do not count."
    )


class ServiceDiscovery(ModuleProps):
    namespace_id: Annotated[
        str, Matches("The namespace_id must be a Cloud Map namespace id (ns- and 16 characters).", r"ns-[a-z0-9]{16}")
    ] = Field(description="Private DNS namespace (Cloud Map) the service registers in.")
    name: Annotated[
        str | None,
        when_set(
            Matches(
                "The service discovery name must be a DNS label (1-63 lower-case letters, digits, inner hyphens).",
                r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
            )
        ),
    ] = Field(None, description="DNS name in the namespace (null: service_name).")
    dns_ttl: Annotated[int, Between("The dns_ttl must be 0-3600 seconds.", 0, 3600)] = Field(
        10, description="TTL of the A records."
    )


class EcsServiceProps(CommonProps):
    cluster_arn: Annotated[
        str,
        regional_arn(
            "ecs",
            r"cluster/[A-Za-z0-9_-]{1,255}",
            "Must be an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>).",
        ),
    ] = Field(description="Cluster the service runs in; its region and account also scope the IAM trust and grants.")
    vpc_id: Annotated[str, VpcId] = Field(
        description="VPC of the subnets (the tasks' security group is created in it)."
    )
    subnet_ids: Annotated[
        list[str],
        SubnetIds,
        Count("Give 2 to 16 private subnets in different Availability Zones.", 2, 16),
        Distinct("List each subnet once."),
    ] = Field(description="Private subnets of the tasks (2-16, in different Availability Zones; no public IPs).")
    image: Annotated[
        str,
        Matches(
            "The image must be a registry path with an explicit tag or @sha256 digest.",
            r"[a-z0-9]+(?:[._:/-]+[a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})",
        ),
        NotMatches(
            "The image tag must not be latest: a rollback to a revision with a mutable tag runs the new image.",
            r".*:latest",
        ),
    ] = Field(description="Container image with a tag or digest (an ECR image also grants the pull automatically).")
    cpu: Annotated[
        int,
        OneOf(
            "The cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384.",
            tuple(FARGATE_MEMORY),
        ),
    ] = Field(256, description="Task CPU units (Fargate sizes; 1024 = 1 vCPU).")
    memory: Annotated[int, Between("The memory must be 512-122880 MiB.", 512, 122880)] = Field(
        512, description="Task memory in MiB; must be a size Fargate allows for cpu (checked at plan)."
    )
    container_port: Annotated[int, Port] = Field(8080, description="Port the container listens on (TCP).")
    environment_variables: Annotated[dict[str, str], keys(EnvName)] = Field(
        default_factory=dict, description="Plain environment variables (never secrets: use secrets)."
    )
    secrets: Annotated[dict[str, str], keys(EnvName), each(SecretSource)] = Field(
        default_factory=dict,
        description=(
            "Environment variable name -> Secrets Manager secret ARN or SSM parameter ARN, injected at start; "
            "the execution role may read exactly these."
        ),
    )
    desired_count: Annotated[int, Between("The desired_count must be 0-1000.", 0, 1000)] = Field(
        2,
        description=(
            "Tasks at creation. Terraform ignores later changes (the autoscaler or operators own the running "
            "count, see the upgrade notes)."
        ),
    )
    load_balancer: LoadBalancer | None = Field(
        None, description="ALB integration: target group to register in and the ALB's security group (null: none)."
    )
    task_role: TaskRole | None = Field(
        None,
        description=(
            "The application's role: { arn = module.<iam>.role_arn }. Null: the module creates a task role "
            "without permissions. Never the execution role."
        ),
    )
    log_kms_key_arn: Annotated[str, KmsKeyArn] = Field(
        description=(
            "Customer managed KMS key that encrypts the log group; its key policy must allow "
            "logs.<region>.amazonaws.com (required: the module cannot write a key policy without an account lookup)."
        )
    )
    log_retention_days: Annotated[
        int,
        OneOf(
            "The log_retention_days must be a CloudWatch Logs retention: 0 (never expire), 1, 3, 5, 7, 14, 30, 60, "
            "90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.",
            LOG_RETENTION_DAYS,
        ),
    ] = Field(365, description="Days to keep the container logs (365 or more is the compliance baseline).")
    assign_public_ip: bool = Field(
        False, description="Give tasks public IPs (keep false: tasks run in private subnets)."
    )
    readonly_root_filesystem: bool = Field(
        True, description="Read-only root filesystem for the container (a writable /tmp volume is mounted)."
    )
    enable_execute_command: bool = Field(False, description="Allow ECS Exec (interactive shells into running tasks).")
    deployment_managed_externally: bool = Field(
        False,
        description=(
            "CI/CD deploys new task definitions and sets the count: Terraform ignores the service's "
            "task_definition and desired_count (switching moves the service's address, see the upgrade notes)."
        ),
    )
    extra_access: ExtraAccess = Field(
        default_factory=ExtraAccess,
        description="Access beyond the defaults: more ECR repositories, KMS keys of the secrets, egress rules.",
    )
    autoscaling: Autoscaling | None = Field(
        None, description="Target tracking on CPU and/or memory between min and max capacity (null: off)."
    )
    health_check: HealthCheck = Field(
        default_factory=HealthCheck,
        description="Load balancer grace period and the optional container health check.",
    )
    service_discovery: ServiceDiscovery | None = Field(
        None, description="Register the tasks in a Cloud Map private DNS namespace (null: off)."
    )

    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {
        "name": ("{environment}-{service_name}", Kind.ECS_SERVICE),
        "execution_role_name": ("{environment}-{service_name}-execution", Kind.IAM_ROLE),
        "task_role_name": ("{environment}-{service_name}-task", Kind.IAM_ROLE),
        "sg_name": ("{environment}-{service_name}-ecs-sg", Kind.SECURITY_GROUP),
        "log_group_name": ("/ecs/{environment}/{service_name}", Kind.LOG_GROUP),
    }
    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            ("cpu", "memory"),
            lambda p: p.memory in FARGATE_MEMORY.get(p.cpu, ()),
            "contains(try("
            + FARGATE_MEMORY_HCL.replace("{", "{{").replace("}", "}}")
            + "[tostring({cpu})], []), {memory})",
            "The memory is not a Fargate size for this cpu: 256 takes 512/1024/2048; 512 takes 1024-4096 and "
            "1024 takes 2048-8192 and 2048 takes 4096-16384 and 4096 takes 8192-30720 (steps of 1024); 8192 "
            "takes 16384-61440 (steps of 4096); 16384 takes 32768-122880 (steps of 8192).",
            "definition",
        ),
        CrossCheck(
            ("environment_variables", "secrets"),
            lambda p: not set(p.environment_variables) & set(p.secrets),
            "length(setintersection(keys({environment_variables}), keys({secrets}))) == 0",
            "A name is both in environment_variables and in secrets: give each variable one source.",
            "definition",
        ),
        CrossCheck(
            ("autoscaling",),
            lambda p: p.autoscaling is None or p.autoscaling.min_capacity <= p.autoscaling.max_capacity,
            "{autoscaling} == null ? true : {autoscaling}.min_capacity <= {autoscaling}.max_capacity",
            "The autoscaling min_capacity must not exceed max_capacity.",
            "scaling",
        ),
        CrossCheck(
            ("autoscaling",),
            lambda p: (
                p.autoscaling is None
                or p.autoscaling.cpu_target_percent is not None
                or p.autoscaling.memory_target_percent is not None
            ),
            "{autoscaling} == null ? true : "
            "({autoscaling}.cpu_target_percent != null || {autoscaling}.memory_target_percent != null)",
            "Autoscaling needs cpu_target_percent, memory_target_percent or both.",
            "scaling",
        ),
        CrossCheck(
            ("autoscaling", "desired_count"),
            lambda p: (
                p.autoscaling is None or p.autoscaling.min_capacity <= p.desired_count <= p.autoscaling.max_capacity
            ),
            "{autoscaling} == null ? true : "
            "({desired_count} >= {autoscaling}.min_capacity && {desired_count} <= {autoscaling}.max_capacity)",
            "With autoscaling, desired_count (the initial count) must be between min_capacity and max_capacity.",
            "scaling",
        ),
    )
