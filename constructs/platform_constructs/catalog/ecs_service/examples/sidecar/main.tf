# A worker with two containers next to the app: a FireLens log router (Fluent Bit) that ships the app's and the
# agent's logs to the service's encrypted log group, and the CloudWatch agent as a metrics sidecar. Every
# container keeps the app's defaults: read-only root filesystem (a writable /tmp), a pinned image, secrets by ARN.

provider "aws" {
  region = var.region

  # The organisation's mandatory tags come from the provider, as in a rendered service repo; the module adds
  # Environment, Service and ManagedBy. The guardrail policies (policy/tags.rego) check all six.
  default_tags {
    tags = {
      Team       = var.team
      Owner      = var.owner
      CostCenter = var.cost_center
    }
  }
}

module "service" {
  source = "../.."

  environment     = var.environment
  service_name    = var.service_name
  name            = "worker" # names: dev-fileflow-worker, /ecs/dev/fileflow-worker, dev-fileflow-worker-execution...
  cluster_arn     = var.cluster_arn
  vpc_id          = var.vpc_id
  subnet_ids      = var.private_subnet_ids
  image           = var.image
  cpu             = 512
  memory          = 1024
  desired_count   = 1
  log_kms_key_arn = var.log_kms_key_arn

  # this service's own role from the iam module (dev-fileflow-worker): FireLens writes the logs with it
  task_role = {
    arn = module.task_role.role_arn
  }

  # the log router: container log_router; the app and the sidecars log through it (awsfirelens), the router
  # itself with awslogs to the same log group; everyone waits for it to start
  firelens = {
    image = var.fluent_bit_image
  }

  sidecars = {
    metrics = {
      image              = var.agent_image
      essential          = false # the app keeps running if the agent stops
      cpu                = 64
      memory_reservation = 128
      secrets = {
        CW_CONFIG_CONTENT = var.agent_config_parameter_arn # the execution role may read exactly this parameter
      }
      app_waits_for = "START" # the agent runs before the app emits its first metric
    }
  }
}

# The application's role: the FireLens log shipping grant on the service's log group and the CloudWatch agent's
# managed policy. The ecs_service module accepts only a role named dev-fileflow-<segment>.
module "task_role" {
  source = "../../../iam"

  environment  = var.environment
  service_name = var.service_name
  name         = "worker"
  preset       = "ecs_task"

  log_group_arns = [module.service.log_group_arn]
  managed_policy_arns = {
    cloudwatch-agent = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"
  }
}

output "service_name" {
  description = "Name of the ECS service."
  value       = module.service.service_name
}

output "log_group_name" {
  description = "Where the app's, the agent's and the router's logs go."
  value       = module.service.log_group_name
}
