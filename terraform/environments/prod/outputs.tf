output "account_id" {
  description = "AWS account id (replace the placeholder in k8s/overlays/<env>)."
  value       = module.stack.account_id
}

output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.stack.cluster_name
}

output "ecr_registry" {
  description = "ECR registry host."
  value       = module.stack.ecr_registry
}

output "documents_bucket" {
  description = "ConfigMap DOCUMENTS_BUCKET."
  value       = module.stack.documents_bucket
}

output "audio_bucket" {
  description = "ConfigMap AUDIO_BUCKET."
  value       = module.stack.audio_bucket
}

output "patient_data_kms_key" {
  description = "Secret receptionist/patient-data PATIENT_DATA_KMS_KEY_ID; the key tools.manage new-key wraps with."
  value       = module.stack.patient_data_kms_key
}

output "sms_queue_url" {
  description = "ConfigMap SQS_QUEUE_URL."
  value       = module.stack.sms_queue_url
}

output "waf_web_acl_arn" {
  description = "Ingress annotation alb.ingress.kubernetes.io/wafv2-acl-arn."
  value       = module.stack.waf_web_acl_arn
}

output "workload_role_arns" {
  description = "IRSA roles of the workloads (ServiceAccount annotations)."
  value       = module.stack.workload_role_arns
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role for the cluster autoscaler Helm release."
  value       = module.stack.cluster_autoscaler_role_arn
}

output "load_balancer_controller_role_arn" {
  description = "IRSA role for the AWS Load Balancer Controller Helm release."
  value       = module.stack.load_balancer_controller_role_arn
}

output "external_secrets_role_arn" {
  description = "IRSA role of the external-secrets service account in the app namespace."
  value       = module.stack.external_secrets_role_arn
}

output "github_deploy_role_arn" {
  description = "GitHub repository variable AWS_DEPLOY_ROLE_ARN."
  value       = module.stack.github_deploy_role_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.stack.alarm_topic_arn
}

output "application_log_group" {
  description = "CloudWatch log group with the containers' logs."
  value       = module.stack.application_log_group
}
