variable "region" {
  description = "AWS region."
  type        = string
  default     = "ap-northeast-2"
}

variable "environment" {
  description = "Environment name segment."
  type        = string
  default     = "prod"
}

variable "service_name" {
  description = "Service name segment."
  type        = string
  default     = "fileflow"
}

variable "cluster_arn" {
  description = "ECS cluster the service runs in."
  type        = string
  default     = "arn:aws:ecs:ap-northeast-2:111111111111:cluster/prod-platform"
}

variable "vpc_id" {
  description = "VPC of the private subnets."
  type        = string
  default     = "vpc-0123456789abcdef0"
}

variable "private_subnet_ids" {
  description = "Private subnets in three Availability Zones."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
}

variable "image" {
  description = "Initial image; CI deploys the following ones."
  type        = string
  default     = "111111111111.dkr.ecr.ap-northeast-2.amazonaws.com/fileflow:2.0.0"
}

variable "log_kms_key_arn" {
  description = "The platform's KMS key for CloudWatch Logs."
  type        = string
  default     = "arn:aws:kms:ap-northeast-2:111111111111:key/0123abcd-4567-89ab-cdef-0123456789ab"
}

variable "secrets_kms_key_arn" {
  description = "Customer managed key that encrypts the database secret."
  type        = string
  default     = "arn:aws:kms:ap-northeast-2:111111111111:key/89abcdef-0123-4567-89ab-cdef01234567"
}

variable "target_group_arn" {
  description = "Target group of the ALB (alb module: target_group_arns[\"app\"])."
  type        = string
  default     = "arn:aws:elasticloadbalancing:ap-northeast-2:111111111111:targetgroup/prod-fileflow-app/0123456789abcdef"
}

variable "alb_security_group_id" {
  description = "Security group of the ALB (the sg module's security_group_id, preset alb; the alb module has no such output)."
  type        = string
  default     = "sg-0123456789abcdef0"
}

variable "db_security_group_id" {
  description = "Security group of the database (rds module: security_group_id)."
  type        = string
  default     = "sg-0123456789abcdef1"
}

variable "db_secret_arn" {
  description = "The database's master user secret (rds module: master_user_secret_arn)."
  type        = string
  default     = "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:rds!db-0123abcd-AbCdEf"
}

variable "feature_flags_parameter_arn" {
  description = "SSM parameter with the feature flags."
  type        = string
  default     = "arn:aws:ssm:ap-northeast-2:111111111111:parameter/prod/fileflow/feature-flags"
}

variable "namespace_id" {
  description = "Cloud Map private DNS namespace of the environment."
  type        = string
  default     = "ns-0123456789abcdef"
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
