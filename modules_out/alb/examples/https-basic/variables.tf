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

variable "vpc_id" {
  description = "VPC of the load balancer."
  type        = string
  default     = "vpc-0123456789abcdef0"
}

variable "public_subnet_ids" {
  description = "Public subnets in two Availability Zones (internet-facing load balancer)."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
}

variable "security_group_ids" {
  description = "The load balancer's security group (the sg module's alb preset)."
  type        = list(string)
  default     = ["sg-0123456789abcdef0"]
}

variable "certificate_arn" {
  description = "ACM certificate for the service's domain, in the same region."
  type        = string
  default     = "arn:aws:acm:ap-northeast-2:111111111111:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
}

variable "access_logs_bucket" {
  description = "Existing SSE-S3 bucket that accepts ELB access logs."
  type        = string
  default     = "acme-alb-logs"
}

variable "web_acl_arn" {
  description = "Regional WAFv2 web ACL (managed by the security team)."
  type        = string
  default     = "arn:aws:wafv2:ap-northeast-2:111111111111:regional/webacl/acme-edge/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
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
