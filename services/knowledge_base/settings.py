"""knowledge_base settings."""

from shared.settings import CommonSettings


class KnowledgeBaseSettings(CommonSettings):
    """Settings for the knowledge_base service."""
