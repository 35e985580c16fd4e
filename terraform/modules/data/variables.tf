variable "name" {
  type        = string
  description = "Name prefix of the database resources."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the database and cache."
}

variable "database_subnet_group" {
  type        = string
  description = "RDS subnet group (private database subnets)."
}

variable "cache_subnet_ids" {
  type        = list(string)
  description = "Private subnets for ElastiCache."
}

variable "client_security_group_id" {
  type        = string
  description = "Security group allowed to connect (the EKS nodes')."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting storage, backups, Performance Insights and the secrets."
}

variable "postgres_version" {
  type        = string
  description = "PostgreSQL engine version, e.g. 16.4."
}

variable "postgres_instance_class" {
  type        = string
  description = "RDS instance class."
}

variable "postgres_storage_gb" {
  type        = number
  description = "Initial storage in GiB (autoscaling up to four times this)."
}

variable "redis_node_type" {
  type        = string
  description = "ElastiCache node type."
}

variable "multi_az" {
  type        = bool
  description = "Standby in a second zone for RDS and a replica with automatic failover for Redis."
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups and Redis snapshots."
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the database (and take a final snapshot when it is deleted)."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
