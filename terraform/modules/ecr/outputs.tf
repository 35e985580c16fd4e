output "repository_arns" {
  description = "Repository ARNs, pushed to by the deploy role."
  value       = [aws_ecr_repository.app.arn]
}

output "registry" {
  description = "Registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com)."
  value       = split("/", aws_ecr_repository.app.repository_url)[0]
}
