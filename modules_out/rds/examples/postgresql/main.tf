# A dev PostgreSQL 16 database: single-AZ, small class, the module's own KMS key, reachable only from
# the service's security group. Everything else keeps the module's secure defaults.

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

module "db" {
  # checkov:skip=CKV_AWS_157: dev runs single-AZ to halve the cost; prod keeps the module default multi_az = true
  source = "../.."

  environment    = var.environment
  service_name   = var.service_name
  engine         = "postgres"
  engine_version = "16"
  instance_class = "db.t4g.micro"
  db_name        = "fileflow"

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids
  allowed_security_group_ids = {
    app = var.app_security_group_id
  }

  # dev: one availability zone and the minimum backup retention (prod keeps the Multi-AZ default)
  multi_az                = false
  backup_retention_period = 7

  parameters = {
    # log every statement slower than 500 ms in dev (the module's default is 1000)
    log_min_duration_statement = { value = "500" }
  }
}

output "endpoint" {
  description = "Connection endpoint (address:port)."
  value       = module.db.endpoint
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the generated master password."
  value       = module.db.master_user_secret_arn
}

output "iam_database_user_arn_prefix" {
  description = "Prefix for rds-db:connect resources (append the database user)."
  value       = module.db.iam_database_user_arn_prefix
}
