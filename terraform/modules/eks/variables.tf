variable "name" {
  type        = string
  description = "Cluster name."
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version, e.g. 1.31."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cluster."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets for the control plane ENIs and the nodes."
}

variable "public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private-only."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for Kubernetes secrets and the control-plane log group."
}

variable "node_instance_types" {
  type        = list(string)
  description = "Instance types of the managed node group."
}

variable "node_min_size" {
  type        = number
  description = "Fewest nodes the cluster autoscaler keeps."
}

variable "node_max_size" {
  type        = number
  description = "Most nodes the cluster autoscaler may add."
}

variable "node_desired_size" {
  type        = number
  description = "Nodes at creation (the autoscaler owns the number afterwards)."
}

variable "access_entries" {
  type        = any
  description = "EKS access entries (IAM principals -> Kubernetes access), e.g. the GitHub deploy role."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
