# One internal ALB in front of three target groups: the web front end gets every request no rule
# matches, /api/* goes to the API, admin.example.internal goes to the back office.
# The defaults are the production settings; dev.tfvars shows the dev toggles:
#   terraform plan                          # prod
#   terraform plan -var-file=dev.tfvars     # dev: no deletion protection, no access logs

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
  name         = "web"

  vpc_id             = var.vpc_id
  subnet_ids         = var.private_subnet_ids
  security_group_ids = var.security_group_ids
  # internal = true is the default: reachable only from the VPC and networks connected to it.

  certificate_arn = var.certificate_arn
  # Or let the module create and DNS-validate the certificate (instead of certificate_arn):
  # create_certificate = true
  # certificate_domain = {
  #   domain_name               = "web.example.com"
  #   subject_alternative_names = ["admin.example.com"]
  #   zone_id                   = "Z0123456789ABCDEFGHIJ"
  # }

  # the back office host has its own certificate, served by SNI; the key is its stable address
  additional_certificate_arns = {
    admin = var.admin_certificate_arn
  }

  # prod: protected and logged; dev.tfvars switches both off
  deletion_protection    = var.deletion_protection
  access_logs_enabled    = var.access_logs_enabled
  access_logs_bucket     = var.access_logs_bucket
  desync_mitigation_mode = "strictest"

  target_groups = {
    web = {
      port              = 3000
      health_check_path = "/healthz"
    }
    api = {
      port                 = 8080
      health_check_path    = "/api/health"
      deregistration_delay = 60
    }
    admin = {
      port                  = 8081
      health_check_path     = "/health"
      health_check_matcher  = "200-299"
      health_check_interval = 30
    }
  }
  default_target_group = "web"

  listener_rules = {
    api = {
      priority      = 100
      target_group  = "api"
      path_patterns = ["/api/*"]
    }
    admin = {
      priority     = 200
      target_group = "admin"
      host_headers = ["admin.example.internal"]
    }
    admin-api = {
      priority      = 150
      target_group  = "api"
      host_headers  = ["admin.example.internal"]
      path_patterns = ["/api/*"]
    }
  }
}

output "target_group_arns" {
  description = "Target group ARNs by key, one per ECS service."
  value       = module.alb.target_group_arns
}

output "alarm_dimensions" {
  description = "CloudWatch dimensions for the load balancer and its target groups."
  value = {
    load_balancer = module.alb.alb_arn_suffix
    target_groups = module.alb.target_group_arn_suffixes
  }
}
