variable "name" {
  type        = string
  description = "Globally unique bucket name."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for default encryption."
}

variable "access_log_bucket" {
  type        = string
  description = "Bucket receiving this bucket's server access logs."
}

variable "expiring_prefix" {
  type        = string
  description = "Key prefix whose objects expire after expiring_prefix_days; null for none."
  default     = null
}

variable "expiring_prefix_days" {
  type        = number
  description = "Days before objects under expiring_prefix expire."
  default     = 7
}

variable "noncurrent_days" {
  type        = number
  description = "Days an overwritten or deleted version is kept."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
