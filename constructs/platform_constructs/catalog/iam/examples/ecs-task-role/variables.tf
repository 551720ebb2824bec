variable "region" {
  description = "AWS region."
  type        = string
  default     = "ap-northeast-2"
}

variable "environment" {
  description = "Environment name segment (prod adds the permissions boundary)."
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

variable "api_key_secret_arn" {
  description = "Secret the application reads at runtime."
  type        = string
  default     = "arn:aws:secretsmanager:ap-northeast-2:111111111111:secret:dev/fileflow/api-key-AbCdEf"
}

variable "kms_key_arn" {
  description = "Customer managed key of the secret and the buckets (SSE-KMS)."
  type        = string
  default     = "arn:aws:kms:ap-northeast-2:111111111111:key/0123abcd-4567-89ab-cdef-0123456789ab"
}

variable "uploads_bucket_arn" {
  description = "Bucket the service reads and writes."
  type        = string
  default     = "arn:aws:s3:::dev-fileflow-uploads"
}

variable "reports_bucket_arn" {
  description = "Bucket the service only reads."
  type        = string
  default     = "arn:aws:s3:::dev-fileflow-reports"
}

variable "rds_iam_database_user_arn_prefix" {
  description = "The rds module's iam_database_user_arn_prefix output (ends with '/')."
  type        = string
  default     = "arn:aws:rds-db:ap-northeast-2:111111111111:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0/"
}

variable "permissions_boundary_arn" {
  description = "Boundary the prod account requires on every role."
  type        = string
  default     = "arn:aws:iam::111111111111:policy/platform-boundary"
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
