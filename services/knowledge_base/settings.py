"""knowledge_base settings."""

from pydantic import Field

from services.knowledge_base.extraction import ExtractionBudget
from shared.settings import CommonSettings

_MULTIPART_OVERHEAD_BYTES = 64 * 1024


class KnowledgeBaseSettings(CommonSettings):
    """Settings for the knowledge_base service."""

    max_upload_bytes: int = Field(10 * 1024 * 1024, gt=0, description="largest schedule PDF accepted (413 above)")
    max_pdf_pages: int = Field(500, gt=0, description="largest page count accepted (page-count bombs)")
    document_read_seconds: float = Field(20.0, gt=0, description="wall-clock and CPU budget for reading one "
                                         "schedule PDF in its child process (422 too_slow_to_read above)")
    document_read_memory_bytes: int = Field(1024 * 1024 * 1024, gt=64 * 1024 * 1024,
                                            description="address-space ceiling of that child process")
    parallel_document_reads: int = Field(2, gt=0, description="documents read at once per web process "
                                         "(further uploads wait a few seconds, then 503)")
    document_read_in_child: bool = Field(True, description="read documents in budgeted child processes; false "
                                         "only for tests that patch the parser in this process")
    max_availability_days: int = Field(92, gt=0, description="longest range GET .../availability expands")

    @property
    def extraction_budget(self) -> ExtractionBudget:
        """What reading one uploaded document may cost."""
        return ExtractionBudget(self.document_read_seconds, self.document_read_memory_bytes,
                                self.parallel_document_reads, self.document_read_in_child)

    @property
    def max_request_bytes(self) -> int:
        """Flask's MAX_CONTENT_LENGTH: the upload limit plus room for the multipart envelope."""
        return self.max_upload_bytes + _MULTIPART_OVERHEAD_BYTES
