"""messaging settings: Twilio SMS credentials, the SQS hand-off queue, and the retry policy."""

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from shared.settings import LOCAL_TWILIO_AUTH_TOKEN, CommonSettings


class MessagingSettings(CommonSettings):
    """Settings for the messaging service and its worker."""

    twilio_account_sid: str | None = Field(None, description="Twilio account SID; unset = printed local outbox")
    twilio_api_key_sid: str | None = Field(None, description="Twilio API key SID (SK...) the REST client signs in with")
    twilio_api_key_secret: SecretStr | None = Field(None, description="the API key's secret")
    twilio_from_number: str | None = Field(None, description="E.164 sender number for texts")
    twilio_messaging_service_sid: str | None = Field(
        None, description="Messaging Service SID (instead of a from number)")
    twilio_api_timeout_seconds: float = Field(10.0, gt=0, description="read timeout of one Twilio API call")
    sqs_queue_url: str | None = Field(
        None, description="SQS queue the calendly dispatcher fills; unset = direct HTTP hand-off")
    sqs_endpoint_url: str | None = Field(None, description="SQS endpoint override (tests, LocalStack)")
    sqs_wait_seconds: int = Field(10, ge=0, le=20, description="SQS long-poll wait of the worker")
    sms_send_mode: Literal["inline", "worker"] | None = Field(
        None, description="inline: POST /messaging/sms sends at once; worker: it only queues and the worker sends; "
        "unset = worker in production or with SQS_QUEUE_URL, inline otherwise (local mode)",
    )
    sms_default_region: str = Field("US", description="region for numbers given without a country code")
    sms_max_attempts: int = Field(8, ge=1, description="send attempts before a transient failure becomes final")
    sms_backoff_base_seconds: float = Field(15.0, gt=0)
    sms_backoff_cap_seconds: float = Field(1800.0, gt=0)
    sms_reconcile_after_seconds: float = Field(
        60.0, gt=0, description="a send claimed this long ago without a recorded result is looked up at Twilio"
    )
    worker_poll_seconds: float = Field(2.0, gt=0)
    sms_body_retention_days: int = Field(
        30, ge=1, description="days a text's body (and a patient's reply text) is kept; then emptied, the row kept")

    @property
    def sends_inline(self) -> bool:
        """True when POST /messaging/sms sends at once instead of leaving it to the worker."""
        if self.sms_send_mode is not None:
            return self.sms_send_mode == "inline"
        return self.environment != "production" and not self.sqs_queue_url

    @property
    def has_twilio_api_key(self) -> bool:
        """True when both halves of a Twilio API key are set."""
        return bool(self.twilio_api_key_sid and self.twilio_api_key_secret
                    and self.twilio_api_key_secret.get_secret_value())

    @property
    def twilio_rest_credentials(self) -> tuple[str, str] | None:
        """(username, password) for Twilio's REST API: the API key (rotated on its own, see the runbook);
        the account's auth token only outside production; None when neither is set."""
        if self.has_twilio_api_key:
            return self.twilio_api_key_sid, self.twilio_api_key_secret.get_secret_value()
        token = self.twilio_auth_token.get_secret_value()
        if self.environment != "production" and self.twilio_account_sid and token not in ("", LOCAL_TWILIO_AUTH_TOKEN):
            return self.twilio_account_sid, token
        return None

    @property
    def twilio_configured(self) -> bool:
        """True when real Twilio SMS can be sent: account, credentials and a sender are all set."""
        return bool(
            self.twilio_account_sid
            and self.twilio_rest_credentials
            and (self.twilio_from_number or self.twilio_messaging_service_sid)
        )

    @model_validator(mode="after")
    def _api_key_in_production(self) -> "MessagingSettings":
        if self.environment == "production" and self.twilio_account_sid and not self.has_twilio_api_key:
            raise ValueError("TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET must be set in production "
                             "(the auth token signs in to Twilio's REST API only locally)")
        return self
