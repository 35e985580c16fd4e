output "repository_arns" {
  description = "Repository ARNs, pushed to by the deploy role."
  value       = [for repo in aws_ecr_repository.service : repo.arn]
}

output "registry" {
  description = "Registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com)."
  value       = split("/", values(aws_ecr_repository.service)[0].repository_url)[0]
}
