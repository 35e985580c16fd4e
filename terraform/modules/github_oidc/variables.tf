variable "name" {
  type        = string
  description = "Name prefix of the deploy role."
}

variable "create_provider" {
  type        = bool
  description = "Create the account's GitHub OIDC provider (false when another stack already made it)."
  default     = true
}

variable "repository" {
  type        = string
  description = "GitHub repository allowed to deploy, as owner/name."
}

variable "github_environment" {
  type        = string
  description = "GitHub environment the deploy job runs in (its protection rules gate deploys)."
}

variable "repository_arns" {
  type        = list(string)
  description = "ECR repositories the role may push to."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key of the ECR repositories."
}

variable "cluster_arn" {
  type        = string
  description = "EKS cluster the role may describe (for kubeconfig)."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
