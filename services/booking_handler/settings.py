"""booking_handler settings."""

from shared.settings import CommonSettings


class BookingHandlerSettings(CommonSettings):
    """Settings for the booking_handler service."""
