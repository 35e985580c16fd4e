# Two private buckets (the bucket submodule): SSE-KMS, versioned, public access blocked, TLS-only:
# audio (TTS prompts; dynamic prompts under tts/dynamic/ expire after 7 days) and documents (PDFs).
data "aws_caller_identity" "current" {}

module "audio" {
  source            = "./bucket"
  name              = "${var.name}-audio-${data.aws_caller_identity.current.account_id}"
  kms_key_arn       = var.kms_key_arn
  access_log_bucket = aws_s3_bucket.access_logs.id
  # Dynamic prompts (they may carry patient details) live 7 days; cached clinic prompts stay.
  expiring_prefix      = "tts/dynamic/"
  expiring_prefix_days = 7
  noncurrent_days      = 30
  tags                 = var.tags
}

module "documents" {
  source            = "./bucket"
  name              = "${var.name}-documents-${data.aws_caller_identity.current.account_id}"
  kms_key_arn       = var.kms_key_arn
  access_log_bucket = aws_s3_bucket.access_logs.id
  noncurrent_days   = 365
  tags              = var.tags
}

# Server access logs of the two buckets. S3 log delivery cannot write with SSE-KMS, so this bucket
# uses SSE-S3; it holds no patient data (object keys are hashes and ids).
resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_145:S3 server access log delivery supports only SSE-S3 on the target bucket
  #checkov:skip=CKV_AWS_18:this is the access-log bucket; logging it into itself would loop
  #checkov:skip=CKV_AWS_144:access logs are not replicated across regions
  #checkov:skip=CKV2_AWS_62:nothing consumes events of the log bucket
  bucket = "${var.name}-access-logs-${data.aws_caller_identity.current.account_id}"
  tags   = var.tags
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  rule {
    id     = "expire-after-a-year"
    status = "Enabled"
    filter {}
    expiration {
      days = 365
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/s3/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json
}
