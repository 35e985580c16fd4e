"""Text lines out of a schedule PDF with pypdf: each line keeps its page and the x position of every
fragment, so table columns survive extraction. Unreadable input raises PdfProblem with a code."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import Iterator

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, IndirectObject

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
_SAME_LINE_POINTS = 2.5


class PdfProblem(Exception):
    """The PDF cannot be read as a schedule: a machine code and a message for clinic staff."""

    def __init__(self, code: str, message: str, page_count: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.page_count = page_count


_WIDEST_CHARACTER_EM = 0.7  # above the average glyph width of common fonts, even in capitals


@dataclass
class Fragment:
    """A piece of text as drawn: left edge x (points), its text, and its font size in points."""

    x: float
    text: str
    size: float = 10.0

    def surely_ends_before(self, x: float) -> bool:
        """Whether this text cannot reach `x` however wide its glyphs: a gap, so words are apart."""
        return x > self.x + len(self.text) * self.size * _WIDEST_CHARACTER_EM


@dataclass
class Line:
    """One visual line of a page, fragments left to right."""

    page: int
    y: float
    fragments: list[Fragment] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The line's text: fragments glued as pypdf spaced them (it marks gaps with a space), a space
        added where fragments are clearly apart, whitespace collapsed."""
        parts: list[str] = []
        previous: Fragment | None = None
        for fragment in self.fragments:
            if previous is not None and not previous.text[-1:].isspace() and not fragment.text[:1].isspace() \
                    and previous.surely_ends_before(fragment.x):
                parts.append(" ")
            parts.append(fragment.text)
            previous = fragment
        return " ".join("".join(parts).split())


def looks_like_pdf(data: bytes) -> bool:
    """True when the PDF header appears near the start (readers allow some leading bytes)."""
    return PDF_MAGIC in data[:1024]


def open_pdf(data: bytes, *, max_pages: int) -> PdfReader:
    """A reader for the bytes, refusing encrypted files and page-count bombs before any page is parsed."""
    if not data.strip():
        raise PdfProblem("empty_file", "the file is empty")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _opens_without_password(reader):
            raise PdfProblem("encrypted_pdf", "the PDF is password-protected; upload an unprotected copy")
        declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if int(declared) > max_pages:
            raise PdfProblem("too_many_pages", f"the PDF declares {int(declared)} pages; the limit is {max_pages}",
                             int(declared))
        page_count = len(reader.pages)
    except PdfProblem:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        log.info("unreadable PDF", extra={"error": type(error).__name__})
        raise PdfProblem("corrupt_pdf", "the file is damaged or not a readable PDF") from None
    if page_count == 0:
        raise PdfProblem("corrupt_pdf", "the PDF has no pages", 0)
    if page_count > max_pages:
        raise PdfProblem("too_many_pages", f"the PDF has {page_count} pages; the limit is {max_pages}", page_count)
    return reader


def _opens_without_password(reader: PdfReader) -> bool:
    # Files protected only by an owner password (print/copy restrictions) open with an empty one.
    try:
        return bool(reader.decrypt(""))
    except (PyPdfError, NotImplementedError, ValueError):
        return False


def page_lines(reader: PdfReader) -> Iterator[list[Line]]:
    """The lines of each page in reading order (top to bottom, left to right), one page at a time."""
    for number, page in enumerate(reader.pages, start=1):
        fragments: list[tuple[float, float, str, float]] = []

        def visit(text, cm, tm, _font, font_size, _sink=fragments):
            if not text or not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            size = (font_size or 10) * abs(tm[0] * cm[0] or 1)
            for offset, piece in enumerate(text.split("\n")):
                if piece.strip():
                    _sink.append((y - offset * size * 1.2, x if offset == 0 else tm[4], piece, size))

        try:
            page.extract_text(visitor_text=visit)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
            log.info("page text could not be extracted", extra={"page": number, "error": type(error).__name__})
            raise PdfProblem("corrupt_pdf", f"page {number} is damaged and its text cannot be read") from None
        _forget_contents(reader, page)
        yield _group_lines(number, fragments)


def _forget_contents(reader: PdfReader, page) -> None:
    # pypdf caches every decoded content stream it resolves; dropping a page's own streams once its
    # text is read keeps memory flat in the page count (fonts and resources stay shared).
    contents = page.get("/Contents")
    references = contents if isinstance(contents, ArrayObject) else [contents]
    if isinstance(contents, IndirectObject):
        references = [contents, *(contents.get_object() if isinstance(contents.get_object(), ArrayObject) else [])]
    for reference in references:
        if isinstance(reference, IndirectObject):
            reader.resolved_objects.pop((reference.generation, reference.idnum), None)


def _group_lines(page: int, fragments: list[tuple[float, float, str, float]]) -> list[Line]:
    lines: list[Line] = []
    for y, x, text, size in sorted(fragments, key=lambda item: (-item[0], item[1])):
        if lines and abs(lines[-1].y - y) <= _SAME_LINE_POINTS:
            lines[-1].fragments.append(Fragment(x, text, size))
        else:
            lines.append(Line(page, y, [Fragment(x, text, size)]))
    for line in lines:
        line.fragments.sort(key=lambda fragment: fragment.x)
    return lines


def page_has_images(reader: PdfReader, index: int) -> bool:
    """Whether a page draws any image XObject (a scanned page has one and no text)."""
    try:
        resources = reader.pages[index].get("/Resources") or {}
        xobjects = resources.get_object().get("/XObject") or {}
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return False
