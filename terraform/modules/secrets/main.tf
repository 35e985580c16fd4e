# The application and vendor secrets, created empty: their values are put by an operator
# (docs/operations.md, "Rotating secrets"), never by Terraform, so they are not in the state.
locals {
  secrets = {
    app        = "Service token, admin token, Twilio auth token, Sentry DSN"
    calendly   = "Calendly personal access token and webhook signing key"
    twilio     = "Twilio account SID and API key for sending SMS"
    elevenlabs = "ElevenLabs API key"
    # the data and index keys wrapped by the patient data KMS key, and that key's alias
    patient-data = "Patient data keys (KMS-wrapped) that encrypt names, numbers and addresses in the database"
  }
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:vendor credentials are issued by Twilio, Calendly and ElevenLabs; no Lambda can rotate them, the runbook does
  for_each                = local.secrets
  name                    = "receptionist/${each.key}"
  description             = each.value
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
  tags                    = var.tags
}
