"""twilio_handler settings."""

from pydantic import Field

from shared.settings import CommonSettings


class TwilioHandlerSettings(CommonSettings):
    """Settings for the twilio_handler service."""

    voice_rate_limit_per_caller: int = Field(5, ge=0, description="new calls per caller ID per window; 0 = no limit")
    voice_rate_limit_per_clinic: int = Field(300, ge=0, description="new calls per clinic per window; 0 = no limit")
    voice_rate_limit_window_seconds: int = Field(60, gt=0, description="length of a rate-limit window")
