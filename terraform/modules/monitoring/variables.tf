variable "name" {
  type        = string
  description = "Name prefix of the alarms and the SNS topic."
}

variable "cluster_name" {
  type        = string
  description = "EKS cluster whose Container Insights log groups are created here."
}

variable "alb_arn_suffix" {
  type        = string
  description = "ARN suffix of the ALB (app/NAME/ID) once the controller created it; empty skips the ALB alarms."
  default     = ""
}

variable "db_instance_identifier" {
  type        = string
  description = "RDS instance to watch."
}

variable "dead_letter_queue_name" {
  type        = string
  description = "SMS dead-letter queue to watch."
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each must confirm by email)."
  default     = []
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key for the log groups and the SNS topic."
}

variable "tags" {
  type        = map(string)
  description = "Tags applied to every resource."
  default     = {}
}
