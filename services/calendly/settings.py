"""calendly service settings: the database-backed scheduler always; Calendly sync when CALENDLY_TOKEN is set."""

from pydantic import Field, SecretStr

from shared.settings import CommonSettings


class CalendlySettings(CommonSettings):
    """Settings for the calendly service, its outbox dispatcher, reminders job and Calendly sync."""

    sqs_queue_url: str | None = Field(
        None, description="SQS queue notifications are handed to (cluster); unset = POST to messaging directly"
    )
    sqs_endpoint_url: str | None = Field(None, description="SQS endpoint override (tests, LocalStack)")
    outbox_batch_size: int = Field(50, ge=1, le=500)
    outbox_retry_base_seconds: float = Field(5.0, gt=0)
    outbox_retry_cap_seconds: float = Field(600.0, gt=0)
    dispatcher_poll_seconds: float = Field(2.0, gt=0)
    reminder_hours_default: float = Field(
        24.0, gt=0, description="hours before a visit; clinics.options.reminder_hours overrides")
    quiet_hours_default: str = Field(
        "21:00-08:00", description="no reminders in this clinic-local window; clinics.options.quiet_hours overrides")

    verification_code_minutes: int = Field(10, ge=1, le=60, description="how long a texted one-time code is valid")
    verification_tries: int = Field(3, ge=1, le=10, description="wrong codes allowed before a code is void")
    verification_codes_per_phone_per_hour: int = Field(3, ge=1, description="codes texted to one number per hour")
    verification_codes_per_caller_per_hour: int = Field(5, ge=1, description="codes one caller may ask for per hour")
    verification_retention_days: int = Field(
        30, ge=1, description="days a one-time code's row (number, caller, tries) is kept; then deleted")

    calendly_token: SecretStr | None = Field(
        None, description="Calendly personal access token; unset = the local scheduler alone serves"
    )
    calendly_api_url: str = Field("https://api.calendly.com", description="Calendly API base URL")
    calendly_webhook_signing_key: SecretStr | None = Field(
        None, description="signing key of the webhook subscription; unset = every webhook is refused"
    )
    calendly_webhook_tolerance_seconds: int = Field(180, gt=0, description="oldest webhook timestamp accepted")
    calendly_timeout_seconds: float = Field(8.0, gt=0, description="read timeout of Calendly API calls")
    calendly_retries: int = Field(2, ge=0, le=5, description="retries of 5xx / timeouts per Calendly call")
    calendly_breaker_threshold: int = Field(5, ge=1, description="consecutive failures that open the breaker")
    calendly_breaker_reset_seconds: float = Field(30.0, gt=0, description="how long the open breaker pauses calls")
    calendly_availability_cache_seconds: int = Field(30, ge=0, description="how long Calendly free times are reused")
    calendly_bookings_per_minute: int = Field(10, ge=1, description="POST /invitees limit (non-Enterprise: 10)")
    calendly_bookings_per_hour: int = Field(50, ge=1, description="POST /invitees limit (non-Enterprise: 50)")
    calendly_bookings_per_day: int = Field(100, ge=1, description="POST /invitees limit (non-Enterprise: 100)")
    calendly_sync_batch: int = Field(50, ge=1, description="sync tasks handled per queue pass")
