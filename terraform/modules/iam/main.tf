# IAM roles for service accounts (IRSA): the three cluster controllers (cluster autoscaler, AWS Load
# Balancer Controller, External Secrets) and one least-privilege role per workload that calls AWS.
# Role names match the eks.amazonaws.com/role-arn annotations in k8s/ (receptionist-<workload>).
module "cluster_autoscaler" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.48.0"

  role_name                        = "${var.name}-cluster-autoscaler"
  attach_cluster_autoscaler_policy = true
  cluster_autoscaler_cluster_names = [var.cluster_name]
  oidc_providers = {
    main = {
      provider_arn               = var.oidc_provider_arn
      namespace_service_accounts = ["kube-system:cluster-autoscaler"]
    }
  }
  tags = var.tags
}

module "load_balancer_controller" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.48.0"

  role_name                              = "${var.name}-aws-load-balancer-controller"
  attach_load_balancer_controller_policy = true
  oidc_providers = {
    main = {
      provider_arn               = var.oidc_provider_arn
      namespace_service_accounts = ["kube-system:aws-load-balancer-controller"]
    }
  }
  tags = var.tags
}

module "external_secrets" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "5.48.0"

  role_name                             = "${var.name}-external-secrets"
  attach_external_secrets_policy        = true
  external_secrets_secrets_manager_arns = var.secret_arns
  external_secrets_kms_key_arns         = [var.kms_key_arn]
  external_secrets_ssm_parameter_arns   = []
  oidc_providers = {
    main = {
      provider_arn               = var.oidc_provider_arn
      namespace_service_accounts = ["${var.namespace}:external-secrets"]
    }
  }
  tags = var.tags
}

locals {
  documents_rw = [{
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.documents_bucket_arn}/*"]
  }]
  audio_rw = [{
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.audio_bucket_arn}/tts/*"]
  }]
  queue_consume = [{
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn]
  }]
  queue_send = [{
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
    resources = [var.queue_arn]
  }]
  kms_use = [{
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }]
  # unwrapping the patient data keys at start (kms:Decrypt only: new keys are made by an operator)
  patient_data = [{
    actions   = ["kms:Decrypt"]
    resources = [var.patient_data_key_arn]
  }]
  # workload (Kubernetes service account name) -> what it may do.
  workloads = {
    "knowledge-base"      = concat(local.documents_rw, local.kms_use)
    "tts"                 = concat(local.audio_rw, local.kms_use)
    "tts-warm"            = concat(local.audio_rw, local.kms_use)
    "calendly"            = concat(local.queue_send, local.kms_use, local.patient_data)
    "calendly-dispatcher" = concat(local.queue_send, local.kms_use, local.patient_data)
    "calendly-reminders"  = concat(local.queue_send, local.kms_use, local.patient_data)
    "messaging-worker"    = concat(local.queue_consume, local.kms_use, local.patient_data)
    "twilio-handler"      = concat(local.patient_data)
    "messaging"           = concat(local.patient_data)
    "calendly-sync"       = concat(local.patient_data)
    "messaging-retention" = concat(local.patient_data)
    "calendly-retention"  = concat(local.patient_data)
    "db-migrate"          = concat(local.patient_data)
  }
}

data "aws_iam_policy_document" "assume" {
  for_each = local.workloads
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${each.key}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "workload" {
  for_each = local.workloads
  dynamic "statement" {
    for_each = each.value
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role" "workload" {
  for_each           = local.workloads
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "workload" {
  for_each = local.workloads
  name     = "least-privilege"
  role     = aws_iam_role.workload[each.key].id
  policy   = data.aws_iam_policy_document.workload[each.key].json
}
