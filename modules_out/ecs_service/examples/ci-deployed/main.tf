# A production service whose image CI/CD deploys: CPU and memory target tracking between 2 and 10 tasks,
# the database password and a feature-flag parameter injected as secrets, the application's own role from
# the iam module, egress to the database, and Terraform ignoring the task definition CI deploys.

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
  cluster_arn     = var.cluster_arn
  vpc_id          = var.vpc_id
  subnet_ids      = var.private_subnet_ids
  image           = var.image
  cpu             = 1024
  memory          = 2048
  container_port  = 8080
  desired_count   = 2
  log_kms_key_arn = var.log_kms_key_arn

  # the iam module's role_arn (ecs_task preset) of this service: prod-fileflow-app; another service's role is
  # refused. An object, so the module knows at plan that it creates no role
  task_role = {
    arn = module.task_role.role_arn
  }

  # CI registers new task definition revisions and updates the service: Terraform keeps everything else
  deployment_managed_externally = true

  load_balancer = {
    target_group_arn  = var.target_group_arn
    security_group_id = var.alb_security_group_id
  }

  environment_variables = {
    SPRING_PROFILES_ACTIVE = "prod"
  }

  secrets = {
    DB_PASSWORD   = "${var.db_secret_arn}:password::"
    FEATURE_FLAGS = var.feature_flags_parameter_arn
  }

  extra_access = {
    kms_key_arns = [var.secrets_kms_key_arn]
    egress_rules = {
      postgres = {
        description                  = "PostgreSQL on the service's database"
        from_port                    = 5432
        to_port                      = 5432
        referenced_security_group_id = var.db_security_group_id
      }
    }
  }

  autoscaling = {
    min_capacity          = 2
    max_capacity          = 10
    cpu_target_percent    = 60
    memory_target_percent = 75
  }

  health_check = {
    grace_period_seconds = 60
    command              = ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/actuator/health || exit 1"]
    start_period         = 30
  }

  service_discovery = {
    namespace_id = var.namespace_id
  }
}

# The application's own role: {environment}-{service_name}-app, the only kind of role the service accepts
module "task_role" {
  source = "../../../iam"

  environment  = var.environment
  service_name = var.service_name
  name         = "app"
  preset       = "ecs_task"

  secret_arns = [var.db_secret_arn]
}

output "service_name" {
  description = "Service name for the CI deploy job (aws ecs update-service --service ...)."
  value       = module.service.service_name
}

output "task_definition_family" {
  description = "Family CI registers new revisions in."
  value       = module.service.task_definition_family
}

output "security_group_id" {
  description = "Allow this group in the database's ingress."
  value       = module.service.security_group_id
}
