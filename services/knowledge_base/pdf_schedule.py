"""A schedule PDF's bytes to an extracted schedule: pypdf text, page by page, through the parser."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.knowledge_base.pdf_text import PdfProblem, open_pdf, page_has_images, page_lines
from services.knowledge_base.schedule_parser import ExtractedSchedule, ScheduleParser


@dataclass
class PdfSchedule:
    """The extracted schedule and the document's page count."""

    schedule: ExtractedSchedule
    page_count: int


def extract_schedule(data: bytes, *, max_pages: int, today: date, known_names: Iterable[str] = ()) -> PdfSchedule:
    """Read every doctor from a schedule PDF; PdfProblem when it is unreadable or holds no schedule."""
    reader = open_pdf(data, max_pages=max_pages)
    page_count = len(reader.pages)
    parser = ScheduleParser(today=today, known_names=known_names)
    text_pages = 0
    for lines in page_lines(reader):
        text_pages += bool(lines)
        parser.feed_page(lines)
    if text_pages == 0:
        if any(page_has_images(reader, index) for index in range(page_count)):
            raise PdfProblem("image_only_pdf", "the PDF has no text layer, only images (a scan?); text "
                             "recognition (OCR) is not supported, so export the schedule as a text PDF", page_count)
        raise PdfProblem("no_text", "the PDF contains no text", page_count)
    schedule = parser.finish()
    if not schedule.doctors:
        raise PdfProblem("no_schedule_found", "no doctor with working hours was found in the document", page_count)
    return PdfSchedule(schedule, page_count)
