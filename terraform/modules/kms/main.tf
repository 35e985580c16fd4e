# One customer-managed key per environment for data at rest: S3 documents, SQS, Secrets Manager,
# RDS, ElastiCache and CloudWatch Logs. Rotated yearly by AWS. A second key wraps only the data keys
# that encrypt patient data in the application (shared/patient_data.py): only the workloads that
# handle patient data may unwrap with it (terraform/modules/iam), so access to the stores' key alone
# never reads a patient's name or number.
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

# Every key is administered by the account (its IAM policies then grant roles what they may do).
data "aws_iam_policy_document" "administered" {
  #checkov:skip=CKV_AWS_111:a key policy's "*" resource means this key only; account administration is AWS's default key policy
  #checkov:skip=CKV_AWS_356:a key policy's "*" resource means this key only
  #checkov:skip=CKV_AWS_109:the account root must keep key administration or the key becomes unmanageable
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:a key policy's "*" resource means this key only
  #checkov:skip=CKV_AWS_356:a key policy's "*" resource means this key only
  source_policy_documents = [data.aws_iam_policy_document.administered.json]
  statement {
    sid       = "CloudWatchLogsEncrypts"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

resource "aws_kms_key" "data" {
  description             = "${var.name} data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "data" {
  name          = "alias/${var.name}-data"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_kms_key" "patient_data" {
  description             = "${var.name} patient data keys (envelope: wraps the application's data keys)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.administered.json
  tags                    = var.tags
}

resource "aws_kms_alias" "patient_data" {
  name          = "alias/${var.name}-patient-data"
  target_key_id = aws_kms_key.patient_data.key_id
}
