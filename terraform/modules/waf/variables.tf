variable "name" {
  type        = string
  description = "Web ACL name."
}

variable "rate_limit_per_5_minutes" {
  type        = number
  description = "Requests one IP may make in 5 minutes before it is blocked (Twilio sends from a few IPs)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the WAF log group."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
