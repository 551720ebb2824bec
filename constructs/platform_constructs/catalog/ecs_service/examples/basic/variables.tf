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

variable "cluster_arn" {
  description = "ECS cluster the service runs in."
  type        = string
  default     = "arn:aws:ecs:ap-northeast-2:111111111111:cluster/dev-platform"
}

variable "vpc_id" {
  description = "VPC of the private subnets."
  type        = string
  default     = "vpc-0123456789abcdef0"
}

variable "private_subnet_ids" {
  description = "Private subnets in two Availability Zones."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
}

variable "image" {
  description = "Container image with an immutable tag."
  type        = string
  default     = "111111111111.dkr.ecr.ap-northeast-2.amazonaws.com/fileflow:1.4.2"
}

variable "log_kms_key_arn" {
  description = "The platform's KMS key for CloudWatch Logs."
  type        = string
  default     = "arn:aws:kms:ap-northeast-2:111111111111:key/0123abcd-4567-89ab-cdef-0123456789ab"
}

variable "target_group_arn" {
  description = "Target group of the ALB (alb module: target_group_arns[\"app\"])."
  type        = string
  default     = "arn:aws:elasticloadbalancing:ap-northeast-2:111111111111:targetgroup/dev-fileflow-app/0123456789abcdef"
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
