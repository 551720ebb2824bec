"""Props of the ecs_service module: its ``variables.tf`` (see :mod:`platform_constructs.catalog.props`).

25 inputs at most: knobs that belong together and are often left alone (autoscaling, health check,
service discovery, load balancer, access beyond the defaults) are objects with optional attributes;
every security toggle is a top-level scalar with the secure value as its default, where scanners and
reviewers read it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import Field

from platform_constructs.catalog.common import (
    CommonProps,
    RuleKey,
    SecurityGroupIdRule,
    Segment,
    SubnetIds,
    VpcId,
)
from platform_constructs.catalog.ecs_service.rules import EveryEntry, HealthCommand
from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.naming import SEGMENT_PATTERN, Kind
from platform_constructs.rules import (
    ACCOUNT,
    Between,
    Count,
    Distinct,
    Ipv4Cidr,
    Matches,
    NotIn,
    NotMatches,
    OneOf,
    at_most,
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
#: the app's, every sidecar's and the log router's image: pinned, so a rollback runs the previous image
ImagePath = Matches(
    "The image must be a registry path with an explicit tag or @sha256 digest.",
    r"[a-z0-9]+(?:[._:/-]+[a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})",
)
NotLatest = NotMatches(
    "The image tag must not be latest: a rollback to a revision with a mutable tag runs the new image.",
    r".*:latest",
)
#: ECS dependsOn conditions (ContainerDependency.condition)
CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
Condition = OneOf("The condition must be START, COMPLETE, SUCCESS or HEALTHY.", CONDITIONS)
#: the FireLens log router's container name (fixed: sidecars and the app depend on it by this name)
LOG_ROUTER = "log_router"
#: ECS allows 10 containers per task definition: the app, the log router and 8 sidecars
MAX_SIDECARS = 8
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
        description=(
            "The load balancer's security group, the only source the tasks accept traffic from: the sg module's "
            "security_group_id (the group the alb module gets in security_group_ids; alb has no such output)."
        )
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


class Sidecar(ModuleProps):
    """A container next to the app (metrics agent, proxy, init step), with the app's secure defaults."""

    image: Annotated[str, ImagePath, NotLatest] = Field(
        description="Image with a tag other than latest or a digest (an ECR image also grants the pull automatically)."
    )
    essential: bool = Field(True, description="The task stops when this container stops (false: it may exit).")
    cpu: Annotated[int, Between("The sidecar cpu must be 0-16384 units (0: no reservation).", 0, 16384)] = Field(
        0, description="CPU units reserved for this container out of the task's cpu (0: none)."
    )
    memory_reservation: Annotated[
        int | None, when_set(Between("The sidecar memory_reservation must be 6-122880 MiB.", 6, 122880))
    ] = Field(None, description="MiB reserved for this container out of the task's memory (null: none).")
    command: list[str] | None = Field(None, description="Command replacing the image's CMD (null: the image's).")
    environment_variables: Annotated[dict[str, str], keys(EnvName)] = Field(
        default_factory=dict, description="Plain environment variables (never secrets: use secrets)."
    )
    secrets: Annotated[dict[str, str], keys(EnvName), each(SecretSource)] = Field(
        default_factory=dict,
        description="Variable name -> Secrets Manager or SSM parameter ARN (the execution role may read only these).",
    )
    health_check_command: Annotated[
        list[str] | None,
        when_set(HealthCommand('The health_check_command must be ["CMD", ...] or ["CMD-SHELL", "<command>"].')),
    ] = Field(None, description="Container health check (needed for a HEALTHY dependency on this container).")
    depends_on: Annotated[dict[str, str], each(Condition)] = Field(
        default_factory=dict,
        description=(
            "Container name (the app's is service_name, the router's log_router, a sidecar's its key) -> "
            "START, COMPLETE, SUCCESS or HEALTHY: this sidecar starts once that container reached it."
        ),
    )
    app_waits_for: Annotated[str | None, when_set(Condition)] = Field(
        None, description="The app container starts once this sidecar reached this condition (null: it does not wait)."
    )
    readonly_root_filesystem: bool = Field(
        True,
        description=(
            "Stays true (read-only root filesystem, a writable /tmp is mounted); false is refused unless the "
            "top-level readonly_root_filesystem is false for the whole task."
        ),
    )


