variable "environment" {
  type        = string
  description = "Environment name: dev or prod."
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the application (k8s/base)."
  default     = "receptionist"
}

variable "image_repository" {
  type        = string
  description = "The ECR repository of the one image every service runs (k8s overlays: images)."
  default     = "receptionist/app"
}

variable "vpc_cidr" {
  type        = string
  description = "VPC CIDR; must equal VPC_CIDR in tools/k8s_manifests.py (NetworkPolicy ipBlocks)."
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread subnets, nodes and databases over."
}

variable "single_nat_gateway" {
  type        = bool
  description = "One shared NAT gateway (dev) instead of one per zone (prod)."
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version."
}

variable "cluster_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs that may reach the EKS API endpoint publicly (GitHub runners, office VPN); empty = private only."
}

variable "node_instance_types" {
  type        = list(string)
  description = "Instance types of the managed node group."
}

variable "node_min_size" {
  type        = number
  description = "Fewest nodes."
}

variable "node_max_size" {
  type        = number
  description = "Most nodes the cluster autoscaler may add."
}

variable "node_desired_size" {
  type        = number
  description = "Nodes at creation."
}

variable "postgres_version" {
  type        = string
  description = "RDS PostgreSQL engine version."
}

variable "postgres_instance_class" {
  type        = string
  description = "RDS instance class."
}

variable "postgres_storage_gb" {
  type        = number
  description = "Initial RDS storage in GiB."
}

variable "redis_node_type" {
  type        = string
  description = "ElastiCache node type."
}

variable "multi_az" {
  type        = bool
  description = "Multi-AZ RDS and Redis with automatic failover."
}

variable "backup_retention_days" {
  type        = number
  description = "Days of database backups and Redis snapshots."
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the database from deletion."
}

variable "waf_rate_limit_per_5_minutes" {
  type        = number
  description = "Per-IP request limit in any 5 minutes at the WAF."
}

variable "alb_arn_suffix" {
  type        = string
  description = "ARN suffix (app/NAME/ID) of the ALB the controller created; empty until the first deploy."
  default     = ""
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses notified by the alarms."
  default     = []
}

variable "create_github_oidc_provider" {
  type        = bool
  description = "Create the account's GitHub OIDC provider (false if it already exists)."
  default     = true
}

variable "github_repository" {
  type        = string
  description = "owner/name of the GitHub repository allowed to deploy."
}

variable "github_environment" {
  type        = string
  description = "GitHub environment of the deploy job."
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource."
  default     = {}
}
