# A complete service: internet -> ALB (HTTPS, 80 redirected) -> ECS Fargate service -> PostgreSQL, with the
# task role allowed to connect to the database with IAM authentication. Every module comes from the catalog
# and they are wired by output name only. `environment` picks the dev or prod column of `local.settings`.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Team       = var.team
      Owner      = var.owner
      CostCenter = var.cost_center
    }
  }
}

locals {
  # What differs between environments, side by side. Everything else is the modules' secure defaults,
  # identical in dev and prod (encryption, deletion protection, TLS policy, logs, no public IPs...).
  settings = {
    dev = {
      db_instance_class  = "db.t4g.micro"
      db_multi_az        = false
      db_replicas        = {}
      db_backup_days     = 7
      service_cpu        = 256
      service_memory     = 512
      desired_count      = 1
      autoscaling        = null
      alb_internal       = false
      performance_days   = 7
      log_retention_days = 365
    }
    prod = {
      db_instance_class  = "db.r6g.large"
      db_multi_az        = true
      db_replicas        = { reporting = {} }
      db_backup_days     = 30
      service_cpu        = 1024
      service_memory     = 2048
      desired_count      = 3
      autoscaling        = { min_capacity = 3, max_capacity = 12, cpu_target_percent = 60, memory_target_percent = 75 }
      alb_internal       = false
      performance_days   = 31
      log_retention_days = 731
    }
  }
  env = local.settings[var.environment]
}

module "alb_sg" {
  source = "../../sg"

  environment  = var.environment
  service_name = var.service_name
  name         = "alb"
  vpc_id       = var.vpc_id
  preset       = "alb"

  egress_rules = {
    to-service = {
      description                  = "Forward to the service's tasks"
      from_port                    = var.container_port
      to_port                      = var.container_port
      referenced_security_group_id = module.service.security_group_id
    }
  }
}

module "alb" {
  source = "../../alb"

  environment        = var.environment
  service_name       = var.service_name
  name               = "web"
  vpc_id             = var.vpc_id
  subnet_ids         = var.public_subnet_ids
  security_group_ids = [module.alb_sg.security_group_id]
  internal           = local.env.alb_internal
  certificate_arn    = var.certificate_arn
  access_logs_bucket = var.access_logs_bucket

  target_groups = {
    app = {
      port              = var.container_port
      health_check_path = "/healthz"
    }
  }
  default_target_group = "app"
}

module "task_role" {
  source = "../../iam"

  environment  = var.environment
  service_name = var.service_name
  name         = "task"
  preset       = "ecs_task"

  secret_arns           = [var.app_secret_arn]
  rds_connect_user_arns = ["${module.db.iam_database_user_arn_prefix}app"]
}

module "service" {
  source = "../../ecs_service"

  environment     = var.environment
  service_name    = var.service_name
  cluster_arn     = var.cluster_arn
  image           = var.image
  cpu             = local.env.service_cpu
  memory          = local.env.service_memory
  container_port  = var.container_port
  desired_count   = local.env.desired_count
  autoscaling     = local.env.autoscaling
  vpc_id          = var.vpc_id
  subnet_ids      = var.private_subnet_ids
  task_role       = { arn = module.task_role.role_arn }
  log_kms_key_arn = var.log_kms_key_arn

  log_retention_days = local.env.log_retention_days

  load_balancer = {
    target_group_arn  = module.alb.target_group_arns["app"]
    security_group_id = module.alb_sg.security_group_id
  }

  environment_variables = {
    DB_HOST = module.db.address
    DB_PORT = tostring(module.db.port)
    DB_NAME = "app"
    DB_USER = "app"
  }
  secrets = {
    APP_SECRET = var.app_secret_arn
  }
}

module "db" {
  source = "../../rds"

  environment    = var.environment
  service_name   = var.service_name
  vpc_id         = var.vpc_id
  subnet_ids     = var.private_subnet_ids
  engine         = "postgres"
  engine_version = "16"
  instance_class = local.env.db_instance_class
  db_name        = "app"
  multi_az       = local.env.db_multi_az
  read_replicas  = local.env.db_replicas

  backup_retention_period               = local.env.db_backup_days
  performance_insights_retention_period = local.env.performance_days

  allowed_security_group_ids = {
    service = module.service.security_group_id
  }
}
