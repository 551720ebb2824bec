# The role ECS uses to start the service's tasks: pull the image from ECR, create log streams in the
# service's log group and inject the database password secret. No application permissions.

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

module "execution_role" {
  source = "../.."

  environment       = var.environment
  service_name      = var.service_name
  name              = "execution"
  preset            = "ecs_execution"
  source_account_id = var.account_id

  ecr_repository_arns = [var.ecr_repository_arn]
  log_group_arns      = [var.log_group_arn]
  secret_arns         = [var.db_password_secret_arn]
  ssm_parameter_arns  = [var.feature_flags_parameter_arn]
}

output "execution_role_arn" {
  description = "Pass to the ecs_service module as the execution role."
  value       = module.execution_role.role_arn
}
