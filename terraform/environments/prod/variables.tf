variable "region" {
  type        = string
  description = "AWS region of the environment."
  default     = "us-east-1"
}

variable "vpc_cidr" {
  type        = string
  description = "VPC CIDR; must equal VPC_CIDR in tools/k8s_manifests.py."
  default     = "10.0.0.0/16"
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones used."
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes version."
  default     = "1.31"
}

variable "cluster_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to the public EKS API endpoint (set to your runners' and VPN's ranges)."
  default     = []
}

variable "node_instance_types" {
  type        = list(string)
  description = "Node instance types."
  default     = ["m6i.large", "m5.large"]
}

variable "node_min_size" {
  type        = number
  description = "Fewest nodes."
  default     = 3
}

variable "node_max_size" {
  type        = number
  description = "Most nodes."
  default     = 10
}

variable "node_desired_size" {
  type        = number
  description = "Nodes at creation."
  default     = 3
}

variable "postgres_version" {
  type        = string
  description = "RDS PostgreSQL version."
  default     = "16.4"
}

variable "postgres_instance_class" {
  type        = string
  description = "RDS instance class."
  default     = "db.m6g.large"
}

variable "postgres_storage_gb" {
  type        = number
  description = "Initial RDS storage in GiB."
  default     = 100
}

variable "redis_node_type" {
  type        = string
  description = "ElastiCache node type."
  default     = "cache.m6g.large"
}

variable "waf_rate_limit_per_5_minutes" {
  type        = number
  description = "Per-IP WAF limit per 5 minutes."
  default     = 50000
}

variable "alb_arn_suffix" {
  type        = string
  description = "ALB ARN suffix after the first deploy (enables the ALB alarms)."
  default     = ""
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses notified by alarms."
  default     = []
}

variable "github_repository" {
  type        = string
  description = "owner/name of the repository allowed to deploy (terraform.tfvars)."
}
