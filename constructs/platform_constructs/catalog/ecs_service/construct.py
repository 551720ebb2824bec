"""ECS Fargate service: task definition, service, its own roles, security group and log group.

Why the module creates the execution role: it is the one role whose permissions are fully determined by
the module's own inputs (its log group, the image's repository, the secrets), so it is scoped to exactly
those and nobody has to keep a separate policy in step. The task role (the application's permissions)
comes from the iam module; without one the module creates an empty role, never reusing the execution role.

Why ``task_role`` is an object (``{ arn = ... }``) and not a nullable ARN: the usual value is another
module's output (``module.task_role.role_arn``), unknown until apply, and ``arn == null`` on it is unknown
too, so Terraform could not count the created role. An object literal is known to be set even when its
``arn`` is not; an explicit ``create_task_role`` bool would have cost a 26th input for the same answer.
Likewise the execution role's grants exist or not by what is known at plan (the image, how many extra
repositories, KMS keys and secrets), never by the ARN values themselves.

Why two ``aws_ecs_service`` resources: Terraform cannot make ``ignore_changes`` conditional, and a
service deployed by CI/CD must not be rolled back by the next ``terraform apply``. Exactly one of them
exists (``count`` on ``deployment_managed_externally``).
"""

from __future__ import annotations

from typing import Any

from platform_constructs.catalog.construct import CatalogConstruct
from platform_constructs.catalog.ecs_service.props import LOG_ROUTER, EcsServiceProps

ECS_PRINCIPAL = "ecs-tasks.amazonaws.com"
#: ECS Exec's agent channel: these actions have no resource-level permissions ("*" is their only resource)
EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]
ECR_IMAGE = r"^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com/([^:@]+)"


