# A production MySQL 8.0 database: Multi-AZ primary, one read replica for reporting, 30 days of backups,
# a longer Performance Insights history, the platform's shared KMS key, two client security groups.

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
  source = "../.."

  environment    = var.environment
  service_name   = var.service_name
  engine         = "mysql"
  engine_version = "8.0"
  instance_class = "db.r7g.large"
  db_name        = "identity"
  username       = "identity_admin"

  storage = {
    allocated_storage     = 100
    max_allocated_storage = 500
  }

  vpc_id     = var.vpc_id
  subnet_ids = var.subnet_ids
  allowed_security_group_ids = {
    api    = var.api_security_group_id
    worker = var.worker_security_group_id
  }

  read_replicas = {
    reporting = { instance_class = "db.r7g.medium" }
  }

  create_kms_key = false
  kms_key_arn    = var.kms_key_arn

  maintenance = {
    backup_window      = "16:00-17:00"
    maintenance_window = "sun:17:30-sun:18:30"
  }

  multi_az                              = true
  backup_retention_period               = 30
  performance_insights_retention_period = 93
  master_password_rotation_days         = 30

  parameters = {
    max_connections = { value = "1000" }
  }

  tags = {
    DataClassification = "confidential"
  }
}

output "endpoint" {
  description = "Writer endpoint (address:port)."
  value       = module.db.endpoint
}

output "replica_endpoints" {
  description = "Reader endpoints by replica key."
  value       = module.db.replica_endpoints
}

output "security_group_id" {
  description = "The database's security group."
  value       = module.db.security_group_id
}
