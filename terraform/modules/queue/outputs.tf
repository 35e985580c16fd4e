output "queue_url" {
  description = "SMS queue URL (ConfigMap SQS_QUEUE_URL)."
  value       = aws_sqs_queue.main.id
}

output "queue_arn" {
  description = "SMS queue ARN."
  value       = aws_sqs_queue.main.arn
}

output "queue_name" {
  description = "SMS queue name."
  value       = aws_sqs_queue.main.name
}

output "dead_letter_queue_name" {
  description = "Dead-letter queue name."
  value       = aws_sqs_queue.dead_letter.name
}
