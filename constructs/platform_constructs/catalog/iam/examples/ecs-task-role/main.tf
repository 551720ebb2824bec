# The application role of an ECS service: read its secrets, read/write its buckets and connect to its
# PostgreSQL database as one IAM-authenticated user. Nothing else, on nothing else.

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

module "task_role" {
  source = "../.."

  environment       = var.environment
  service_name      = var.service_name
  name              = "task"
  preset            = "ecs_task"
  source_account_id = var.account_id

  secret_arns  = [var.api_key_secret_arn]
  kms_key_arns = [var.kms_key_arn]

  s3_read_bucket_arns  = [var.uploads_bucket_arn, var.reports_bucket_arn]
  s3_write_bucket_arns = [var.uploads_bucket_arn]

  rds_connect_user_arns = ["${var.rds_iam_database_user_arn_prefix}app_rw"]

  # prod accounts usually require a boundary; dev can leave it null
  permissions_boundary_arn = var.environment == "prod" ? var.permissions_boundary_arn : null
}

output "task_role_arn" {
  description = "Pass to the ecs_service module as the task role."
  value       = module.task_role.role_arn
}

output "task_role_policy" {
  description = "The inline policy, for review."
  value       = module.task_role.inline_policy_json
}
