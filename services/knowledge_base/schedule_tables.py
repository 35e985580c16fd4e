"""Tables in schedule documents, before any meaning is given to them: which line is a header, which
columns it defines, which lines make up one row, and the text of each cell.

Three kinds are recognised from the header:
- `rows`: a row per doctor with Doctor / Department / Days / Hours columns;
- `weekday grid`: a row per doctor and a column per weekday ("Clinician | Role | Monday | ...");
- `day rows`: a row per weekday and a column per doctor, the department under the doctor's name.

A header may take several lines (a label wrapped in its cell, or a second header row such as dates
under the weekdays). Columns come from the drawn column borders when the page rules the table, else
from the header labels (the boundary between two columns halfway between their labels' starts, which
holds for left-aligned and centred cells alike).
Rows come from the drawn row borders when there are any, else a row begins where a new doctor (or a
new weekday) does, so a cell holding several lines (name, credentials, department; a split shift)
stays one cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.knowledge_base.pdf_text import Fragment, Line
from services.knowledge_base.schedule_text import day_spec_only, find_doctor_name, looks_like_schedule

ROWS, WEEKDAY_GRID, DAY_ROWS = "rows", "weekday grid", "day rows"
_MIN_WEEKDAY_COLUMNS = 3
_MIN_DOCTOR_COLUMNS = 2

_NAME_LABEL = re.compile(r"\b(?:doctor|physician|provider|clinician|name|dentist|consultant|practitioner|staff)s?\b",
                         re.IGNORECASE)
_LABEL_KINDS = (
    ("department", re.compile(r"\b(?:department|dept\.?|specialt\w*|speciality|service|role|discipline)",
                              re.IGNORECASE)),
    ("name", _NAME_LABEL),
    ("days", re.compile(r"\b(?:days?|weekdays?)\b", re.IGNORECASE)),
    ("hours", re.compile(r"\b(?:hours|time|times|schedule|availability|sessions?)\b", re.IGNORECASE)),
)
_DAY_HEADING = re.compile(r"^\s*(?P<day>[A-Za-z]{3,9})\.?(?:\s+|$)(?P<rest>.*)$")
_CREDENTIAL = re.compile(r"^(?:M\.?D\.?|D\.?O\.?|MBBS|MBChB|Ph\.?D\.?|DDS|DMD|BDS|NP|PA(?:-C)?|RN|DNP|APRN|FNP(?:-C)?|"
                         r"CNM|MPH|MSc|BSc|DPM|PharmD|OD|F[A-Z]{2,6}|M[A-Z]{2,5})$")
_DEPARTMENT_WORD = re.compile(
    r"(?:olog(?:y|ie|ist)|iatr(?:y|ics)|ics|istry|therapy|ography|ectomy)$|^(?:medicine|surgery|care|health|practice|"
    r"clinic|dental|nursing|imaging|midwifery|hygiene|hygienist|ear|nose|throat|eye|eyes|skin|women's|children's|"
    r"sports|mental|internal|general|emergency|urgent|minor|injuries|nutrition|physio|ultrasound|ent|gp|ob|gyn|"
    r"ob/gyn|a&e|family|primary|specialist|vaccinations?)$", re.IGNORECASE)
_JOINED_DASH = ("-", "–", "‐", "/")
_NAME_HINT = re.compile(r"\b(?:Dr|DR|Doctor|DOCTOR)\b|,\s*(?:M\.?D|D\.?O|DDS|DMD)\b")


@dataclass
class Column:
    """One column: where it starts (x), what its header says, and what kind of column that makes it."""

    start: float
    label_lines: list[str] = field(default_factory=list)
    kind: str = "other"
    day: int | None = None

    @property
    def label(self) -> str:
        """The header label with wrapped lines joined."""
        return join_cell_lines(self.label_lines)


@dataclass
class Table:
    """A table's kind and columns, from its header; `ruled` when the page draws its row borders."""

    kind: str
    columns: list[Column]
    ruled: bool
    header_top: float | None
    page: int
    edges: tuple[float, ...] = ()

    def column_of(self, fragment: Fragment) -> int:
        """The index of the column a fragment falls in."""
        x = fragment.x
        if self.edges:
            for index in range(len(self.columns) - 1, -1, -1):
                if x >= self.columns[index].start - 1:
                    return index
            return 0
        index = 0
        for position in range(1, len(self.columns)):
            boundary = (self.columns[position - 1].start + self.columns[position].start) / 2
            if x >= boundary:
                index = position
        return index

    def cells(self, line: Line) -> dict[int, str]:
        """The text of each column on one line (a trailing space kept where the line broke after one)."""
        parts: dict[int, list[Fragment]] = {}
        for fragment in line.fragments:
            parts.setdefault(self.column_of(fragment), []).append(fragment)
        cells = {}
        for index, fragments in parts.items():
            text = (" ".join(fragments[0].text.split()) if len(fragments) == 1
                    else Line(line.page, line.y, fragments).text)
            cells[index] = text + " " if fragments[-1].text[-1:].isspace() else text
        return cells

    def indexes(self, kind: str) -> list[int]:
        """The columns of one kind, left to right."""
        return [index for index, column in enumerate(self.columns) if column.kind == kind]

    def extend_header(self, line: Line) -> bool:
        """Take a line as more of the header (a wrapped label, or a second header row) when it is one."""
        if self.ruled and line.row_top == self.header_top and line.page == self.page:
            self._add_labels(line)
            return True
        cells = {index: text.strip() for index, text in self.cells(line).items() if text.strip()}
        if not cells or any(looks_like_schedule(text) and not _dated_heading(text) for text in cells.values()):
            return False
        if self.ruled and line.row_top is None:
            return False
        first = self.indexes("name")[:1] or self.indexes("day label")[:1]
        if first and first[0] in cells and (find_doctor_name(cells[first[0]]) or day_spec_only(cells[first[0]])):
            return False
        if any(find_doctor_name(text) for text in cells.values()) and self.kind != DAY_ROWS:
            return False
        self._add_labels(line)
        if self.ruled:
            self.header_top = line.row_top
        return True

    def _add_labels(self, line: Line) -> None:
        for index, text in self.cells(line).items():
            self.columns[index].label_lines.append(text)
        _classify(self.columns, self.kind)


