"""calendly service settings."""

from pydantic import Field

from shared.settings import CommonSettings


class CalendlySettings(CommonSettings):
    """Settings for the calendly service, its outbox dispatcher and its reminders job."""

    sqs_queue_url: str | None = Field(
        None, description="SQS queue notifications are handed to (cluster); unset = POST to messaging directly"
    )
    sqs_endpoint_url: str | None = Field(None, description="SQS endpoint override (tests, LocalStack)")
    outbox_batch_size: int = Field(50, ge=1, le=500)
    outbox_retry_base_seconds: float = Field(5.0, gt=0)
    outbox_retry_cap_seconds: float = Field(600.0, gt=0)
    dispatcher_poll_seconds: float = Field(2.0, gt=0)
    reminder_hours_default: float = Field(24.0, gt=0, description="hours before a visit; clinics.options.reminder_hours overrides")
    quiet_hours_default: str = Field("21:00-08:00", description="no reminders in this clinic-local window; clinics.options.quiet_hours overrides")
