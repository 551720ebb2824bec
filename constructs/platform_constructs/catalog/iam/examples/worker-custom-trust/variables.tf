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
  description = "Account of the Lambda function (aws:SourceAccount guard)."
  type        = string
  default     = "111111111111"
}

variable "ci_role_arn" {
  description = "CI role allowed to assume the worker role."
  type        = string
  default     = "arn:aws:iam::111111111111:role/ci-deploy"
}

variable "reports_bucket_arn" {
  description = "Bucket the worker reads."
  type        = string
  default     = "arn:aws:s3:::dev-fileflow-reports"
}

variable "log_group_arn" {
  description = "The function's log group."
  type        = string
  default     = "arn:aws:logs:ap-northeast-2:111111111111:log-group:/aws/lambda/dev-fileflow-worker"
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
