output "audio_bucket" {
  description = "Audio bucket name (ConfigMap AUDIO_BUCKET)."
  value       = aws_s3_bucket.this["audio"].id
}

output "audio_bucket_arn" {
  description = "Audio bucket ARN."
  value       = aws_s3_bucket.this["audio"].arn
}

output "documents_bucket" {
  description = "Documents bucket name (ConfigMap DOCUMENTS_BUCKET)."
  value       = aws_s3_bucket.this["documents"].id
}

output "documents_bucket_arn" {
  description = "Documents bucket ARN."
  value       = aws_s3_bucket.this["documents"].arn
}
