# A role for a scheduled Lambda function and a CI deploy role to assume: the custom preset with a
# service principal, a trusted role and the confused-deputy guard, and a managed policy attachment.

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

module "worker_role" {
  source = "../.."

  environment       = var.environment
  service_name      = var.service_name
  name              = "worker"
  preset            = "custom"
  description       = "Nightly report worker (Lambda), also assumed by the CI smoke test."
  trusted_services  = ["lambda.amazonaws.com"]
  trusted_role_arns = [var.ci_role_arn]
  source_account_id = var.account_id

  s3_read_bucket_arns = [var.reports_bucket_arn]
  log_group_arns      = [var.log_group_arn]

  managed_policy_arns = {
    xray = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
  }
  max_session_duration = 3600
  path                 = "/services/"
}

output "worker_role_arn" {
  description = "ARN of the worker role."
  value       = module.worker_role.role_arn
}
