output "audio_bucket" {
  description = "Audio bucket name (ConfigMap AUDIO_BUCKET)."
  value       = module.audio.id
}

output "audio_bucket_arn" {
  description = "Audio bucket ARN."
  value       = module.audio.arn
}

output "documents_bucket" {
  description = "Documents bucket name (ConfigMap DOCUMENTS_BUCKET)."
  value       = module.documents.id
}

output "documents_bucket_arn" {
  description = "Documents bucket ARN."
  value       = module.documents.arn
}