def find_header(line: Line) -> Table | None:
    """The table a header line begins, or None when the line is no table header."""
    if len(line.fragments) < 2:
        return None
    edges = line.column_edges if len(line.column_edges) >= 3 else ()
    if edges:
        columns = [Column(start) for start in edges[:-1]]
        probe = Table(ROWS, columns, True, line.row_top, line.page, edges)
        for index, text in probe.cells(line).items():
            columns[index].label_lines.append(text)
    else:
        columns = [Column(fragment.x, [fragment.text]) for fragment in line.fragments]
    kind = _table_kind(columns)
    if kind is None:
        return None
    if kind == DAY_ROWS and find_doctor_name(columns[0].label):
        columns.insert(0, Column(0.0))  # the weekday column has no heading of its own
    _classify(columns, kind)
    return Table(kind, columns, line.row_top is not None, line.row_top, line.page, edges)


def _table_kind(columns: list[Column]) -> str | None:
    labels = [column.label.strip() for column in columns]
    days = sum(1 for label in labels if _heading_day(label) is not None)
    if days >= _MIN_WEEKDAY_COLUMNS:
        return WEEKDAY_GRID
    # Most lines are table rows, not headers: look for doctors' names only where two may be.
    if days == 0 and sum(1 for label in labels if _NAME_HINT.search(label)) >= _MIN_DOCTOR_COLUMNS:
        doctors = sum(1 for label in labels if find_doctor_name(label))
        if doctors >= _MIN_DOCTOR_COLUMNS and (_label_kind(labels[0]) in ("days", "blank")
                                               or find_doctor_name(labels[0])):
            return DAY_ROWS
    if not any(_NAME_LABEL.search(label) for label in labels):
        return None
    kinds = [_label_kind(label) for label in labels]
    if "name" in kinds and ("hours" in kinds or "days" in kinds) and kinds.count("other") <= 1:
        return ROWS
    return None


def _label_kind(label: str) -> str:
    if not label:
        return "blank"
    return next((kind for kind, pattern in _LABEL_KINDS if pattern.search(label)), "other")


