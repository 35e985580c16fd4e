variable "repository" {
  type        = string
  description = "Name of the one image repository (receptionist/app)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting images."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