class Firelens(ModuleProps):
    """The FireLens log router: a Fluent Bit sidecar that receives the app's and sidecars' logs."""

    image: Annotated[str, ImagePath, NotLatest] = Field(
        description="Fluent Bit image, pinned (e.g. public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4)."
    )
    options: Annotated[
        dict[str, str],
        keys(
            Matches("Log router option names must be 1-64 letters, digits, '_', '-' or '.'.", r"[A-Za-z0-9_.-]{1,64}")
        ),
    ] = Field(
        default_factory=dict,
        description=(
            "Fluent Bit output options of the app's and sidecars' logs (empty: the module's log group through "
            "the cloudwatch_logs plugin). Plain values only, never secrets."
        ),
    )
    cpu: Annotated[int, Between("The log router cpu must be 0-16384 units (0: no reservation).", 0, 16384)] = Field(
        0, description="CPU units reserved for the router out of the task's cpu."
    )
    memory_reservation: Annotated[
        int, Between("The log router memory_reservation must be 50-122880 MiB.", 50, 122880)
    ] = Field(50, description="MiB reserved for the router out of the task's memory (AWS recommends 50 at least).")


def _dependencies(p: EcsServiceProps) -> dict[str, set[str]]:
    """Who waits for whom, with the edges the module adds (everyone waits for the log router to start)."""
    router = {LOG_ROUTER} if p.firelens is not None else set()
    deps = {k: set(s.depends_on) | router for k, s in p.sidecars.items()}
    deps[p.service_name] = {k for k, s in p.sidecars.items() if s.app_waits_for is not None} | router
    return deps


def _acyclic(p: EcsServiceProps) -> bool:
    deps, done, active = _dependencies(p), set(), set()

    def visit(node: str) -> bool:
        if node in active:
            return False
        if node in done:
            return True
        active.add(node)
        ok = all(visit(d) for d in deps.get(node, ()))
        active.discard(node)
        done.add(node)
        return ok

    return all(visit(n) for n in deps)


def _container_names(p: EcsServiceProps) -> set[str]:
    return {p.service_name, *p.sidecars, *([LOG_ROUTER] if p.firelens is not None else [])}


def _healthy_targets_checked(p: EcsServiceProps) -> bool:
    def checked(name: str) -> bool:
        if name == p.service_name:
            return p.health_check.command is not None
        return name in p.sidecars and p.sidecars[name].health_check_command is not None

    return all((c != "HEALTHY" or checked(d)) for s in p.sidecars.values() for d, c in s.depends_on.items()) and all(
        s.app_waits_for != "HEALTHY" or s.health_check_command is not None for s in p.sidecars.values()
    )


def _exits_only_when_not_essential(p: EcsServiceProps) -> bool:
    def essential(name: str) -> bool:
        return name not in p.sidecars or p.sidecars[name].essential

    exits = ("COMPLETE", "SUCCESS")
    return all(
        c not in exits or not essential(d) for s in p.sidecars.values() for d, c in s.depends_on.items()
    ) and all(s.app_waits_for not in exits or not s.essential for s in p.sidecars.values())


def _own_task_role(p: EcsServiceProps) -> bool:
    if p.task_role is None:
        return True
    found = re.fullmatch(
        rf"arn:aws:iam::({ACCOUNT}):role/(?:[A-Za-z0-9+=,.@_-]+/)*"
        rf"({re.escape(p.environment)}-{re.escape(p.service_name)}-{SEGMENT_PATTERN})",
        p.task_role.arn,
        re.ASCII,
    )
    execution = "{environment}-{service_name}{name}-execution".format(**p.name_parts())
    return found is not None and found[1] == p.cluster_arn.split(":")[4] and found[2] != execution


