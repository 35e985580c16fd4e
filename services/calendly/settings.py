"""calendly service settings."""

from shared.settings import CommonSettings


class CalendlySettings(CommonSettings):
    """Settings for the calendly service."""
