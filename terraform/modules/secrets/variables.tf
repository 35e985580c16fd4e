variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting the secrets."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