#: Terraform side of _acyclic: reachability by repeated squaring over local.container_dependencies (the
#: construct's), 16 >= the 10 containers a task may hold, so every cycle shows as a container reaching itself
ACYCLIC_HCL = "alltrue([for n, r in local.dependency_reach_16 : !contains(r, n)])"
#: HCL of "any other container" names, for the dependency checks
CONTAINERS_HCL = 'concat([{service_name}], keys({sidecars}), {firelens} == null ? [] : ["' + LOG_ROUTER + '"])'


class EcsServiceProps(CommonProps):
    name: Annotated[str | None, when_set(Segment)] = Field(
        None,
        description=(
            "Name segment, for several services of one service_name (api, worker): names become "
            "{environment}-{service_name}-{name}[-...] (null: {environment}-{service_name}, as before it existed)."
        ),
    )
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
    image: Annotated[str, ImagePath, NotLatest] = Field(
        description="Container image with a tag or digest (an ECR image also grants the pull automatically)."
    )
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
    sidecars: Annotated[
        dict[str, Sidecar],
        keys(
            Matches(
                "Sidecar keys (container names) must be 1-64 lower-case letters, digits, '_' and '-'.",
                r"[a-z0-9_-]{1,64}",
            )
        ),
        keys(
            NotIn(
                "The sidecar key log_router is the FireLens router's name: use firelens, or another key.", (LOG_ROUTER,)
            )
        ),
        at_most(MAX_SIDECARS, f"Give at most {MAX_SIDECARS} sidecars (ECS takes 10 containers per task)."),
        EveryEntry(
            "A sidecar name is both in its environment_variables and in its secrets: give each variable one source.",
            lambda s: not set(s.environment_variables) & set(s.secrets),
            "length(setintersection(keys({o}.environment_variables), keys({o}.secrets))) == 0",
        ),
    ] = Field(
        default_factory=dict,
        description=(
            "Containers next to the app by name (metrics agent, proxy): read-only root filesystem, pinned "
            "images, secrets by ARN, dependency ordering; they log like the app (awslogs, or FireLens)."
        ),
    )
    firelens: Firelens | None = Field(
        None,
        description=(
            "FireLens: a Fluent Bit log router container (log_router, logging itself to the module's log "
            "group); the app's and sidecars' logs go through it (null: awslogs to the log group)."
        ),
    )

    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {
        "service_full_name": ("{environment}-{service_name}{name}", Kind.ECS_SERVICE),
        "execution_role_name": ("{environment}-{service_name}{name}-execution", Kind.IAM_ROLE),
        "task_role_name": ("{environment}-{service_name}{name}-task", Kind.IAM_ROLE),
        "sg_name": ("{environment}-{service_name}{name}-ecs-sg", Kind.SECURITY_GROUP),
        "log_group_name": ("/ecs/{environment}/{service_name}{name}", Kind.LOG_GROUP),
    }

    def name_parts(self) -> dict[str, Any]:
        """``{name}`` in NAMES is the optional segment with its hyphen, or nothing (the names before it existed)."""
        return {**super().name_parts(), "name": "" if self.name is None else f"-{self.name}"}

    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = (
        CrossCheck(
            ("task_role", "environment", "service_name", "name", "cluster_arn"),
            _own_task_role,
            '{task_role} == null ? true : (can(regex("^arn:aws:iam::[0-9]{{12}}:role/(?:[A-Za-z0-9+=,.@_-]+/)*'
            "${{{environment}}}-${{{service_name}}}-"
            + SEGMENT_PATTERN.replace("{", "{{").replace("}", "}}")
            + '$", {task_role}.arn)) && split(":", {task_role}.arn)[4] == local.account_id && '
            'element(split("/", {task_role}.arn), length(split("/", {task_role}.arn)) - 1) != '
            "local.execution_role_name)",
            "The task_role arn must be a role of this service: arn:aws:iam::<the cluster's account>:role/"
            "<environment>-<service_name>-<name> as this service's own iam module names it (not another "
            "service's or environment's role, not this module's execution role): pass module.<iam>.role_arn of "
            "this service, or leave task_role null.",
            "definition",
        ),
        CrossCheck(
            ("sidecars", "readonly_root_filesystem"),
            lambda p: (
                p.readonly_root_filesystem is False or all(s.readonly_root_filesystem for s in p.sidecars.values())
            ),
            "{readonly_root_filesystem} == false || alltrue([for k, s in {sidecars} : s.readonly_root_filesystem])",
            "A sidecar asks for a writable root filesystem (readonly_root_filesystem = false): sidecars run "
            "read-only like the app (write to /tmp); remove the attribute, or turn the top-level "
            "readonly_root_filesystem off for the whole task as a visible exception.",
            "definition",
        ),
        CrossCheck(
            ("sidecars", "service_name"),
            lambda p: p.service_name not in p.sidecars,
            "!contains(keys({sidecars}), {service_name})",
            "A sidecar key equals service_name, the app container's name: give the sidecar another key.",
            "definition",
        ),
        CrossCheck(
            ("sidecars", "service_name", "firelens"),
            lambda p: all(d in _container_names(p) for s in p.sidecars.values() for d in s.depends_on),
            "alltrue(flatten([for k, s in {sidecars} : [for d in keys(s.depends_on) : contains("
            + CONTAINERS_HCL
            + ", d)]]))",
            "A sidecar's depends_on names an unknown container: use service_name (the app), another sidecar's "
            "key, or log_router (with firelens).",
            "definition",
        ),
        CrossCheck(
            ("sidecars", "service_name", "health_check"),
            _healthy_targets_checked,
            'alltrue(flatten([for k, s in {sidecars} : concat([for d, c in s.depends_on : c != "HEALTHY" || '
            "(d == {service_name} ? {health_check}.command != null : "
            "try({sidecars}[d].health_check_command != null, false))], "
            '[s.app_waits_for != "HEALTHY" || s.health_check_command != null])]))',
            "A HEALTHY dependency names a container without a health check: give that sidecar a "
            "health_check_command (the app: health_check.command), or wait for START.",
            "definition",
        ),
        CrossCheck(
            ("sidecars",),
            _exits_only_when_not_essential,
            "alltrue(flatten([for k, s in {sidecars} : concat([for d, c in s.depends_on : "
            '!contains(["COMPLETE", "SUCCESS"], c) || !try({sidecars}[d].essential, true)], '
            '[!contains(["COMPLETE", "SUCCESS"], coalesce(s.app_waits_for, "START")) || !s.essential])]))',
            "A COMPLETE or SUCCESS dependency names an essential container (ECS refuses it: an essential "
            "container must not exit): set essential = false on that sidecar, or wait for START or HEALTHY.",
            "definition",
        ),
        CrossCheck(
            ("sidecars", "service_name", "firelens"),
            _acyclic,
            ACYCLIC_HCL,
            "The containers' dependencies form a cycle (depends_on and app_waits_for): no container could "
            "start; remove one of the dependencies in the loop.",
            "definition",
        ),
        CrossCheck(
            ("cpu", "sidecars", "firelens"),
            lambda p: sum(s.cpu for s in p.sidecars.values()) + (p.firelens.cpu if p.firelens else 0) < p.cpu,
            "sum(concat([0], [for s in values({sidecars}) : s.cpu], {firelens} == null ? [] : [{firelens}.cpu]))"
            " < {cpu}",
            "The sidecars' and the log router's cpu reservations must leave cpu for the app: lower them or "
            "raise cpu (the task size).",
            "definition",
        ),
        CrossCheck(
            ("memory", "sidecars", "firelens"),
            lambda p: (
                sum(s.memory_reservation or 0 for s in p.sidecars.values())
                + (p.firelens.memory_reservation if p.firelens else 0)
                < p.memory
            ),
            "sum(concat([0], [for s in values({sidecars}) : coalesce(s.memory_reservation, 0)], "
            "{firelens} == null ? [] : [{firelens}.memory_reservation])) < {memory}",
            "The sidecars' and the log router's memory_reservation must leave memory for the app: lower them "
            "or raise memory (the task size).",
            "definition",
        ),
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
