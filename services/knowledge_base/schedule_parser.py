"""Doctors, departments, weekly hours and dated exceptions out of a schedule document's lines.

Layouts understood, which may mix in one document: tables (schedule_tables: a row per doctor with
Days and Hours columns, a weekday grid with a column per weekday, day rows with a column per doctor),
a section per doctor (a name line, then one line per day), a section per weekday (a day heading, then
one line per doctor with hours), and notes in prose anywhere: paragraphs are joined across wrapped
lines and read sentence by sentence, a clinic closure applying to every doctor and leave to the
doctor it names. A closure notice is never read as anyone's hours.

Pages are fed one at a time so memory stays flat; repeated header and footer lines and page numbers
are dropped. Lines that look like schedule text but cannot be read become warnings with their page
and, where known, the doctor and the weekdays they concern, so the doctor's other hours are not
mistaken for the whole week.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.knowledge_base.pdf_text import Line
from services.knowledge_base.schedule_tables import (
    DAY_ROWS,
    WEEKDAY_GRID,
    Table,
    find_header,
    is_credentials,
    join_cell_lines,
    looks_like_department,
    split_provider_cell,
)
from services.knowledge_base.schedule_text import (
    WEEKDAYS,
    YEAR,
    NameMatch,
    RawDateRange,
    by_doctor,
    canonical_name,
    clock,
    day_spec_only,
    ends_sentence,
    find_dates,
    find_doctor_name,
    looks_like_schedule,
    parse_day_hours,
    read_cell_hours,
    sentences,
    starts_with_month,
)

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:department|dept\.?|specialty|speciality|service|practice area)\s*[:\-–—]\s*(.+)$",
                    re.IGNORECASE)
_CLOSURE_WORDS = re.compile(r"\b(?:closed|closure|closes|holiday|holidays|shut)\b", re.IGNORECASE)
_LEAVE_WORDS = re.compile(r"\b(?:leave|vacation|unavailable|not available|away|absent|off|out of office|"
                          r"conference|sabbatical|no clinic)\b", re.IGNORECASE)
_DAY_OFF = re.compile(r"\b(?:closed|off|unavailable|not available|none|no hours|no clinic)\b|^\W*$", re.IGNORECASE)
_EXCEPTION_HEADING = re.compile(r"^\W*(?:clinic\s+)?(?:holidays?|closures?|exceptions?|closed dates|dates closed|"
                                r"leave|time off|absences|notes?|notices?)\b[^\d]*$", re.IGNORECASE)
# "Rota from 4 January 2027": a date saying when the document applies, not an exception.
_VALIDITY = re.compile(r"\b(?:from|effective|valid|as of|starting|beginning|week of|w/c|updated|issued|revised|"
                       r"printed)\b", re.IGNORECASE)
_PROSE_WORDS = frozenset({"the", "is", "are", "will", "be", "on", "and", "of", "for", "from", "to", "until", "in",
                          "at", "our", "we", "all", "this", "that", "with", "by", "during", "closed", "away", "leave",
                          "please", "not", "who", "which", "also", "its", "their", "there"})
_CONNECTORS = frozenset({"and", "or", "on", "of", "the", "is", "are", "from", "to", "until", "between", "at", "in",
                         "be", "will", "for", "&", "with", "by"})
_MIN_PROSE_WORDS = 5
_PROSE_ALIGN_POINTS = 3.0
_EDGE_LINES = 2
_MAX_DEPARTMENT_WORDS = 6
_MAX_LONE_CONTINUATION_WORDS = 2


@dataclass
class ExtractedDoctor:
    """One doctor as the document describes them; `unread_days` are weekdays with a line or cell that
    could not be read."""

    bare_name: str
    department: str | None = None
    hours: set[tuple[int, int, int]] = field(default_factory=set)
    leave: list[tuple[RawDateRange, str, int]] = field(default_factory=list)
    unread_days: set[int] = field(default_factory=set)
    unread_lines: int = 0

    @property
    def name(self) -> str:
        """The stored name ("Dr. Sarah Chen")."""
        return canonical_name(self.bare_name)

    def weekly_hours(self) -> list[dict[str, str]]:
        """Weekly rules in the stored format, overlapping intervals merged, in day then time order."""
        merged: list[list[int]] = []
        for day, start, end in sorted(self.hours):
            if merged and merged[-1][0] == day and start <= merged[-1][2]:
                merged[-1][2] = max(merged[-1][2], end)
            else:
                merged.append([day, start, end])
        return [{"day": WEEKDAYS[day], "start": clock(start), "end": clock(end)} for day, start, end in merged]


@dataclass
class ExtractedSchedule:
    """What a document says: doctors in document order, clinic closures, warnings, and leave for
    doctors the clinic already has but the document gives no hours for."""

    doctors: list[dict[str, Any]]
    closures: list[dict[str, str]]
    warnings: list[dict[str, Any]]
    stated_year: int | None
    leave_only: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Row:
    """The lines of one table row, cell by cell."""

    page: int
    top: float | None
    cells: dict[int, list[str]]
    text: str

    def add(self, cells: dict[int, str], text: str) -> None:
        """One more line of the row."""
        for index, value in cells.items():
            self.cells.setdefault(index, []).append(value)
        self.text = f"{self.text} {text}"

    def joined(self, indexes: Iterable[int]) -> str:
        """The text of some cells, each with its wrapped lines joined."""
        return " ".join(join_cell_lines(self.cells.get(index, [])) for index in indexes).strip()


@dataclass
class _Warning:
    page: int | None
    text: str
    reason: str
    doctor: ExtractedDoctor | None = None
    days: tuple[int, ...] = ()


class ScheduleParser:
    """Feed pages of lines in order, then call finish() for the extracted schedule."""

    def __init__(self, *, today: date, known_names: Iterable[str] = ()):
        self.today = today
        self.known_bare_names = [name for name in known_names]
        self.doctors: dict[str, ExtractedDoctor] = {}
        self.closures: list[tuple[RawDateRange, str, int]] = []
        self.warnings: list[_Warning] = []
        self.stated_year: int | None = None
        self._boilerplate: set[tuple[str, int]] = set()
        self._previous_edges: set[tuple[str, int]] = set()
        self._first_page: list[Line] | None = None
        self._pages_seen = 0
        self._doctor: ExtractedDoctor | None = None
        self._weekdays: tuple[int, ...] | None = None
        self._expect_department = False
        self._in_exceptions = False
        self._table: Table | None = None
        self._header_open = False
        self._row: _Row | None = None
        self._prose: list[str] = []
        self._prose_at: tuple[int, float] = (0, 0.0)
        self._unresolved: list[tuple[str, RawDateRange, str, int]] = []

    def feed_page(self, lines: list[Line]) -> None:
        """Read one page; the first is held back until the second shows which lines repeat."""
        self._pages_seen += 1
        edges = self._edges(lines)
        self._boilerplate |= edges & self._previous_edges
        self._previous_edges = edges
        for line in lines:
            year = YEAR.search(line.text)
            if year and self.stated_year is None:
                self.stated_year = int(year.group(1))
        if self._pages_seen == 1:
            self._first_page = lines
            return
        if self._first_page is not None:
            self._read_page(self._first_page)
            self._first_page = None
        self._read_page(lines)

    def finish(self) -> ExtractedSchedule:
        """Resolve names and years and return what was extracted."""
        if self._first_page is not None:
            self._read_page(self._first_page)
            self._first_page = None
        self._flush_row()
        self._end_prose()
        self._merge_surname_only_doctors()
        for surname, raw, reason, page in self._unresolved:
            doctor = self._doctor_by_surname(surname)
            if doctor is None:
                self._warn(page, reason, f"no doctor named {surname} in this document")
            else:
                doctor.leave.append((raw, reason, page))
        closures = [exception for exception in (self._resolve(raw, reason, page) for raw, reason, page in self.closures)
                    if exception]
        doctors, leave_only = [], []
        known = {name.casefold() for name in self.known_bare_names}
        for doctor in self.doctors.values():
            hours = doctor.weekly_hours()
            leave = [exception for exception in (self._resolve(raw, reason, page) for raw, reason, page in doctor.leave)
                     if exception]
            if hours:
                doctors.append({"name": doctor.name, "bare_name": doctor.bare_name, "department": doctor.department,
                                "weekly_hours": hours, "exceptions": _unique(leave + closures),
                                "unread_days": [WEEKDAYS[day] for day in sorted(doctor.unread_days)],
                                "unread_lines": doctor.unread_lines})
            elif leave and doctor.bare_name.casefold() in known:
                leave_only.append({"name": doctor.name, "bare_name": doctor.bare_name, "exceptions": _unique(leave)})
            else:
                self._warn(None, doctor.name, "no working hours found for this doctor; left unchanged", doctor)
        return ExtractedSchedule(doctors, _unique(closures), [_warning_json(warning) for warning in self.warnings],
                                 self.stated_year, leave_only)

    def _edges(self, lines: list[Line]) -> set[tuple[str, int]]:
        edge_lines = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
        return {self._edge_key(line) for line in edge_lines}

    @staticmethod
    def _edge_key(line: Line) -> tuple[str, int]:
        return re.sub(r"\d+", "#", line.text.lower()), round(line.y)

    def _read_page(self, lines: list[Line]) -> None:
        last = len(lines) - 1
        for index, line in enumerate(lines):
            text = line.text
            if not text or _PAGE_NUMBER.match(text):
                continue
            at_edge = index < _EDGE_LINES or index > last - _EDGE_LINES
            if at_edge and self._edge_key(line) in self._boilerplate and find_header(line) is None:
                continue  # a running header or footer; a table's repeated heading row is kept
            self._read_line(line, text)

    def _read_line(self, line: Line, text: str) -> None:
        in_row = self._row is not None and line.row_top is not None and (self._row.page, self._row.top) == (
            line.page, line.row_top)
        header = None if in_row else find_header(line)  # a header never sits inside a ruled row
        if header:
            self._flush_row()
            self._end_prose()
            self._table, self._header_open = header, True
            self._doctor = None  # a weekday heading above the table still applies to its rows
            return
        if self._table is not None:
            if self._header_open and self._row is None and self._table.extend_header(line):
                return
            self._header_open = False
            if self._read_table_line(line):
                return
        self._flush_row()
        self._read_prose(line, text)

    # Tables

    def _read_table_line(self, line: Line) -> bool:
        table = self._table
        assert table is not None
        cells = table.cells(line)
        if table.ruled and line.row_top is not None:
            if self._row is not None and (self._row.page, self._row.top) == (line.page, line.row_top):
                self._row.add(cells, line.text)
                return True
            if len(cells) == 1 and self._is_free_text(line.text):
                return False  # a note inside a ruled box
            self._flush_row()
            self._row = _Row(line.page, line.row_top, {index: [text] for index, text in cells.items()}, line.text)
            return True
        starts = self._starts_row(table, cells, line)
        if starts is None or (starts is False and self._row is None):
            return False
        if starts:
            self._flush_row()
            self._row = _Row(line.page, None, {index: [text] for index, text in cells.items()}, line.text)
        else:
            self._row.add(cells, line.text)
        return True

    def _starts_row(self, table: Table, cells: dict[int, str], line: Line) -> bool | None:
        """True when the line begins a row, False when it continues the current one, None when it is
        not part of the table (prose under it)."""
        first = (table.indexes("day label") if table.kind == DAY_ROWS else table.indexes("name"))[:1]
        key = cells.get(first[0], "").strip() if first else ""
        lone = len(line.fragments) == 1
        if len(cells) == 1 and self._is_free_text(line.text):
            return None
        if table.kind == DAY_ROWS:
            if day_spec_only(key) or _is_department_label(key):
                return True
            return False if not key and self._row is not None else None
        if not key:
            return False
        if lone and (day_spec_only(key) or _EXCEPTION_HEADING.match(key)):
            return None  # a heading after the table
        previous = self._row.cells.get(first[0], []) if self._row is not None and first else []
        if previous and (previous[-1].rstrip().endswith(("-", "–")) or key[:1].islower()):
            return False
        if find_doctor_name(key):
            return True  # a titled name ("Dr. Chen, Cardiology" included)
        if is_credentials(key) or looks_like_department(key):
            return False
        if find_doctor_name(key, allow_untitled=not lone):
            return True
        if lone and len(key.split()) > _MAX_LONE_CONTINUATION_WORDS:
            return None
        return False

    @staticmethod
    def _is_free_text(text: str) -> bool:
        return bool(_LEAVE_WORDS.search(text) and find_dates(text)[0] or _CLOSURE_WORDS.search(text)
                    and len(text.split()) >= _MIN_PROSE_WORDS or _is_prose(text))

    def _flush_row(self) -> None:
        row, self._row = self._row, None
        if row is None or self._table is None:
            return
        if self._table.kind == DAY_ROWS:
            self._read_day_row(self._table, row)
            return
        doctor = self._row_doctor(self._table, row)
        if doctor is None:
            return
        if self._table.kind == WEEKDAY_GRID:
            for index in self._table.indexes("day"):
                day = self._table.columns[index].day
                assert day is not None
                self._read_cell(row, doctor, day, join_cell_lines(row.cells.get(index, [])))
        else:
            self._read_hours_columns(self._table, row, doctor)
        notes = row.joined(self._table.indexes("other"))
        if notes and find_dates(notes)[0]:
            self._read_exception(row.page, notes, doctor)

    def _row_doctor(self, table: Table, row: _Row) -> ExtractedDoctor | None:
        name_lines = [line for index in table.indexes("name") for line in row.cells.get(index, [])]
        name_text, rest = split_provider_cell(name_lines)
        name = find_doctor_name(name_text, allow_untitled=True)
        if name is None:
            if row.text.strip():
                self._warn(row.page, row.text, "no doctor name in this table row")
            return None
        doctor = self._doctor_named(name.bare)
        # The department: its own column, else the cell's lines after the name, else the name line's rest.
        department = _clean_department(row.joined(table.indexes("department"))) or _clean_department(
            join_cell_lines([line for line in rest if not is_credentials(line)])) or _clean_department(
            name_text[name.end:])
        if department:
            doctor.department = department
        return doctor

    def _read_hours_columns(self, table: Table, row: _Row, doctor: ExtractedDoctor) -> None:
        schedule = parse_day_hours(f"{row.joined(table.indexes('days'))} {row.joined(table.indexes('hours'))}")
        groups = schedule.groups
        if not schedule.has_days and self._weekdays is not None:
            groups = [(self._weekdays, schedule.orphan_intervals)]
        if not any(intervals for _, intervals in groups) or schedule.bad_intervals:
            self._warn(row.page, row.text, "could not read the days and hours of this row", doctor,
                       tuple(day for days, _ in groups for day in days))
        self._add_hours(doctor, groups)

    def _read_cell(self, row: _Row, doctor: ExtractedDoctor, day: int, text: str) -> None:
        shifts, readable = read_cell_hours(text)
        if not readable:
            self._warn(row.page, f"{WEEKDAYS[day].capitalize()}: {text}", f"could not read {doctor.name}'s hours "
                       f"on {_DAY_NAMES[day]}", doctor, (day,))
        self._add_hours(doctor, [((day,), shifts)])

    def _read_day_row(self, table: Table, row: _Row) -> None:
        label = row.joined(table.indexes("day label"))
        columns = table.indexes("doctor")
        doctors = [self._column_doctor(table, index) for index in columns]  # in the header's order
        days = day_spec_only(label)
        if not days:
            if _is_department_label(label):
                for index, doctor in zip(columns, doctors, strict=True):
                    doctor.department = _clean_department(row.joined([index])) or doctor.department
            else:
                self._warn(row.page, row.text, "no weekday in the first column of this row")
            return
        for index, doctor in zip(columns, doctors, strict=True):
            for day in days:
                self._read_cell(row, doctor, day, join_cell_lines(row.cells.get(index, [])))

    def _column_doctor(self, table: Table, index: int) -> ExtractedDoctor:
        name_text, rest = split_provider_cell(table.columns[index].label_lines)
        name = find_doctor_name(name_text)  # a doctor column is one whose label names a doctor
        assert name is not None
        doctor = self._doctor_named(name.bare)
        department = _clean_department(join_cell_lines([line for line in rest if not is_credentials(line)]))
        if department:
            doctor.department = department
        return doctor

    # Prose notes and lines of text

    def _read_prose(self, line: Line, text: str) -> None:
        if self._prose and self._continues_prose(line, text):
            self._prose.append(text)
        else:
            self._end_prose()
            if not _is_prose(text):
                self._read_text(line.page, text)
                return
            self._prose, self._prose_at = [text], (line.page, line.fragments[0].x)
        if ends_sentence(text):
            self._end_prose()

    def _continues_prose(self, line: Line, text: str) -> bool:
        """Whether a line carries on the paragraph before it (a sentence wrapped onto the next line)."""
        page, x = self._prose_at
        previous = self._prose[-1].rstrip()
        if line.page != page or abs(line.fragments[0].x - x) > _PROSE_ALIGN_POINTS or ends_sentence(previous):
            return False
        last_word = previous.split()[-1].lower() if previous.split() else ""
        return (text[:1].islower() or text[:1].isdigit() or previous.endswith((",", "Dr.")) or last_word in _CONNECTORS
                or previous[-1:].isdigit() and starts_with_month(text))

    def _end_prose(self) -> None:
        paragraph, self._prose = " ".join(self._prose), []
        for sentence in sentences(paragraph) if paragraph else []:
            for part in by_doctor(sentence) if find_dates(sentence)[0] else [sentence]:
                self._read_text(self._prose_at[0], part)

    def _read_text(self, page: int, text: str) -> None:
        dates, _ = find_dates(text)
        name = find_doctor_name(text)
        closure = _CLOSURE_WORDS.search(text)
        is_leave = bool(_LEAVE_WORDS.search(text))
        if dates and (closure or is_leave or self._in_exceptions):
            self._read_exception(page, text, None, name)
            return
        if _EXCEPTION_HEADING.match(text) and not name:
            self._in_exceptions, self._doctor, self._weekdays = True, None, None
            return
        # What follows a closure word ("closed Wednesdays 1-2pm for lunch") is never anyone's hours.
        hours_text = text[:closure.start()] if closure else text
        if closure and parse_day_hours(text[closure.start():]).has_intervals:
            self._warn(page, text, "times in a closure notice are not read as anyone's hours")
        schedule = parse_day_hours(hours_text)
        if name and name.start < len(hours_text):
            self._read_doctor_line(page, hours_text, name, schedule)
            return
        label = _LABEL.match(text)
        if label and self._doctor is not None:
            self._doctor.department = _clean_department(label.group(1)) or self._doctor.department
            self._expect_department = False
            return
        expecting_department, self._expect_department = self._expect_department, False
        days = day_spec_only(text)
        if days:
            self._weekdays, self._doctor, self._in_exceptions = days, None, False
            return
        self._read_other_line(page, text, schedule, bool(closure), bool(dates), expecting_department)

    def _read_other_line(self, page: int, text: str, schedule, closure: bool, dates: bool,
                         expecting_department: bool) -> None:
        """A line naming no doctor nor weekdays alone: hours, a day off, a department, a notice, or a warning."""
        if schedule.has_days and schedule.has_intervals:
            if self._doctor is None:
                self._warn(page, text, "hours without a doctor")
            else:
                self._add_hours(self._doctor, schedule.groups)
                if schedule.orphan_intervals or schedule.bad_intervals:
                    self._warn(page, text, "some times on this line could not be read", self._doctor,
                               _group_days(schedule.groups))
            return
        if schedule.has_days and not schedule.bad_intervals and _DAY_OFF.search(_without(text, schedule.spans)):
            return
        if expecting_department and self._doctor is not None and _plain_department(text):
            self._doctor.department = " ".join(text.split())
            return
        if closure and not schedule.bad_intervals or dates and _VALIDITY.search(text) and not schedule.spans:
            return
        if looks_like_schedule(text) or schedule.bad_intervals:
            self._warn(page, text, "looks like schedule text but could not be read", self._doctor,
                       _group_days(schedule.groups))

    def _read_doctor_line(self, page: int, text: str, name: NameMatch, schedule) -> None:
        doctor = self._doctor_named(name.bare)
        rest = _without(text, [(name.start, name.end), *schedule.spans])
        department = _clean_department(rest)
        if department:
            doctor.department = department
        self._in_exceptions = False
        if schedule.has_intervals:
            if schedule.has_days:
                self._add_hours(doctor, schedule.groups)
                self._doctor = doctor if self._weekdays is None else None
            elif self._weekdays is not None:
                self._add_hours(doctor, [(self._weekdays, schedule.orphan_intervals)])
            else:
                self._warn(page, text, "hours without days", doctor)
            if schedule.bad_intervals:
                self._warn(page, text, "some times on this line could not be read", doctor,
                           _group_days(schedule.groups))
            return
        if schedule.has_days:
            if not _DAY_OFF.search(rest):
                self._warn(page, text, "days without hours", doctor, _group_days(schedule.groups))
            return
        self._doctor, self._weekdays = doctor, None
        self._expect_department = department is None

    def _read_exception(self, page: int, text: str, doctor: ExtractedDoctor | None,
                        name: NameMatch | None = None) -> None:
        dates, _ = find_dates(text)
        reason = " ".join(text.split())[:200]
        if name is not None:
            doctor = self._doctor_by_bare(name.bare)
            if doctor is None and " " not in name.bare:
                self._unresolved.extend((name.bare, raw, reason, page) for raw in dates)
                return
            doctor = doctor or self._doctor_named(name.bare)
        elif doctor is None and _CLOSURE_WORDS.search(text):
            self.closures.extend((raw, reason, page) for raw in dates)
            return
        elif doctor is None and self._in_exceptions and not _LEAVE_WORDS.search(text):
            self.closures.extend((raw, reason, page) for raw in dates)
            return
        doctor = doctor or self._doctor
        if doctor is None:
            self._warn(page, text, "a date without a doctor or a clinic closure")
            return
        doctor.leave.extend((raw, reason, page) for raw in dates)

    # Doctors, dates and warnings

    def _add_hours(self, doctor: ExtractedDoctor, groups) -> None:
        for days, intervals in groups:
            for day in days:
                for start, end in intervals:
                    doctor.hours.add((day, start, end))

    def _doctor_named(self, bare: str) -> ExtractedDoctor:
        key = bare.casefold()
        if key not in self.doctors:
            self.doctors[key] = ExtractedDoctor(bare)
        return self.doctors[key]

    def _doctor_by_bare(self, bare: str) -> ExtractedDoctor | None:
        return self.doctors.get(bare.casefold())

    def _doctor_by_surname(self, surname: str) -> ExtractedDoctor | None:
        surname = surname.casefold()
        matches = [doctor for doctor in self.doctors.values()
                   if " " in doctor.bare_name and surname in _surnames(doctor.bare_name)]
        if len(matches) == 1:
            return matches[0]
        known = [bare for bare in self.known_bare_names if surname in _surnames(bare)]
        if not matches and len(known) == 1:
            return self._doctor_named(known[0])
        return None

    def _merge_surname_only_doctors(self) -> None:
        for key, doctor in list(self.doctors.items()):
            if " " in doctor.bare_name:
                continue
            full = self._doctor_by_surname(doctor.bare_name)
            if full is not None and full is not doctor:
                full.hours |= doctor.hours
                full.leave.extend(doctor.leave)
                full.unread_days |= doctor.unread_days
                full.unread_lines += doctor.unread_lines
                full.department = full.department or doctor.department
                for warning in self.warnings:
                    if warning.doctor is doctor:
                        warning.doctor = full
                del self.doctors[key]

    def _resolve(self, raw: RawDateRange, reason: str, page: int) -> dict[str, str] | None:
        try:
            start_year = raw.start_year or raw.end_year or self.stated_year
            if start_year is None:
                start_year = self.today.year
                crosses = (raw.end_month, raw.end_day) < (raw.start_month, raw.start_day)
                if date(start_year + (1 if crosses else 0), raw.end_month, raw.end_day) < self.today:
                    start_year += 1
            end_year = raw.end_year or (start_year + (1 if (raw.end_month, raw.end_day) <
                                                       (raw.start_month, raw.start_day) else 0))
            start = date(start_year, raw.start_month, raw.start_day)
            end = date(end_year, raw.end_month, raw.end_day)
        except ValueError:
            self._warn(page, reason, "not a valid calendar date")
            return None
        if end < start:
            self._warn(page, reason, "the date range ends before it starts")
            return None
        return {"start_date": start.isoformat(), "end_date": end.isoformat(), "reason": reason}

    def _warn(self, page: int | None, text: str, reason: str, doctor: ExtractedDoctor | None = None,
              days: tuple[int, ...] = ()) -> None:
        if doctor is not None:
            doctor.unread_days.update(days)
            doctor.unread_lines += 1
        self.warnings.append(_Warning(page, " ".join(text.split())[:300], reason, doctor, tuple(days)))


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _warning_json(warning: _Warning) -> dict[str, Any]:
    found: dict[str, Any] = {"page": warning.page, "text": warning.text, "reason": warning.reason}
    if warning.doctor is not None:
        found["doctor"] = warning.doctor.name
        if warning.days:
            found["days"] = [WEEKDAYS[day] for day in sorted(set(warning.days))]
    return found


def _group_days(groups) -> tuple[int, ...]:
    return tuple(day for days, _ in groups for day in days)


def _is_prose(text: str) -> bool:
    """A sentence of a note rather than a schedule line: enough words, several of them small words."""
    words = text.split()
    return len(words) >= _MIN_PROSE_WORDS and sum(word.lower().strip(".,;:") in _PROSE_WORDS for word in words) >= 2


def _is_department_label(text: str) -> bool:
    return bool(re.match(r"^\s*(?:department|dept\.?|specialt\w*|speciality|service|role)\b", text, re.IGNORECASE))


def _surnames(bare: str) -> set[str]:
    """How a doctor may be called by surname alone: "Dubois-Laurent", "Dubois" or "Laurent"."""
    last = bare.split()[-1].casefold()
    return {last, *last.split("-")}


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    characters = list(text)
    for start, end in spans:
        for index in range(start, min(end, len(characters))):
            characters[index] = " "
    return "".join(characters)


def _clean_department(text: str) -> str | None:
    cleaned = re.sub(r"\b(?:hours|department|dept|specialty|speciality|available|availability)\b\s*:?", " ", text,
                     flags=re.IGNORECASE)
    # Separators between the fields of a line go; "&" and "/" inside a department stay ("Ear/Nose/Throat").
    cleaned = re.sub(r"[()\[\]:;,|•·]|(?<![\w&])[-–—/](?![\w])", " ", cleaned)
    cleaned = " ".join(cleaned.split()).strip(" /&+-–—")
    return cleaned if _plain_department(cleaned) else None


def _plain_department(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= _MAX_DEPARTMENT_WORDS and all(
        word in ("&", "+", "/") or any(char.isalpha() for char in word) and not any(char.isdigit() for char in word)
        for word in words
    ) and ":" not in text and not looks_like_schedule(text)


def _unique(exceptions: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for exception in exceptions:
        seen.setdefault((exception["start_date"], exception["end_date"]), exception)
    return sorted(seen.values(), key=lambda exception: (exception["start_date"], exception["end_date"]))
