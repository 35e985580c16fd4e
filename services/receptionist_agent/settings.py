"""receptionist_agent settings."""

from shared.settings import CommonSettings


class ReceptionistAgentSettings(CommonSettings):
    """Settings for the receptionist_agent service."""

    default_region: str = "US"
