output "secret_arns" {
  description = "ARNs of the application and vendor secrets."
  value       = [for secret in aws_secretsmanager_secret.this : secret.arn]
}
