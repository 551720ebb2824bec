# The platform's standard chain: internet -> ALB (80/443) -> ECS tasks (8080 from the ALB only)
# -> PostgreSQL (5432 from the service only, no egress).

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

module "alb_sg" {
  source = "../.."

  environment  = var.environment
  service_name = var.service_name
  name         = "alb"
  vpc_id       = var.vpc_id
  preset       = "alb"

  egress_rules = {
    to-app = {
      description                  = "Forward to the service's tasks"
      from_port                    = 8080
      to_port                      = 8080
      referenced_security_group_id = module.app_sg.security_group_id
    }
  }
}

module "app_sg" {
  source = "../.."

  environment                     = var.environment
  service_name                    = var.service_name
  name                            = "app"
  vpc_id                          = var.vpc_id
  preset                          = "ecs"
  preset_port                     = 8080
  preset_source_security_group_id = module.alb_sg.security_group_id
}

module "db_sg" {
  source = "../.."

  environment                     = var.environment
  service_name                    = var.service_name
  name                            = "db"
  vpc_id                          = var.vpc_id
  preset                          = "rds"
  preset_port                     = 5432
  preset_source_security_group_id = module.app_sg.security_group_id
}

output "security_group_ids" {
  description = "Security group ids by tier."
  value = {
    alb = module.alb_sg.security_group_id
    app = module.app_sg.security_group_id
    db  = module.db_sg.security_group_id
  }
}
