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

variable "fluent_bit_image" {
  description = "The FireLens log router's image, pinned (AWS for Fluent Bit)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4"
}

variable "agent_image" {
  description = "The CloudWatch agent's image, pinned."
  type        = string
  default     = "public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300037.1b602"
}

variable "agent_config_parameter_arn" {
  description = "SSM parameter holding the agent's configuration (injected as CW_CONFIG_CONTENT)."
  type        = string
  default     = "arn:aws:ssm:ap-northeast-2:111111111111:parameter/dev/fileflow/cloudwatch-agent"
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
