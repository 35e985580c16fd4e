"""messaging settings."""

from shared.settings import CommonSettings


class MessagingSettings(CommonSettings):
    """Settings for the messaging service."""
