"""Doctors, departments, weekly hours and dated exceptions out of a schedule document's lines.

Three layouts are understood, and may mix: a table (a header row naming the doctor, days and hours
columns), a section per doctor (a name line, then one line per day), and a section per weekday (a
day heading, then one line per doctor with hours). Pages are fed one at a time so memory stays flat;
repeated header and footer lines and page numbers are dropped. Lines that look like schedule text
but cannot be read become warnings with their page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from services.knowledge_base.pdf_text import Fragment, Line
from services.knowledge_base.schedule_text import (
    WEEKDAYS, YEAR, NameMatch, RawDateRange, canonical_name, clock, day_spec_only, find_dates,
    find_doctor_name, looks_like_schedule, parse_day_hours,
)

_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:department|dept\.?|specialty|speciality|service|practice area)\s*[:\-–—]\s*(.+)$",
                    re.IGNORECASE)
_CLOSURE_WORDS = re.compile(r"\b(?:closed|closure|closes|holiday|holidays|shut)\b", re.IGNORECASE)
_LEAVE_WORDS = re.compile(r"\b(?:leave|vacation|unavailable|not available|away|absent|off|out of office|"
                          r"conference|sabbatical|no clinic)\b", re.IGNORECASE)
_DAY_OFF = re.compile(r"\b(?:closed|off|unavailable|not available|none|no hours|no clinic)\b|^\W*$", re.IGNORECASE)
_EXCEPTION_HEADING = re.compile(r"^\W*(?:clinic\s+)?(?:holidays?|closures?|exceptions?|closed dates|dates closed|"
                                r"leave|time off|absences)\b[^\d]*$", re.IGNORECASE)
_HEADER_KINDS = (
    ("name", re.compile(r"^(?:doctor|doctors|physician|provider|name|dentist|clinician)s?\b", re.IGNORECASE)),
    ("department", re.compile(r"^(?:department|dept\.?|specialt|speciality|service)", re.IGNORECASE)),
    ("days", re.compile(r"^(?:days?|weekdays?|working days)\b", re.IGNORECASE)),
    ("hours", re.compile(r"^(?:hours|time|times|schedule|availability|clinic hours|working hours)\b",
                         re.IGNORECASE)),
)
_EDGE_LINES = 2
_COLUMN_SLACK_POINTS = 4.0
_MAX_DEPARTMENT_WORDS = 6


@dataclass
class ExtractedDoctor:
    """One doctor as the document describes them."""

    bare_name: str
    department: str | None = None
    hours: set[tuple[int, int, int]] = field(default_factory=set)
    leave: list[tuple[RawDateRange, str, int]] = field(default_factory=list)

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
class _TableRow:
    page: int
    columns: dict[str, str]
    text: str


class ScheduleParser:
    """Feed pages of lines in order, then call finish() for the extracted schedule."""

    def __init__(self, *, today: date, known_names: Iterable[str] = ()):
        self.today = today
        self.known_bare_names = [name for name in known_names]
        self.doctors: dict[str, ExtractedDoctor] = {}
        self.closures: list[tuple[RawDateRange, str, int]] = []
        self.warnings: list[dict[str, Any]] = []
        self.stated_year: int | None = None
        self._boilerplate: set[tuple[str, int]] = set()
        self._previous_edges: set[tuple[str, int]] = set()
        self._first_page: list[Line] | None = None
        self._pages_seen = 0
        self._doctor: ExtractedDoctor | None = None
        self._weekdays: tuple[int, ...] | None = None
        self._expect_department = False
        self._in_exceptions = False
        self._columns: list[tuple[float, str]] | None = None
        self._pending_row: _TableRow | None = None
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
                                "weekly_hours": hours, "exceptions": _unique(leave + closures)})
            elif leave and doctor.bare_name.casefold() in known:
                leave_only.append({"name": doctor.name, "bare_name": doctor.bare_name, "exceptions": _unique(leave)})
            else:
                self._warn(None, doctor.name, "no working hours found for this doctor; left unchanged")
        return ExtractedSchedule(doctors, _unique(closures), self.warnings, self.stated_year, leave_only)

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
            if at_edge and self._edge_key(line) in self._boilerplate and not self._table_header(line):
                continue  # a running header or footer; a table's repeated heading row is kept
            self._read_line(line, text)

    def _read_line(self, line: Line, text: str) -> None:
        header = self._table_header(line)
        if header:
            self._flush_row()
            self._columns = header
            self._doctor = None  # a weekday heading above the table still applies to its rows
            return
        if self._columns and self._read_table_line(line):
            return
        self._flush_row()
        self._read_text(line.page, text)

    def _table_header(self, line: Line) -> list[tuple[float, str]] | None:
        if len(line.fragments) < 2:
            return None
        columns: list[tuple[float, str]] = []
        for fragment in line.fragments:
            label = fragment.text.strip()
            kind = next((kind for kind, pattern in _HEADER_KINDS if pattern.match(label)), "other")
            columns.append((fragment.x, kind))
        kinds = [kind for _, kind in columns]
        if "name" in kinds and ("hours" in kinds or "days" in kinds) and kinds.count("other") <= 1:
            return columns
        return None

    def _read_table_line(self, line: Line) -> bool:
        assert self._columns is not None
        columns: dict[str, list[str]] = {}
        for fragment in line.fragments:
            columns.setdefault(self._column_of(fragment), []).append(fragment.text.strip())
        cells = {kind: " ".join(parts) for kind, parts in columns.items()}
        name_cell = cells.get("name", "")
        lone = len(line.fragments) == 1
        if name_cell and (self._is_free_text(name_cell) or lone and not find_doctor_name(name_cell)):
            return False  # prose below or inside the table
        if name_cell and find_doctor_name(name_cell, allow_untitled=not lone):
            self._flush_row()
            self._pending_row = _TableRow(line.page, dict(cells), line.text)
            return True
        if self._pending_row is not None and not name_cell:
            for kind, value in cells.items():
                previous = self._pending_row.columns.get(kind, "")
                self._pending_row.columns[kind] = f"{previous} {value}".strip()
            self._pending_row.text = f"{self._pending_row.text} {line.text}"
            return True
        return False

    @staticmethod
    def _is_free_text(text: str) -> bool:
        return bool(_LEAVE_WORDS.search(text) or _CLOSURE_WORDS.search(text) or find_dates(text)[0])

    def _column_of(self, fragment: Fragment) -> str:
        assert self._columns is not None
        kind = self._columns[0][1]
        for start, column_kind in self._columns:
            if fragment.x + _COLUMN_SLACK_POINTS >= start:
                kind = column_kind
        return kind

    def _flush_row(self) -> None:
        row, self._pending_row = self._pending_row, None
        if row is None:
            return
        name = find_doctor_name(row.columns.get("name", ""), allow_untitled=True)
        if name is None:
            self._warn(row.page, row.text, "no doctor name in this table row")
            return
        doctor = self._doctor_named(name.bare)
        department = _clean_department(row.columns.get("department", ""))
        if department:
            doctor.department = department
        schedule = parse_day_hours(f"{row.columns.get('days', '')} {row.columns.get('hours', '')}")
        groups = schedule.groups
        if not schedule.has_days and self._weekdays is not None:
            groups = [(self._weekdays, schedule.orphan_intervals)]
        if not any(intervals for _, intervals in groups) or schedule.bad_intervals:
            self._warn(row.page, row.text, "could not read the days and hours of this row")
        self._add_hours(doctor, groups)
        notes = row.columns.get("other", "")
        if notes and find_dates(notes)[0]:
            self._read_exception(row.page, notes, doctor)

    def _read_text(self, page: int, text: str) -> None:
        dates, _ = find_dates(text)
        name = find_doctor_name(text)
        is_closure, is_leave = bool(_CLOSURE_WORDS.search(text)), bool(_LEAVE_WORDS.search(text))
        if dates and (is_closure or is_leave or self._in_exceptions):
            self._read_exception(page, text, None, name)
            return
        if _EXCEPTION_HEADING.match(text) and not name:
            self._in_exceptions, self._doctor, self._weekdays = True, None, None
            return
        schedule = parse_day_hours(text)
        if name:
            self._read_doctor_line(page, text, name, schedule)
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
        if schedule.has_days and schedule.has_intervals:
            if self._doctor is None:
                self._warn(page, text, "hours without a doctor")
            else:
                self._add_hours(self._doctor, schedule.groups)
                if schedule.orphan_intervals or schedule.bad_intervals:
                    self._warn(page, text, "some times on this line could not be read")
            return
        if schedule.has_days and not schedule.bad_intervals and _DAY_OFF.search(_without(text, schedule.spans)):
            return
        if expecting_department and self._doctor is not None and _plain_department(text):
            self._doctor.department = text.strip()
            return
        if looks_like_schedule(text) or schedule.bad_intervals:
            self._warn(page, text, "looks like schedule text but could not be read")

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
                self._warn(page, text, "hours without days")
            if schedule.bad_intervals:
                self._warn(page, text, "some times on this line could not be read")
            return
        if schedule.has_days:
            if not _DAY_OFF.search(rest):
                self._warn(page, text, "days without hours")
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
                full.department = full.department or doctor.department
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

    def _warn(self, page: int | None, text: str, reason: str) -> None:
        self.warnings.append({"page": page, "text": " ".join(text.split())[:300], "reason": reason})


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
    cleaned = re.sub(r"[()\[\]:;,|•·/]|(?<!\w)[-–—](?!\w)", " ", cleaned)
    cleaned = " ".join(cleaned.split())
    return cleaned if _plain_department(cleaned) else None


def _plain_department(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= _MAX_DEPARTMENT_WORDS and all(
        any(char.isalpha() for char in word) and not any(char.isdigit() for char in word) for word in words
    ) and ":" not in text and not looks_like_schedule(text)


def _unique(exceptions: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for exception in exceptions:
        seen.setdefault((exception["start_date"], exception["end_date"]), exception)
    return sorted(seen.values(), key=lambda exception: (exception["start_date"], exception["end_date"]))