class EcsService(CatalogConstruct):
    """An ECS service on Fargate running the app's container (and optional sidecars), wired the platform's way.

    The module creates the task definition (image, CPU/memory validated against Fargate's sizes, plain
    environment variables and secrets from Secrets Manager or SSM, awslogs to a KMS-encrypted log group it
    owns), the service (private subnets, no public IP, circuit breaker with rollback, optional ALB target
    group, optional Cloud Map registration), the execution role scoped to exactly this service, a task
    role without permissions unless you pass the iam module's `role_arn` as `task_role = { arn = ... }`,
    and a security group that only the load balancer can reach. Autoscaling (CPU and/or memory target
    tracking) is opt-in.

    Sidecars (`sidecars`, a map by container name: a metrics agent, a proxy) get the app's defaults: a
    read-only root filesystem with a writable `/tmp`, a pinned image, secrets only by ARN (the execution role
    may read exactly those), and `dependsOn` ordering checked at plan (known containers, no cycle, `HEALTHY`
    only on a container with a health check). `firelens` adds a Fluent Bit log router (`log_router`) and
    sends the app's and the sidecars' logs through it (`awsfirelens`); the router itself logs to the
    encrypted log group with awslogs.

    Several services of one `service_name` (an API and a worker) each take a `name`: every name becomes
    `{environment}-{service_name}-{name}...` (without `name`, the names stay `{environment}-{service_name}...`).

    ALB wiring by output name: `load_balancer.target_group_arn` is the alb module's
    `target_group_arns["<key>"]`; `load_balancer.security_group_id` is the ALB's security group, the sg
    module's `security_group_id` (the alb module takes that group in `security_group_ids` and has no
    `security_group_id` output).

    Every id and ARN may come from other resources or modules (unknown until apply). The image should be
    known at plan (a literal or a variable, as CI passes it): it decides whether the execution role gets
    the ECR pull grant; an image built from a repository created in the same apply (`repository_url`)
    makes that grant's count unknown, so create the repository in an earlier apply or stack.

    If CI/CD deploys your image (new task definition revisions via the ECS API), set
    `deployment_managed_externally = true`: Terraform then keeps the service's settings but ignores which
    task definition and how many tasks run.
    """

    NAME = "ecs_service"
    SUMMARY = "ECS Fargate service with scoped execution role, own security group, encrypted logs and autoscaling."
    PROPS = EcsServiceProps
    SECURITY_NOTES = (
        "Tasks get no public IP (`assign_public_ip = false`) and run in the private subnets you give.",
        "The container's root filesystem is read-only (`readonly_root_filesystem = true`); a writable `/tmp` "
        "volume is mounted so most runtimes still start.",
        "The execution role is created by the module and can only write to its own log group, read exactly the "
        "given secrets and parameters (one statement: `secretsmanager:GetSecretValue` and `ssm:GetParameters` "
        "on exactly the secrets' ARNs; each action applies only to its own service's ARNs), decrypt with exactly "
        "the given KMS keys (only via Secrets Manager or SSM) and pull from the image's ECR repository; "
        "`ecr:GetAuthorizationToken` is the only `*` resource (it has "
        "no resource-level permissions). Both roles trust `ecs-tasks.amazonaws.com` only for the cluster's account "
        "(`aws:SourceAccount`).",
        "The task role is never the execution role: without `task_role` the module creates a role with no "
        "permissions (plus the ECS Exec channel when `enable_execute_command = true`, and writing to its own log "
        "group when `firelens` is set). A given `task_role` must be this service's own role, "
        "`arn:aws:iam::<the cluster's account>:role/[<path>/]<environment>-<service_name>-<segment>` as the iam "
        "module names it, and not this module's execution role: a service cannot run as another service's role.",
        "Sidecars and the FireLens log router keep the app's defaults: read-only root filesystem (a sidecar's "
        "`readonly_root_filesystem = false` is refused; only the top-level switch turns it off, for the whole "
        "task), images with a tag other than `latest` or a digest, secrets only as Secrets Manager or SSM ARNs "
        "(the execution role's one secrets statement covers the app's and the sidecars' secrets, nothing else), "
        "ECR pulls granted on exactly their repositories.",
        "The security group admits only the load balancer's security group on the container port; egress is "
        "TCP 443 only, plus the `extra_access.egress_rules` you name.",
        "Logs are encrypted with your KMS key and kept 365 days by default; the retention is validated against "
        "CloudWatch's allowed values.",
        "Deployments use the circuit breaker with automatic rollback, Fargate platform `LATEST`, and images must "
        "carry a tag other than `latest` or a digest, so a rollback really runs the previous image.",
        "ECS Exec is off (`enable_execute_command = false`).",
    )
    UPGRADE_NOTES = (
        "`task_role.arn` must now name this service's own role: `arn:aws:iam::<the cluster's account>:role/"
        "[<path>/]<environment>-<service_name>-<segment>` (what the iam module creates with the same "
        "`environment` and `service_name`), not the module's execution role. A role named otherwise, or in "
        "another account, fails the plan (the apply, when the ARN is only known then): create the role with the "
        "iam module for this service and pass `module.<iam>.role_arn`.",
        "`name` (optional) adds a segment to every name. Leaving it unset keeps today's names; setting it on a "
        "running service renames the ECS service, task definition family, log group, roles and security group, "
        "which AWS cannot rename in place: Terraform replaces them (downtime, a new empty log group). Set it on "
        "new instances; no `moved` block or `terraform state mv` applies, since the addresses do not change.",
        "Switching `deployment_managed_externally` moves the service between `aws_ecs_service.this[0]` and "
        "`aws_ecs_service.external[0]`; without a move Terraform destroys and recreates the service (downtime). "
        "Add to your configuration, in the same change: `moved { from = module.<name>.aws_ecs_service.this[0] "
        "to = module.<name>.aws_ecs_service.external[0] }` (from and to swapped when switching back), or run "
        "`terraform state mv 'module.<name>.aws_ecs_service.this[0]' 'module.<name>.aws_ecs_service.external[0]'` "
        "before the apply. The plan must then show the move and no destroy.",
        "`desired_count` is the count at creation: Terraform ignores later changes to it (it never fights the "
        "autoscaler or an operator's scaling). To change the count of a running service, use `autoscaling` "
        "(min/max) or the ECS API; recreating the service is never needed.",
        "With `deployment_managed_externally = true`, the task definition Terraform manages is the template CI "
        "should start from; changes to it (environment variables, secrets) create a new revision that only "
        "takes effect with the next CI deployment.",
        "Changing `cpu`, `memory`, the image, variables, secrets or the health check command creates a new task "
        "definition revision and a rolling deployment (with `deployment_managed_externally`: with CI's next "
        "deployment).",
    )

    #: the optional name segment with its hyphen, or nothing (the names from before ``name`` existed)
    NAME_PARTS = {"name": 'var.name == null ? "" : "-${var.name}"'}

    def build(self) -> None:
        self._locals_from_inputs()
        self._log_group()
        self._execution_role()
        self._task_role()
        self._security_group()
        self._task_definition()
        self._service_discovery()
        self._services()
        self._autoscaling()
        self._outputs()

    # -- inputs ------------------------------------------------------------------------------------------
    def _locals_from_inputs(self) -> None:
        self.names = {local: self.name_local(local) for local in self.PROPS.NAMES}
        # The cluster ARN fixes partition, region and account of everything else: no lookups at plan time.
        self.local("cluster_arn_parts", self.x('split(":", var.cluster_arn)'))
        self.local("partition", self.x("local.cluster_arn_parts[1]"))
        self.region = self.local("region", self.x("local.cluster_arn_parts[3]"))
        self.account_id = self.local("account_id", self.x("local.cluster_arn_parts[4]"))
        self.local("cluster_name", self.x('element(split("/", var.cluster_arn), 1)'))
        # IAM resources: the image's own ECR repository (when it is an ECR image) plus any extra ones; the
        # secrets' ARNs without ECS's ":json-key:stage:version" suffix (IAM matches the secret itself).
        # Which grants exist is decided only by what is known at plan: the image (its registry), the number
        # of extra repositories and KMS keys, the secrets' names; never by ARN values, which are unknown when
        # they come from other resources (distinct/compact/filters over them have an unknown length).
        # every container's image: the app's, the sidecars' and the log router's (same rules, same grant)
        self.local(
            "images",
            self.x(
                "concat([var.image], [for k, s in var.sidecars : s.image], "
                "var.firelens == null ? [] : [var.firelens.image])"
            ),
        )
        self.local(
            "image_ecr",
            self.x(f'[for i in local.images : regex("{ECR_IMAGE}", i) if can(regex("{ECR_IMAGE}", i))]'),
        )
        self.local(
            "ecr_repository_arns",
            self.x(
                "distinct(concat([for e in local.image_ecr : "
                '"arn:${local.partition}:ecr:${e[1]}:${e[0]}:repository/${e[2]}"], '
                "var.extra_access.ecr_repository_arns))"
            ),
        )
        self.local(
            "pulls_from_ecr",
            self.x("length(local.image_ecr) > 0 || length(var.extra_access.ecr_repository_arns) > 0"),
        )
        # the app's and the sidecars' secrets: the execution role injects them all, and may read only these
        self.local(
            "secret_refs",
            self.x("concat(values(var.secrets), flatten([for k, s in var.sidecars : values(s.secrets)]))"),
        )
        self.local(
            "secret_source_arns",
            self.x(
                'distinct([for v in local.secret_refs : startswith(v, "arn:aws:secretsmanager:") ? '
                'join(":", slice(split(":", v), 0, 7)) : v])'
            ),
        )
        # Optional objects as lists of zero or one, for `count = length(...)` and `[count.index]`: the
        # instance's attributes are read only when it exists (stack mode holds nulls as known literals,
        # which a direct `var.x.attr` would dereference while Terraform validates a count-0 resource).
        for optional, plural in (
            ("load_balancer", "load_balancers"),
            ("service_discovery", "service_discoveries"),
            ("autoscaling", "autoscaling_configs"),
            ("task_role", "given_task_roles"),
        ):
            self.local(plural, self.x(f"var.{optional} == null ? [] : [var.{optional}]"))

    def _log_group(self) -> None:
        name = self.names["log_group_name"]
        self.resource(
            "aws_cloudwatch_log_group",
            "logs",
            {
                "name": name,
                "retention_in_days": self.x("var.log_retention_days"),
                "kms_key_id": self.x("var.log_kms_key_arn"),
                "tags": self.tags(name),
            },
        )
        self.named("logs", "log_group_name")

    # -- IAM ---------------------------------------------------------------------------------------------
    def _allow(self, sid: str, actions: list[str], resources: str, **extra: Any) -> dict[str, Any]:
        return {"sid": sid, "effect": "Allow", "actions": actions, "resources": self.x(resources), **extra}

    def _document(self, doc: str, when: str, statements: list[dict[str, Any]]) -> str:
        """One small policy document per optional grant, read only when its list is non-empty (IAM refuses
        a statement without Resource). Static statements are what checkov reads: it renders no dynamic
        blocks in data sources. Returns the ``[*].json`` splat for ``source_policy_documents``."""
        self.data("aws_iam_policy_document", doc, {"count": self.x(f"{when} ? 1 : 0"), "statement": statements})
        return self.addr("data.aws_iam_policy_document", doc) + "[*].json"

    def _execution_role(self) -> None:
        name, role_name = self.names["service_full_name"], self.names["execution_role_name"]
        self.data(
            "aws_iam_policy_document",
            "trust",
            {
                "statement": [
                    {
                        "sid": "EcsTasks",
                        "effect": "Allow",
                        "actions": ["sts:AssumeRole"],
                        "principals": [{"type": "Service", "identifiers": [ECS_PRINCIPAL]}],
                        # confused-deputy guard: ECS may assume the role only for tasks of this account
                        "condition": [
                            {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [self.account_id]}
                        ],
                    }
                ]
            },
        )
        self.trust_json = "${" + self.addr("data.aws_iam_policy_document", "trust") + ".json}"
        parts = [
            self._document(
                "ecr_pull",
                "local.pulls_from_ecr",
                [
                    self._allow(
                        "EcrPull",
                        ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        "local.ecr_repository_arns",
                    ),
                    # the one action without resource-level permissions: "*" is its only valid resource
                    self._allow("EcrAuthorizationToken", ["ecr:GetAuthorizationToken"], '["*"]'),
                ],
            ),
            # one statement for both sources: whether a secret is in Secrets Manager or SSM is in its ARN's
            # value (unknown at plan when it comes from another resource), while the number of secrets is
            # known. Each action applies only to its own service's ARNs, so the grant is exactly the two
            # separate ones: GetSecretValue on the secrets, GetParameters on the parameters.
            self._document(
                "secrets_read",
                "length(local.secret_refs) > 0",
                [
                    self._allow(
                        "ReadInjectedSecrets",
                        ["secretsmanager:GetSecretValue", "ssm:GetParameters"],
                        "local.secret_source_arns",
                    )
                ],
            ),
            self._document(
                "secrets_decrypt",
                "length(var.extra_access.kms_key_arns) > 0",
                [
                    self._allow(
                        "KmsDecryptSecrets",
                        ["kms:Decrypt"],
                        "var.extra_access.kms_key_arns",
                        # the keys decrypt secrets for ECS only through Secrets Manager or SSM
                        condition=[
                            {
                                "test": "StringEquals",
                                "variable": "kms:ViaService",
                                "values": [
                                    f"secretsmanager.{self.region}.amazonaws.com",
                                    f"ssm.{self.region}.amazonaws.com",
                                ],
                            }
                        ],
                    )
                ],
            ),
        ]
        # the log group's ARN from its parts: known at plan, so the plan shows the whole policy
        self.local(
            "log_group_arn",
            self.x(
                '"arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"'
            ),
        )
        policy = self.data(
            "aws_iam_policy_document",
            "execution_access_policy",
            {
                "source_policy_documents": self.x(f"concat({', '.join(parts)})"),
                "statement": [
                    {
                        "sid": "OwnLogGroup",
                        "effect": "Allow",
                        "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "resources": ["${local.log_group_arn}:*"],
                    }
                ],
            },
        )
        role = self.resource(
            "aws_iam_role",
            "execution",
            {
                "name": role_name,
                "description": f"ECS execution role of {name}: image pull, logs and secret injection only.",
                "assume_role_policy": self.trust_json,
                "force_detach_policies": True,
                "tags": self.tags(role_name),
            },
        )
        self.named("execution", "execution_role_name")
        self.resource(
            "aws_iam_role_policy",
            "execution_access",
            {"name": role_name, "role": role.get_string_attribute("id"), "policy": policy.get_string_attribute("json")},
        )
        self.execution_role_arn = role.get_string_attribute("arn")

    def _task_role(self) -> None:
        name, role_name = self.names["service_full_name"], self.names["task_role_name"]
        # `task_role` is an object, not a nullable ARN: `{ arn = module.x.role_arn }` is known to be set at
        # plan while the ARN is not, so this count never depends on an ARN value
        created = "length(local.given_task_roles) == 0"
        self.resource(
            "aws_iam_role",
            "task",
            {
                "count": self.x(f"{created} ? 1 : 0"),
                "name": role_name,
                "description": f"ECS task role of {name}: no AWS permissions (pass task_role to grant some).",
                "assume_role_policy": self.trust_json,
                "force_detach_policies": True,
                "tags": self.tags(role_name),
            },
        )
        self.named("task", "task_role_name")
        exec_on = f"{created} && var.enable_execute_command"
        self.data(
            "aws_iam_policy_document",
            "exec_command_policy",
            {
                "count": self.x(f"{exec_on} ? 1 : 0"),
                "statement": [self._allow("EcsExecChannel", EXEC_ACTIONS, '["*"]')],
            },
        )
        roles = self.addr("aws_iam_role", "task")
        self.resource(
            "aws_iam_role_policy",
            "exec_command",
            {
                "count": self.x(f"{exec_on} ? 1 : 0"),
                "name": f"{role_name}-ecs-exec",
                "role": self.x(f"{roles}[0].id"),
                "policy": self.x(f"{self.addr('data.aws_iam_policy_document', 'exec_command_policy')}[0].json"),
            },
        )
        # FireLens ships logs with the task role (Fluent Bit runs in the task): the created role may write
        # to the module's own log group only; a given role needs the same grant (the iam module's logs template)
        firelens_on = f"{created} && var.firelens != null"
        self.data(
            "aws_iam_policy_document",
            "firelens_logs_policy",
            {
                "count": self.x(f"{firelens_on} ? 1 : 0"),
                "statement": [
                    self._allow(
                        "FirelensOwnLogGroup",
                        ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        '["${local.log_group_arn}:*"]',
                    )
                ],
            },
        )
        self.resource(
            "aws_iam_role_policy",
            "firelens_logs",
            {
                "count": self.x(f"{firelens_on} ? 1 : 0"),
                "name": f"{role_name}-firelens-logs",
                "role": self.x(f"{roles}[0].id"),
                "policy": self.x(f"{self.addr('data.aws_iam_policy_document', 'firelens_logs_policy')}[0].json"),
            },
        )
        self.local(
            "effective_task_role_arn",
            self.x(f"{created} ? one({roles}[*].arn) : local.given_task_roles[0].arn"),
        )

    # -- network -----------------------------------------------------------------------------------------
    def _security_group(self) -> None:
        name, sg_name = self.names["service_full_name"], self.names["sg_name"]
        sg = self.resource(
            "aws_security_group",
            "tasks",
            {
                "name": sg_name,
                "description": f"ECS tasks of {name}",
                "vpc_id": self.x("var.vpc_id"),
                "revoke_rules_on_delete": True,
                "tags": self.tags(sg_name),
            },
        )
        self.named("tasks", "sg_name")
        self.sg_id = sg.get_string_attribute("id")
        self.resource(
            "aws_vpc_security_group_ingress_rule",
            "from_load_balancer",
            {
                "count": self.x("length(local.load_balancers)"),
                "security_group_id": self.sg_id,
                "description": "Container port from the load balancer",
                "ip_protocol": "tcp",
                "from_port": self.x("var.container_port"),
                "to_port": self.x("var.container_port"),
                "referenced_security_group_id": self.x("local.load_balancers[count.index].security_group_id"),
                "tags": self.tags(f"{sg_name}-from-load-balancer"),
            },
        )
        self.resource(
            "aws_vpc_security_group_egress_rule",
            "https",
            {
                "security_group_id": self.sg_id,
                "description": "HTTPS to AWS APIs (ECR, Logs, Secrets Manager) and external services",
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
                "cidr_ipv4": "0.0.0.0/0",
                "tags": self.tags(f"{sg_name}-https"),
            },
        )
        self.resource(
            "aws_vpc_security_group_egress_rule",
            "extra",
            {
                "for_each": self.x("var.extra_access.egress_rules"),
                "security_group_id": self.sg_id,
                "description": "${each.value.description}",
                "ip_protocol": "${each.value.ip_protocol}",
                "from_port": "${each.value.from_port}",
                "to_port": "${each.value.to_port}",
                "cidr_ipv4": "${each.value.cidr_ipv4}",
                "referenced_security_group_id": "${each.value.referenced_security_group_id}",
                "prefix_list_id": "${each.value.prefix_list_id}",
                "tags": self.tags(f"{sg_name}-${{each.key}}"),
            },
        )

    # -- task definition ---------------------------------------------------------------------------------
    def _task_definition(self) -> None:
        name = self.names["service_full_name"]
        hc = "var.health_check"
        self._container_logging()
        self._dependency_graph()
        port = "var.container_port"
        self.local(
            "container_definition",
            self.x(
                "merge({"
                " name = var.service_name, image = var.image, essential = true,"
                " readonlyRootFilesystem = var.readonly_root_filesystem,"
                f' portMappings = [{{ containerPort = {port}, hostPort = {port}, protocol = "tcp" }}],'
                f" {self._common_container_parts()},"
                " logConfiguration = local.container_log_configuration"
                "}, "
                # optional parts are left out, not null or empty: ECS echoes none back and the provider would diff
                "{ for k, v in {"
                " environment = [for k, v in var.environment_variables : { name = k, value = v }],"
                " secrets = [for k, v in var.secrets : { name = k, valueFrom = v }],"
                " dependsOn = [for k, c in local.app_dependencies : { containerName = k, condition = c }],"
                f" healthCheck = {{ command = {hc}.command, interval = {hc}.interval, timeout = {hc}.timeout,"
                f" retries = {hc}.retries, startPeriod = {hc}.start_period }}"
                f' }} : k => v if (k == "healthCheck" ? {hc}.command != null : length(v) > 0) }}'
                ")"
            ),
        )
        # sidecars: the app's defaults (read-only root filesystem, /tmp, init process, the same logging),
        # every container waits for the log router to start (FireLens must be up before anyone logs)
        self.local(
            "sidecar_definitions",
            self.x(
                "[for k, s in var.sidecars : merge({"
                " name = k, image = s.image, essential = s.essential,"
                " readonlyRootFilesystem = var.readonly_root_filesystem && s.readonly_root_filesystem,"
                f" {self._common_container_parts()},"
                " logConfiguration = local.container_log_configuration"
                "}, "
                "{ for a, v in {"
                " cpu = s.cpu,"
                " memoryReservation = s.memory_reservation,"
                " command = s.command,"
                " environment = [for n, v in s.environment_variables : { name = n, value = v }],"
                " secrets = [for n, v in s.secrets : { name = n, valueFrom = v }],"
                " dependsOn = [for d, c in local.sidecar_dependencies[k] : { containerName = d, condition = c }],"
                " healthCheck = { command = s.health_check_command, interval = 30, timeout = 5, retries = 3,"
                " startPeriod = 0 }"
                ' } : a => v if (a == "cpu" ? v > 0 : contains(["memoryReservation", "command"], a) ? v != null :'
                ' a == "healthCheck" ? s.health_check_command != null : length(v) > 0) })]'
            ),
        )
        # the FireLens router logs itself with awslogs to the module's log group (never through itself)
        self.local(
            "log_router_definitions",
            self.x(
                "[for f in local.firelens_configs : {"
                f' name = "{LOG_ROUTER}", image = f.image, essential = true,'
                " readonlyRootFilesystem = var.readonly_root_filesystem,"
                f" {self._common_container_parts()},"
                " memoryReservation = f.memory_reservation,"
                ' firelensConfiguration = { type = "fluentbit", options = { "enable-ecs-log-metadata" = "true" } },'
                " logConfiguration = merge(local.awslogs_configuration, { options = merge("
                'local.awslogs_configuration.options, { "awslogs-stream-prefix" = "${var.service_name}-firelens" }) })'
                "}]"
            ),
        )
        self.local(
            "container_definitions",
            self.x("concat([local.container_definition], local.log_router_definitions, local.sidecar_definitions)"),
        )
        definition = self.resource(
            "aws_ecs_task_definition",
            "definition",
            {
                "family": name,
                "requires_compatibilities": ["FARGATE"],
                "network_mode": "awsvpc",
                "cpu": self.x("tostring(var.cpu)"),
                "memory": self.x("tostring(var.memory)"),
                "execution_role_arn": self.execution_role_arn,
                "task_role_arn": self.x("local.effective_task_role_arn"),
                "container_definitions": self.x("jsonencode(local.container_definitions)"),
                "runtime_platform": [{"operating_system_family": "LINUX", "cpu_architecture": "X86_64"}],
                # the writable scratch space next to the read-only root filesystem
                "volume": [{"name": "tmp"}],
                "tags": self.tags(name),
            },
        )
        self.named("definition", "service_full_name")
        self.definition_arn = definition.get_string_attribute("arn")
        self.definition_family = definition.get_string_attribute("family")

    @staticmethod
    def _common_container_parts() -> str:
        """What every container gets: the writable /tmp next to the read-only root, an init process."""
        return (
            'mountPoints = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }],'
            " linuxParameters = { initProcessEnabled = true }"
        )

    def _container_logging(self) -> None:
        """awslogs to the module's log group, or (firelens) awsfirelens for the app and the sidecars."""
        logs = self.addr("aws_cloudwatch_log_group", "logs")
        self.local("firelens_configs", self.x("var.firelens == null ? [] : [var.firelens]"))
        self.local(
            "awslogs_configuration",
            self.x(
                '{ logDriver = "awslogs", options = {'
                f' "awslogs-group" = {logs}.name, "awslogs-region" = local.region,'
                ' "awslogs-stream-prefix" = var.service_name } }'
            ),
        )
        # default FireLens output: the same encrypted log group, streams <service_name>/<container>-<task>
        self.local(
            "firelens_log_options",
            self.x(
                "[for f in local.firelens_configs : length(f.options) > 0 ? f.options : tomap({"
                f' Name = "cloudwatch_logs", region = local.region, log_group_name = {logs}.name,'
                ' log_stream_prefix = "${var.service_name}/", auto_create_group = "false" })]'
            ),
        )
        self.local(
            "container_log_configuration",
            self.x(
                # lists, not a conditional: the two objects have different types, which a conditional refuses
                'concat([for o in local.firelens_log_options : { logDriver = "awsfirelens", options = o }], '
                "[for c in [local.awslogs_configuration] : c if length(local.firelens_configs) == 0])[0]"
            ),
        )

    def _dependency_graph(self) -> None:
        """dependsOn of every container, and its closure for the cycle precondition (props.ACYCLIC_HCL)."""
        router = f'{{ for f in local.firelens_configs : "{LOG_ROUTER}" => "START" }}'
        self.local(
            "app_dependencies",
            self.x(
                f"merge({router}, {{ for k, s in var.sidecars : k => s.app_waits_for if s.app_waits_for != null }})"
            ),
        )
        self.local(
            "sidecar_dependencies", self.x(f"{{ for k, s in var.sidecars : k => merge({router}, s.depends_on) }}")
        )
        self.local(
            "container_dependencies",
            self.x(
                "merge({ for k, d in local.sidecar_dependencies : k => keys(d) }, "
                "{ (var.service_name) = keys(local.app_dependencies) })"
            ),
        )
        previous = "local.container_dependencies"
        for hops in (2, 4, 8, 16):
            self.local(
                f"dependency_reach_{hops}",
                self.x(
                    f"{{ for n, r in {previous} : n => distinct(concat(r, flatten("
                    f"[for d in r : try({previous}[d], [])]))) }}"
                ),
            )
            previous = f"local.dependency_reach_{hops}"

    def _service_discovery(self) -> None:
        name, sd = self.names["service_full_name"], "local.service_discoveries[count.index]"
        self.resource(
            "aws_service_discovery_service",
            "discovery",
            {
                "count": self.x("length(local.service_discoveries)"),
                "name": self.x(
                    f'coalesce({sd}.name, var.name == null ? var.service_name : "${{var.service_name}}-${{var.name}}")'
                ),
                "description": f"Tasks of {name}",
                "dns_config": [
                    {
                        "namespace_id": self.x(f"{sd}.namespace_id"),
                        "routing_policy": "MULTIVALUE",
                        "dns_records": [{"ttl": self.x(f"{sd}.dns_ttl"), "type": "A"}],
                    }
                ],
                # ECS reports task health to Cloud Map (no Route 53 health checks in a private namespace)
                "health_check_custom_config": [{}],
                "tags": self.tags(f"{name}-discovery"),
            },
        )

    # -- service -----------------------------------------------------------------------------------------
    def _service(self, resource_name: str, count: str, ignore: list[str]) -> None:
        name = self.names["service_full_name"]
        self.resource(
            "aws_ecs_service",
            resource_name,
            {
                "count": self.x(count),
                "name": name,
                "cluster": self.x("var.cluster_arn"),
                "task_definition": self.definition_arn,
                "desired_count": self.x("var.desired_count"),
                "launch_type": "FARGATE",
                "platform_version": "LATEST",
                "propagate_tags": "SERVICE",
                "enable_ecs_managed_tags": True,
                "enable_execute_command": self.x("var.enable_execute_command"),
                "deployment_minimum_healthy_percent": 100,
                "deployment_maximum_percent": 200,
                "deployment_circuit_breaker": [{"enable": True, "rollback": True}],
                # used by the load balancer's and the container's health checks; left unset without either
                "health_check_grace_period_seconds": self.x(
                    "var.load_balancer == null && var.health_check.command == null ? null : "
                    "var.health_check.grace_period_seconds"
                ),
                "wait_for_steady_state": False,
                "network_configuration": [
                    {
                        "subnets": self.x("var.subnet_ids"),
                        "security_groups": [self.sg_id],
                        "assign_public_ip": self.x("var.assign_public_ip"),
                    }
                ],
                "dynamic": {
                    "load_balancer": {
                        "for_each": self.x("var.load_balancer == null ? [] : [var.load_balancer]"),
                        "content": {
                            "target_group_arn": "${load_balancer.value.target_group_arn}",
                            "container_name": self.x("var.service_name"),
                            "container_port": self.x("var.container_port"),
                        },
                    },
                    "service_registries": {
                        "for_each": self.x(self.addr("aws_service_discovery_service", "discovery") + "[*].arn"),
                        "content": {"registry_arn": "${service_registries.value}"},
                    },
                },
                "tags": self.tags(name),
                # the execution role must be able to pull and log before the first task starts
                "depends_on": [self.addr("aws_iam_role_policy", "execution_access")],
                "lifecycle": {"ignore_changes": ignore},
            },
        )

    def _services(self) -> None:
        # desired_count is ignored on both: after creation the autoscaler (or an operator) owns the count,
        # and Terraform must not reset it on the next apply
        self._service("this", "var.deployment_managed_externally ? 0 : 1", ["desired_count"])
        self._service("external", "var.deployment_managed_externally ? 1 : 0", ["task_definition", "desired_count"])

    def _one_service(self, attr: str) -> str:
        """The attribute of whichever service exists (exactly one does), as an expression."""
        services = [self.addr("aws_ecs_service", "this"), self.addr("aws_ecs_service", "external")]
        return f"one(concat({', '.join(f'{s}[*].{attr}' for s in services)}))"

    # -- autoscaling -------------------------------------------------------------------------------------
    def _autoscaling(self) -> None:
        name, asg = self.names["service_full_name"], "local.autoscaling_configs[count.index]"
        self.resource(
            "aws_appautoscaling_target",
            "scaling",
            {
                "count": self.x("length(local.autoscaling_configs)"),
                "service_namespace": "ecs",
                "scalable_dimension": "ecs:service:DesiredCount",
                "resource_id": f"service/${{local.cluster_name}}/${{{self._one_service('name')}}}",
                "min_capacity": self.x(f"{asg}.min_capacity"),
                "max_capacity": self.x(f"{asg}.max_capacity"),
                "tags": self.tags(f"{name}-scaling"),
            },
        )
        target = self.addr("aws_appautoscaling_target", "scaling")
        metrics = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}
        policies = ", ".join(
            f'{key} = {{ metric = "{metric}", target = a.{key}_target_percent, '
            "scale_in_cooldown = a.scale_in_cooldown, scale_out_cooldown = a.scale_out_cooldown }"
            for key, metric in metrics.items()
        )
        # one policy per metric with a target, keyed by the metric (cpu, memory): stable addresses
        self.local(
            "scaling_policies",
            self.x(
                f"merge([for a in local.autoscaling_configs : "
                f"{{ for k, v in {{ {policies} }} : k => v if v.target != null }}]...)"
            ),
        )
        self.resource(
            "aws_appautoscaling_policy",
            "target_tracking",
            {
                "for_each": self.x("local.scaling_policies"),
                "name": f"{name}-${{each.key}}",
                "policy_type": "TargetTrackingScaling",
                "service_namespace": self.x(f"{target}[0].service_namespace"),
                "scalable_dimension": self.x(f"{target}[0].scalable_dimension"),
                "resource_id": self.x(f"{target}[0].resource_id"),
                "target_tracking_scaling_policy_configuration": [
                    {
                        "target_value": "${each.value.target}",
                        "scale_in_cooldown": "${each.value.scale_in_cooldown}",
                        "scale_out_cooldown": "${each.value.scale_out_cooldown}",
                        "predefined_metric_specification": [{"predefined_metric_type": "${each.value.metric}"}],
                    }
                ],
            },
        )

    # -- outputs -----------------------------------------------------------------------------------------
    def _outputs(self) -> None:
        logs = self.addr("aws_cloudwatch_log_group", "logs")
        discovery = self.addr("aws_service_discovery_service", "discovery")
        self.output("service_id", self.x(self._one_service("id")), "ID (ARN) of the ECS service.")
        self.output("service_name", self.x(self._one_service("name")), "Name of the ECS service.")
        self.output(
            "task_definition_arn",
            self.definition_arn,
            "ARN (with revision) of the task definition Terraform manages (CI's template when deployments are "
            "managed externally).",
        )
        self.output("task_definition_family", self.definition_family, "Family of the task definition.")
        self.output("security_group_id", self.sg_id, "ID of the tasks' security group (source for database ingress).")
        self.output(
            "task_role_arn", self.x("local.effective_task_role_arn"), "ARN of the task role (given or created)."
        )
        self.output("execution_role_arn", self.execution_role_arn, "ARN of the execution role the module created.")
        self.output("log_group_name", self.x(f"{logs}.name"), "Name of the container log group.")
        self.output("log_group_arn", self.x(f"{logs}.arn"), "ARN of the container log group.")
        self.output(
            "service_discovery_arn",
            self.x(f"one({discovery}[*].arn)"),
            "ARN of the Cloud Map service (null without service_discovery).",
        )
