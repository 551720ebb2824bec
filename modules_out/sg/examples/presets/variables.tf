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

variable "vpc_id" {
  description = "VPC of the three groups."
  type        = string
  default     = "vpc-0123456789abcdef0"
}
