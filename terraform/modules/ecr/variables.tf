variable "services" {
  type        = list(string)
  description = "Service names in Kubernetes spelling (twilio-handler, ...), one repository each."
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
