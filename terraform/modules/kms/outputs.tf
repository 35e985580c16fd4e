output "key_arn" {
  description = "ARN of the data key."
  value       = aws_kms_key.data.arn
}

output "patient_data_key_arn" {
  description = "ARN of the key that wraps the patient data keys."
  value       = aws_kms_key.patient_data.arn
}

output "patient_data_key_alias" {
  description = "Alias of the patient data key (PATIENT_DATA_KMS_KEY_ID)."
  value       = aws_kms_alias.patient_data.name
}
