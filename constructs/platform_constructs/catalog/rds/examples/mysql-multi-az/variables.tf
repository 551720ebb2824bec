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
  default     = "authhub"
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
  default     = "vpc-0123456789abcdef0"
}

variable "subnet_ids" {
  description = "Private subnets in three availability zones."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
}

variable "api_security_group_id" {
  description = "Security group of the API tasks."
  type        = string
  default     = "sg-0123456789abcdef0"
}

variable "worker_security_group_id" {
  description = "Security group of the worker tasks."
  type        = string
  default     = "sg-0123456789abcdef1"
}

variable "kms_key_arn" {
  description = "The platform's customer-managed key for databases."
  type        = string
  default     = "arn:aws:kms:ap-northeast-2:111111111111:key/11111111-2222-3333-4444-555555555555"
}

variable "team" {
  description = "Team tag (provider default_tags): the service's team in platform.yaml."
  type        = string
  default     = "identity"
}

variable "owner" {
  description = "Owner tag (provider default_tags): the service's accountable person in platform.yaml."
  type        = string
  default     = "authhub-lead@acme.example"
}

variable "cost_center" {
  description = "CostCenter tag (provider default_tags): the service's cost center in platform.yaml."
  type        = string
  default     = "CC-1003"
}
