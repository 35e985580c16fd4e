variable "name" {
  type        = string
  description = "Role name prefix; must be `receptionist` for the names the k8s manifests annotate."
}

variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the workloads."
}

variable "cluster_name" {
  type        = string
  description = "EKS cluster the autoscaler manages."
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of the cluster's IAM OIDC provider."
}

variable "oidc_provider" {
  type        = string
  description = "Issuer of the cluster's OIDC provider, without https://."
}

variable "documents_bucket_arn" {
  type        = string
  description = "Documents bucket (knowledge_base reads and writes PDFs)."
}

variable "audio_bucket_arn" {
  type        = string
  description = "Audio bucket (tts writes and reads prompts under tts/)."
}

variable "queue_arn" {
  type        = string
  description = "SMS queue (messaging sends, the worker consumes)."
}

variable "kms_key_arn" {
  type        = string
  description = "Data key used by the buckets, the queue and the secrets."
}

variable "patient_data_key_arn" {
  type        = string
  description = "Key that wraps the patient data keys (the workloads handling patient data unwrap with it)."
}

variable "secret_arns" {
  type        = list(string)
  description = "Secrets Manager secrets External Secrets may read."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
