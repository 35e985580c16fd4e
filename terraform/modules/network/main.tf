# VPC with private subnets for EKS nodes, RDS and ElastiCache, public subnets only for the ALB and
# NAT gateways, and flow logs to CloudWatch.
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.16.0"

  name = var.name
  cidr = var.cidr
  azs  = var.azs

  private_subnets  = [for i, _ in var.azs : cidrsubnet(var.cidr, 4, i)]
  public_subnets   = [for i, _ in var.azs : cidrsubnet(var.cidr, 8, 200 + i)]
  database_subnets = [for i, _ in var.azs : cidrsubnet(var.cidr, 8, 210 + i)]

  create_database_subnet_group       = true
  create_database_subnet_route_table = true
  enable_nat_gateway                 = true
  single_nat_gateway                 = var.single_nat_gateway
  enable_dns_hostnames               = true
  enable_dns_support                 = true
  map_public_ip_on_launch            = false
  manage_default_security_group      = true
  default_security_group_ingress     = []
  default_security_group_egress      = []

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_cloudwatch_log_group_retention_in_days = 365
  flow_log_cloudwatch_log_group_kms_key_id        = var.kms_key_arn

  public_subnet_tags = {
    "kubernetes.io/role/elb" = "1"
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = "1"
    "karpenter.sh/discovery"          = var.name
  }
  tags = var.tags
}
