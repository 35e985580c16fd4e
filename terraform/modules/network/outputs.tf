output "vpc_id" {
  description = "VPC id."
  value       = module.vpc.vpc_id
}

output "vpc_cidr" {
  description = "VPC CIDR block."
  value       = module.vpc.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets for nodes."
  value       = module.vpc.private_subnets
}

output "database_subnet_group" {
  description = "Subnet group name for RDS."
  value       = module.vpc.database_subnet_group_name
}

output "database_subnet_ids" {
  description = "Database subnets, used for ElastiCache."
  value       = module.vpc.database_subnets
}
