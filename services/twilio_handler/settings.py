"""twilio_handler settings."""

from pydantic import Field

from shared.settings import CommonSettings


class TwilioHandlerSettings(CommonSettings):
    """Settings for the twilio_handler service."""

    voice_rate_limit_per_caller: int = Field(5, ge=0, description="new calls per caller ID per window; 0 = no limit")
    voice_rate_limit_per_clinic: int = Field(
        300, ge=0, description="a clinic's normal new calls per window: past it only suspicious callers are refused, "
        "past four times it only attested ones are taken; 0 = no limit")
    voice_rate_limit_per_prefix: int = Field(
        30, ge=0, description="new calls per window from one number prefix before they count as a burst; 0 = no limit")
    voice_rate_limit_window_seconds: int = Field(60, gt=0, description="length of a rate-limit window")
