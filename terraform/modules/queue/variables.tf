variable "name" {
  type        = string
  description = "Queue name, e.g. receptionist-prod-sms (the DLQ gets -dlq)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting messages."
}

variable "max_receive_count" {
  type        = number
  description = "Receives before a message moves to the dead-letter queue."
  default     = 5
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
