output "postgres_address" {
  description = "RDS endpoint host."
  value       = aws_db_instance.postgres.address
}

output "postgres_identifier" {
  description = "RDS instance identifier."
  value       = aws_db_instance.postgres.identifier
}

output "redis_address" {
  description = "ElastiCache primary endpoint host."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "secret_arns" {
  description = "Secrets holding the database and Redis connection details."
  value       = [aws_secretsmanager_secret.database.arn, aws_secretsmanager_secret.redis.arn]
}
