# One Fargate service behind an existing ALB target group: private subnets, no public IP, read-only root
# filesystem, logs encrypted with the platform's logs key, circuit breaker with rollback.

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
  name            = "api" # every name gets it (dev-fileflow-api...): a worker of fileflow can run beside it
  cluster_arn     = var.cluster_arn
  vpc_id          = var.vpc_id
  subnet_ids      = var.private_subnet_ids
  image           = var.image
  cpu             = 256
  memory          = 512
  container_port  = 8080
  desired_count   = 2
  log_kms_key_arn = var.log_kms_key_arn

  # target_group_arn: the alb module's target_group_arns["app"]. security_group_id: the ALB's security group,
  # which the sg module creates (the alb module has no such output: it takes the group in security_group_ids)
  load_balancer = {
    target_group_arn  = var.target_group_arn
    security_group_id = module.alb_sg.security_group_id
  }

  environment_variables = {
    LOG_LEVEL = "info"
    PORT      = "8080"
  }

  health_check = {
    grace_period_seconds = 30
  }
}

# The ALB's security group. The same output goes to the alb module: security_group_ids = [module.alb_sg.security_group_id]
module "alb_sg" {
  source = "../../../sg"

  environment  = var.environment
  service_name = var.service_name
  name         = "alb"
  vpc_id       = var.vpc_id
  preset       = "alb"

  egress_rules = {
    to-service = {
      description                  = "Forward to the service's tasks"
      from_port                    = 8080
      to_port                      = 8080
      referenced_security_group_id = module.service.security_group_id
    }
  }
}

output "service_id" {
  description = "ECS service ARN."
  value       = module.service.service_id
}

output "security_group_id" {
  description = "Allow this group in the database's ingress."
  value       = module.service.security_group_id
}
