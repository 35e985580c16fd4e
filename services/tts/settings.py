"""tts settings."""

from shared.settings import CommonSettings


class TtsSettings(CommonSettings):
    """Settings for the tts service."""
