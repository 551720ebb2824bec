# An internet-facing ALB for one service: port 80 redirects to 443, HTTPS forwards everything to one
# target group of Fargate tasks, a WAF web ACL filters requests, access logs go to the shared log bucket.

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

module "alb" {
  source = "../.."

  environment  = var.environment
  service_name = var.service_name
  name         = "public"

  vpc_id             = var.vpc_id
  subnet_ids         = var.public_subnet_ids
  security_group_ids = var.security_group_ids
  internal           = false
  web_acl            = { arn = var.web_acl_arn }

  certificate_arn    = var.certificate_arn
  access_logs_bucket = var.access_logs_bucket

  target_groups = {
    app = {
      port              = 8080
      health_check_path = "/health"
    }
  }
  default_target_group = "app"
}

output "alb_dns_name" {
  description = "DNS name to point the service's domain at (alias record)."
  value       = module.alb.alb_dns_name
}

output "target_group_arn" {
  description = "Target group for the ECS service's load_balancer block."
  value       = module.alb.target_group_arns["app"]
}
