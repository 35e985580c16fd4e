output "account_id" {
  description = "AWS account id (replace the placeholder in k8s/overlays/<env>)."
  value       = local.account_id
}

output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.eks.cluster_name
}

output "ecr_registry" {
  description = "ECR registry host."
  value       = module.ecr.registry
}

output "documents_bucket" {
  description = "ConfigMap DOCUMENTS_BUCKET."
  value       = module.storage.documents_bucket
}

output "audio_bucket" {
  description = "ConfigMap AUDIO_BUCKET."
  value       = module.storage.audio_bucket
}

output "sms_queue_url" {
  description = "ConfigMap SQS_QUEUE_URL."
  value       = module.queue.queue_url
}

output "waf_web_acl_arn" {
  description = "Ingress annotation alb.ingress.kubernetes.io/wafv2-acl-arn."
  value       = module.waf.web_acl_arn
}

output "patient_data_kms_key" {
  description = "Alias of the key that wraps the patient data keys (PATIENT_DATA_KMS_KEY_ID; tools.manage new-key)."
  value       = module.kms.patient_data_key_alias
}

output "workload_role_arns" {
  description = "IRSA roles of the workloads (ServiceAccount annotations)."
  value       = module.iam.workload_role_arns
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role for the cluster autoscaler Helm release."
  value       = module.iam.cluster_autoscaler_role_arn
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role for the AWS Load Balancer Controller Helm release."
  value       = module.iam.load_balancer_controller_role_arn
}

output "external_secrets_role_arn" {
  description = "IRSA role of the external-secrets service account in the app namespace."
  value       = module.iam.external_secrets_role_arn
}

output "github_deploy_role_arn" {
  description = "GitHub repository variable AWS_DEPLOY_ROLE_ARN."
  value       = module.github_oidc.deploy_role_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "application_log_group" {
  description = "CloudWatch log group with the containers' logs."
  value       = module.monitoring.application_log_group
}