def _classify(columns: list[Column], kind: str) -> None:
    for column in columns:
        label = column.label.strip()
        column.day = None
        if kind == DAY_ROWS:
            column.kind = "doctor" if find_doctor_name(split_provider_cell(column.label_lines)[0]) else "other"
            continue
        column.day = _heading_day(label) if kind == WEEKDAY_GRID else None
        column.kind = "day" if column.day is not None else _label_kind(label)
    if kind == DAY_ROWS:
        columns[0].kind = "day label"
    elif kind == WEEKDAY_GRID and not any(column.kind == "name" for column in columns):
        first = next((column for column in columns if column.kind != "day"), None)
        if first is not None:
            first.kind = "name"


def _heading_day(label: str) -> int | None:
    match = _DAY_HEADING.match(label)
    if not match:
        return None
    days = day_spec_only(match.group("day"))
    if not days or len(days) != 1:
        return None
    rest = match.group("rest").strip()
    return days[0] if not rest or _dated_heading(rest) else None


def _dated_heading(text: str) -> bool:
    """Dates or a note under a weekday heading ("4 Jan", "(4/1)", "05.01."), not hours."""
    return bool(re.fullmatch(r"[\s(\[]*(?:\d{1,2}[./-]\d{1,2}[./-]?(?:\d{2,4})?|"
                             r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?|"
                             r"[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?)[\s)\]]*", text))


def join_cell_lines(lines: list[str]) -> str:
    """A cell's lines as one text: a line ending in a hyphen or a slash joins the next without a space
    ("Nguyen-" "Whitfield", "Ear/" "Nose"), a word broken at the cell's edge ("Gynecol" "ogy") is
    rejoined, others get a space."""
    text = ""
    for line in lines:
        if not line.strip():
            continue
        if not text:
            text = line
        elif text.rstrip().endswith(_JOINED_DASH) and text.rstrip()[-2:-1].isalnum():
            text = text.rstrip() + line.lstrip()
        elif not text[-1:].isspace() and text[-1:].isalpha() and _word_remainder(line):
            text = text + line.lstrip()
        else:
            text = text.rstrip() + " " + line.lstrip()
    return " ".join(text.split())


_SHORT_WORDS = frozenset({"a", "am", "an", "and", "at", "by", "for", "in", "of", "on", "or", "pm", "the", "to"})
_MAX_REMAINDER_CHARACTERS = 3


def _word_remainder(line: str) -> bool:
    """Whether a line starts with the end of a word broken at the cell's edge ("ogy", "day", "e"):
    a short lowercase piece that is no word of its own (the word that did not fit went whole)."""
    first = re.match(r"[^\s&/,]+", line.lstrip())
    piece = first.group() if first else ""
    return piece[:1].islower() and len(piece) <= _MAX_REMAINDER_CHARACTERS and piece not in _SHORT_WORDS


def is_credentials(text: str) -> bool:
    """Whether a line holds only qualifications ("MD, FACOG", "DDS")."""
    tokens = [token for token in re.split(r"[\s,;/]+", text.strip()) if token]
    return bool(tokens) and all(_CREDENTIAL.match(token) for token in tokens)


def looks_like_department(text: str) -> bool:
    """Whether a line reads as a department or specialty ("Obstetrics & Gynecology", "Ear/Nose/Throat")."""
    words = [word for word in re.split(r"[\s/&,+()]+", text.strip()) if word]
    return bool(words) and any(_DEPARTMENT_WORD.search(word.rstrip(".:")) for word in words)


def split_provider_cell(lines: list[str]) -> tuple[str, list[str]]:
    """A provider cell's name (its wrapped lines joined) and its other lines (credentials, department)."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        return "", []
    name_lines, rest = lines[:1], lines[1:]
    while rest and not is_credentials(rest[0]) and not looks_like_department(rest[0]):
        current, joined = join_cell_lines(name_lines), join_cell_lines([*name_lines, rest[0]])
        glued = joined != f"{current} {join_cell_lines(rest[:1])}"  # a hyphen or a broken word
        if not glued and not (_name_words(current) < 2 and _name_words(joined) > _name_words(current)):
            break
        name_lines.append(rest.pop(0))
    return join_cell_lines(name_lines), rest


def _name_words(text: str) -> int:
    if re.fullmatch(r"\s*(?:Dr|DR|Doctor)\.?\s*", text):
        return 0
    found = find_doctor_name(text, allow_untitled=True)
    return len(found.bare.split()) if found else 0
