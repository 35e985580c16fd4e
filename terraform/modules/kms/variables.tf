variable "name" {
  type        = string
  description = "Name prefix of the key alias, e.g. receptionist-prod."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
