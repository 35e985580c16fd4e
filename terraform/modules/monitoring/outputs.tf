output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "application_log_group" {
  description = "Log group holding every container's stdout (JSON lines)."
  value       = aws_cloudwatch_log_group.container["application"].name
}
