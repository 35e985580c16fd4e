"""intent_handler settings."""

from shared.settings import CommonSettings


class IntentHandlerSettings(CommonSettings):
    """Settings for the intent_handler service."""
