variable "name" {
  type        = string
  description = "Name of the VPC and prefix of its resources."
}

variable "cidr" {
  type        = string
  description = "VPC CIDR block; k8s NetworkPolicies allow Postgres, Redis and the ALB from this range (tools/k8s_manifests.py VPC_CIDR)."
}

variable "azs" {
  type        = list(string)
  description = "Availability zones, one private, public and database subnet in each."
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all zones (cheaper, dev) instead of one per zone (prod)."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting the flow log group."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
