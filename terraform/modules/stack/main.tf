# The whole environment: network, cluster, data stores, buckets, queue, secrets, images, IAM, WAF,
# monitoring and the GitHub deploy role. environments/dev and environments/prod differ only in inputs.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  name       = "receptionist-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  # Built from parts so the deploy role (which needs the cluster ARN) and the cluster (whose access
  # entries need the role) do not depend on each other.
  cluster_arn = "arn:aws:eks:${data.aws_region.current.name}:${local.account_id}:cluster/${local.name}"
  tags        = merge(var.tags, { Project = "receptionist", Environment = var.environment })
}

module "kms" {
  source = "../kms"
  name   = local.name
  tags   = local.tags
}

module "network" {
  source             = "../network"
  name               = local.name
  cidr               = var.vpc_cidr
  azs                = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = module.kms.key_arn
  tags               = local.tags
}

module "eks" {
  source              = "../eks"
  name                = local.name
  kubernetes_version  = var.kubernetes_version
  vpc_id              = module.network.vpc_id
  private_subnet_ids  = module.network.private_subnet_ids
  public_access_cidrs = var.cluster_public_access_cidrs
  kms_key_arn         = module.kms.key_arn
  node_instance_types = var.node_instance_types
  node_min_size       = var.node_min_size
  node_max_size       = var.node_max_size
  node_desired_size   = var.node_desired_size
  access_entries = {
    github_deploy = {
      principal_arn = module.github_oidc.deploy_role_arn
      policy_associations = {
        edit_app_namespace = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"
          access_scope = { type = "namespace", namespaces = [var.namespace] }
        }
        view_cluster = {
          policy_arn   = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
          access_scope = { type = "cluster" }
        }
      }
    }
  }
  tags = local.tags
}

module "data" {
  source                   = "../data"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  database_subnet_group    = module.network.database_subnet_group
  cache_subnet_ids         = module.network.database_subnet_ids
  client_security_group_id = module.eks.node_security_group_id
  kms_key_arn              = module.kms.key_arn
  postgres_version         = var.postgres_version
  postgres_instance_class  = var.postgres_instance_class
  postgres_storage_gb      = var.postgres_storage_gb
  redis_node_type          = var.redis_node_type
  multi_az                 = var.multi_az
  backup_retention_days    = var.backup_retention_days
  deletion_protection      = var.deletion_protection
  tags                     = local.tags
}

module "storage" {
  source      = "../storage"
  name        = local.name
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "queue" {
  source      = "../queue"
  name        = "${local.name}-sms"
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "secrets" {
  source      = "../secrets"
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "ecr" {
  source      = "../ecr"
  repository  = var.image_repository
  kms_key_arn = module.kms.key_arn
  tags        = local.tags
}

module "iam" {
  source               = "../iam"
  name                 = "receptionist"
  namespace            = var.namespace
  cluster_name         = module.eks.cluster_name
  oidc_provider_arn    = module.eks.oidc_provider_arn
  oidc_provider        = module.eks.oidc_provider
  documents_bucket_arn = module.storage.documents_bucket_arn
  audio_bucket_arn     = module.storage.audio_bucket_arn
  queue_arn            = module.queue.queue_arn
  kms_key_arn          = module.kms.key_arn
  patient_data_key_arn = module.kms.patient_data_key_arn
  secret_arns          = concat(module.secrets.secret_arns, module.data.secret_arns)
  tags                 = local.tags
}

module "waf" {
  source                   = "../waf"
  name                     = local.name
  rate_limit_per_5_minutes = var.waf_rate_limit_per_5_minutes
  kms_key_arn              = module.kms.key_arn
  tags                     = local.tags
}

module "monitoring" {
  source                 = "../monitoring"
  name                   = local.name
  cluster_name           = module.eks.cluster_name
  alb_arn_suffix         = var.alb_arn_suffix
  db_instance_identifier = module.data.postgres_identifier
  dead_letter_queue_name = module.queue.dead_letter_queue_name
  alarm_emails           = var.alarm_emails
  kms_key_arn            = module.kms.key_arn
  tags                   = local.tags
}

module "github_oidc" {
  source             = "../github_oidc"
  name               = "receptionist"
  create_provider    = var.create_github_oidc_provider
  repository         = var.github_repository
  github_environment = var.github_environment
  repository_arns    = module.ecr.repository_arns
  kms_key_arn        = module.kms.key_arn
  cluster_arn        = local.cluster_arn
  tags               = local.tags
}
