# The dev environment: one AWS account, one region, everything the receptionist runs on.
provider "aws" {
  region = var.region
  default_tags {
    tags = { ManagedBy = "terraform", Repository = var.github_repository }
  }
}

module "stack" {
  source = "../../modules/stack"

  environment                  = "dev"
  vpc_cidr                     = var.vpc_cidr
  availability_zones           = var.availability_zones
  single_nat_gateway           = true
  kubernetes_version           = var.kubernetes_version
  cluster_public_access_cidrs  = var.cluster_public_access_cidrs
  node_instance_types          = var.node_instance_types
  node_min_size                = var.node_min_size
  node_max_size                = var.node_max_size
  node_desired_size            = var.node_desired_size
  postgres_version             = var.postgres_version
  postgres_instance_class      = var.postgres_instance_class
  postgres_storage_gb          = var.postgres_storage_gb
  redis_node_type              = var.redis_node_type
  multi_az                     = false
  backup_retention_days        = 3
  deletion_protection          = false
  waf_rate_limit_per_5_minutes = var.waf_rate_limit_per_5_minutes
  alb_arn_suffix               = var.alb_arn_suffix
  alarm_emails                 = var.alarm_emails
  github_repository            = var.github_repository
  github_environment           = "development"
}
