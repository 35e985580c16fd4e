output "cluster_name" {
  description = "Cluster name."
  value       = module.eks.cluster_name
}

output "cluster_arn" {
  description = "Cluster ARN."
  value       = module.eks.cluster_arn
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster, trusted by the IRSA roles."
  value       = module.eks.oidc_provider_arn
}

output "oidc_provider" {
  description = "OIDC issuer host/path, used in IRSA trust conditions."
  value       = module.eks.oidc_provider
}

output "node_security_group_id" {
  description = "Security group of the nodes (and so of the pods), allowed into RDS and Redis."
  value       = module.eks.node_security_group_id
}
