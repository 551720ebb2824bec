variable "environment" {
  description = "dev or prod: picks a column of local.settings."
  type        = string
  default     = "dev"

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "This example knows dev and prod."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "ap-northeast-2"
}

variable "service_name" {
  description = "Service name segment of every resource name."
  type        = string
  default     = "fileflow"
}

variable "team" {
  description = "Team tag (provider default_tags)."
  type        = string
  default     = "storage"
}

variable "owner" {
  description = "Owner tag (provider default_tags)."
  type        = string
  default     = "fileflow-lead@acme.example"
}

variable "cost_center" {
  description = "CostCenter tag (provider default_tags)."
  type        = string
  default     = "CC-1001"
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string
  default     = "vpc-0123456789abcdef0"
}

variable "public_subnet_ids" {
  description = "Public subnets for the load balancer (two or more zones)."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
}

variable "private_subnet_ids" {
  description = "Private subnets for the tasks and the database (two or more zones)."
  type        = list(string)
  default     = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
}

variable "cluster_arn" {
  description = "ECS cluster the service runs in."
  type        = string
  default     = "arn:aws:ecs:ap-northeast-2:111111111111:cluster/dev"
}

variable "image" {
  description = "Container image, pinned by digest or immutable tag."
  type        = string
  default     = "111111111111.dkr.ecr.ap-northeast-2.amazonaws.com/fileflow:1.4.2"
}

variable "container_port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
  default     = "arn:aws:acm:ap-northeast-2:111111111111:certificate/0f0e0d0c-0b0a-0908-0706-050403020100"
}

variable "access_logs_bucket" {
  description = "Existing S3 bucket for the load balancer's access logs."
  type        = string
  default     = "acme-alb-logs"
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the service's log group (its policy must allow CloudWatch Logs)."
  type        = string
  default     = "arn:aws:kms:ap-northeast-2:111111111111:key/0f0e0d0c-0b0a-0908-0706-050403020100"
}

variable "app_secret_arn" {
  description = "Secrets Manager secret the application reads at start."
  type        = string
  default     = "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:fileflow/app-AbCdEf"
}
