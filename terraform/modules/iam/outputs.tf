output "workload_role_arns" {
  description = "IRSA role ARN per workload service account."
  value       = { for name, role in aws_iam_role.workload : name => role.arn }
}

output "cluster_autoscaler_role_arn" {
  description = "Role for kube-system:cluster-autoscaler."
  value       = module.cluster_autoscaler.iam_role_arn
}

output "load_balancer_controller_role_arn" {
  description = "Role for kube-system:aws-load-balancer-controller."
  value       = module.load_balancer_controller.iam_role_arn
}

output "external_secrets_role_arn" {
  description = "Role for the namespace's external-secrets service account."
  value       = module.external_secrets.iam_role_arn
}
