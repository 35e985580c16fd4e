"""Text lines out of a schedule PDF with pypdf: each line keeps its page and the x position of every
fragment, so table columns survive extraction, and, where the page rules its tables (cell borders
drawn as lines or rectangles, read in the same pass over the page), the ruled row it sits in and the
column borders crossing it. Unreadable input raises PdfProblem with a code."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    """One visual line of a page, fragments left to right; `row_top` is the y of the ruled row's top
    border when the line sits between two drawn borders, `column_edges` the x of the drawn vertical
    borders crossing it."""

    page: int
    y: float
    fragments: list[Fragment] = field(default_factory=list)
    row_top: float | None = None
    column_edges: tuple[float, ...] = ()

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
        _check_page_tree(reader, max_pages, int(declared))
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


_PAGE_TREE_NODES_PER_PAGE = 4  # intermediate /Pages nodes a real tree needs per page, with room to spare


def _check_page_tree(reader: PdfReader, max_pages: int, declared: int) -> None:
    """Count the pages the page tree really holds, stopping as soon as there are too many: /Count is the
    file's own claim, and pypdf flattens the whole tree (every page object built) before counting."""
    pages, nodes = 0, 0
    node_limit = _PAGE_TREE_NODES_PER_PAGE * max_pages + 64
    seen: set[int] = set()
    stack = [reader.trailer["/Root"].get_object()["/Pages"]]
    while stack:
        reference = stack.pop()
        if isinstance(reference, IndirectObject):
            if reference.idnum in seen:
                continue  # a loop in the tree: each node counts once
            seen.add(reference.idnum)
        node = reference.get_object()
        nodes += 1
        if nodes > node_limit:
            raise PdfProblem("too_many_pages", f"the PDF's page tree has more than {node_limit} entries; "
                             f"the limit is {max_pages} pages")
        kids = node.get("/Kids") if hasattr(node, "get") else None
        if kids is None or node.get("/Type") == "/Page":
            pages += 1
            if pages > max_pages:
                raise PdfProblem("too_many_pages", f"the PDF holds more than {max_pages} pages though it "
                                 f"declares {declared}; the limit is {max_pages}", pages)
        else:
            stack.extend(reversed(list(kids.get_object())))


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
        rules = _Rules()

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
            page.extract_text(visitor_text=visit, visitor_operand_before=rules.visit)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
            log.info("page text could not be extracted", extra={"page": number, "error": type(error).__name__})
            raise PdfProblem("corrupt_pdf", f"page {number} is damaged and its text cannot be read") from None
        _forget_contents(reader, page)
        yield rules.place(_group_lines(number, fragments))


_PAINT = frozenset({b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_PATH_OPERATORS = _PAINT | {b"m", b"l", b"re", b"n"}
_THIN_POINTS = 3.0  # a filled rectangle thinner than this is a drawn border
_MIN_RULE_POINTS = 6.0
_ALIGN_POINTS = 2.0


class _Rules:
    """Horizontal and vertical borders a page draws (path segments and rectangles that are painted),
    collected while pypdf walks the content stream for text."""

    def __init__(self) -> None:
        self.horizontal: list[tuple[float, float, float]] = []  # (y, x0, x1)
        self.vertical: list[tuple[float, float, float]] = []  # (x, y0, y1)
        self._path: list[tuple[float, float, float, float]] = []
        self._point: tuple[float, float] | None = None

    def visit(self, operator: bytes, operands, cm, _tm) -> None:
        """pypdf's visitor_operand_before: follow path construction and painting."""
        if operator not in _PATH_OPERATORS:
            return  # most operators draw text; this is the hot path
        try:
            self._follow(operator, operands, cm)
        except (TypeError, ValueError):
            self._path, self._point = [], None  # a malformed path draws no border; the text still counts

    def _follow(self, operator: bytes, operands, cm) -> None:
        if operator == b"m" and len(operands) == 2:
            self._point = _transform(cm, operands[0], operands[1])
        elif operator == b"l" and len(operands) == 2 and self._point is not None:
            end = _transform(cm, operands[0], operands[1])
            self._path.append((*self._point, *end))
            self._point = end
        elif operator == b"re" and len(operands) == 4:
            x, y, width, height = (float(value) for value in operands)
            corners = [_transform(cm, x, y), _transform(cm, x + width, y), _transform(cm, x + width, y + height),
                       _transform(cm, x, y + height)]
            self._path.extend((*corners[index], *corners[(index + 1) % 4]) for index in range(4))
        elif operator in _PAINT:
            self._commit(filled=operator not in (b"S", b"s"))
        elif operator == b"n":
            self._path, self._point = [], None

    def _commit(self, *, filled: bool) -> None:
        xs = [value for segment in self._path for value in (segment[0], segment[2])]
        ys = [value for segment in self._path for value in (segment[1], segment[3])]
        if filled and xs and (max(ys) - min(ys) < _THIN_POINTS or max(xs) - min(xs) < _THIN_POINTS):
            # a border painted as a thin filled bar
            if max(ys) - min(ys) < _THIN_POINTS:
                self.horizontal.append(((max(ys) + min(ys)) / 2, min(xs), max(xs)))
            else:
                self.vertical.append(((max(xs) + min(xs)) / 2, min(ys), max(ys)))
        else:
            for x0, y0, x1, y1 in self._path:
                if abs(y1 - y0) < 1 and abs(x1 - x0) >= _MIN_RULE_POINTS:
                    self.horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif abs(x1 - x0) < 1 and abs(y1 - y0) >= _MIN_RULE_POINTS:
                    self.vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
        self._path, self._point = [], None

    def place(self, lines: list[Line]) -> list[Line]:
        """Give each line the ruled row it sits in and the column borders crossing it."""
        if not self.horizontal and not self.vertical:
            return lines
        # Cells draw the same border many times (each cell its own rectangle): one rule per height or x.
        horizontal = _merged(self.horizontal)
        vertical = _merged(self.vertical)
        for line in lines:
            left = line.fragments[0].x
            spanning = [y for y, x0, x1 in horizontal if x0 - _ALIGN_POINTS <= left <= x1]
            above = [y for y in spanning if y > line.y]
            if above and any(y < line.y for y in spanning):
                line.row_top = round(min(above), 1)
            line.column_edges = tuple(x for x, y0, y1 in vertical
                                      if y0 - _ALIGN_POINTS <= line.y <= y1 + _ALIGN_POINTS)
        return lines


def _merged(rules: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Rules at the same position (within _ALIGN_POINTS) joined into one, from the first start to the last end."""
    merged: list[list[float]] = []
    for position, start, end in sorted(rules):
        if merged and position - merged[-1][0] <= _ALIGN_POINTS:
            merged[-1][1], merged[-1][2] = min(merged[-1][1], start), max(merged[-1][2], end)
        else:
            merged.append([position, start, end])
    return [(position, start, end) for position, start, end in merged]


def _transform(cm, x, y) -> tuple[float, float]:
    x, y = float(x), float(y)
    return x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]


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
