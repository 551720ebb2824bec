variable "region" {
  description = "AWS region."
  type        = string
  default     = "ap-northeast-2"
}

variable "environment" {
  description = "Environment name segment (prod here, dev in dev.tfvars)."
  type        = string
  default     = "prod"
}

variable "service_name" {
  description = "Service name segment."
  type        = string
  default     = "crawlinghub"
}

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
  default     = "vpc-0123456789abcdef0"
}

variable "private_subnet_ids" {
  description = "Private subnets in two Availability Zones (internal load balancer)."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
}

variable "security_group_ids" {
  description = "The load balancer's security group."
  type        = list(string)
  default     = ["sg-0123456789abcdef0"]
}

variable "certificate_arn" {
  description = "ACM certificate covering the host names the rules route on."
  type        = string
  default     = "arn:aws:acm:ap-northeast-2:111111111111:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
}

variable "admin_certificate_arn" {
  description = "ACM certificate for admin.example.internal, served by SNI next to the main one."
  type        = string
  default     = "arn:aws:acm:ap-northeast-2:111111111111:certificate/1a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
}

variable "deletion_protection" {
  description = "Keep the load balancer from being deleted (false in dev)."
  type        = bool
  default     = true
}

variable "access_logs_enabled" {
  description = "Write access logs (false in dev)."
  type        = bool
  default     = true
}

variable "access_logs_bucket" {
  description = "Existing SSE-S3 bucket that accepts ELB access logs."
  type        = string
  default     = "acme-alb-logs"
}

variable "team" {
  description = "Team tag (provider default_tags): the service's team in platform.yaml."
  type        = string
  default     = "data"
}

variable "owner" {
  description = "Owner tag (provider default_tags): the service's accountable person in platform.yaml."
  type        = string
  default     = "crawlinghub-lead@acme.example"
}

variable "cost_center" {
  description = "CostCenter tag (provider default_tags): the service's cost center in platform.yaml."
  type        = string
  default     = "CC-1002"
}
