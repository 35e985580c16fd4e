variable "name" {
  type        = string
  description = "Bucket name prefix, e.g. receptionist-prod (the account id is appended)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for SSE-KMS default encryption."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
