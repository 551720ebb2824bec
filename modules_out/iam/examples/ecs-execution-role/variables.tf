variable "region" {
  description = "AWS region."
  type        = string
  default     = "ap-northeast-2"
}

variable "environment" {
  description = "Environment name segment."
  type        = string
  default     = "dev"
}

variable "service_name" {
  description = "Service name segment."
  type        = string
  default     = "fileflow"
}

variable "account_id" {
  description = "Account that runs the tasks (confused-deputy guard of the trust policy)."
  type        = string
  default     = "111111111111"
}

variable "ecr_repository_arn" {
  description = "Repository of the service's image."
  type        = string
  default     = "arn:aws:ecr:ap-northeast-2:111111111111:repository/fileflow"
}

variable "log_group_arn" {
  description = "Log group of the awslogs driver (the log group's arn attribute, without ':*')."
  type        = string
  default     = "arn:aws:logs:ap-northeast-2:111111111111:log-group:/ecs/dev-fileflow"
}

variable "db_password_secret_arn" {
  description = "Secret injected as an environment variable (container definition `secrets`)."
  type        = string
  default     = "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:rds!db-0123abcd-4567-89ab-cdef-0123456789ab-AbCdEf"
}

variable "feature_flags_parameter_arn" {
  description = "SSM parameter injected as an environment variable."
  type        = string
  default     = "arn:aws:ssm:ap-northeast-2:111111111111:parameter/dev/fileflow/feature-flags"
}

variable "team" {
  description = "Team tag (provider default_tags): the service's team in platform.yaml."
  type        = string
  default     = "storage"
}

variable "owner" {
  description = "Owner tag (provider default_tags): the service's accountable person in platform.yaml."
  type        = string
  default     = "fileflow-lead@acme.example"
}

variable "cost_center" {
  description = "CostCenter tag (provider default_tags): the service's cost center in platform.yaml."
  type        = string
  default     = "CC-1001"
}
