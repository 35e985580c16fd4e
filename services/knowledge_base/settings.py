"""knowledge_base settings."""

from pydantic import Field

from shared.settings import CommonSettings

_MULTIPART_OVERHEAD_BYTES = 64 * 1024


class KnowledgeBaseSettings(CommonSettings):
    """Settings for the knowledge_base service."""

    max_upload_bytes: int = Field(10 * 1024 * 1024, gt=0, description="largest schedule PDF accepted (413 above)")
    max_pdf_pages: int = Field(500, gt=0, description="largest page count accepted (page-count bombs)")
    max_availability_days: int = Field(92, gt=0, description="longest range GET .../availability expands")

    @property
    def max_request_bytes(self) -> int:
        """Flask's MAX_CONTENT_LENGTH: the upload limit plus room for the multipart envelope."""
        return self.max_upload_bytes + _MULTIPART_OVERHEAD_BYTES
