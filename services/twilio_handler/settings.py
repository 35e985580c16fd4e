"""twilio_handler settings."""

from shared.settings import CommonSettings


class TwilioHandlerSettings(CommonSettings):
    """Settings for the twilio_handler service."""
