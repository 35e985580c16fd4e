"""The vocabulary of schedule text, pure and without state: doctor names with titles, day ranges and
lists, time intervals in 12 h / 24 h form, and calendar dates for leave and closures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {
    "monday": 0, "mondays": 0, "mon": 0,
    "tuesday": 1, "tuesdays": 1, "tues": 1, "tue": 1,
    "wednesday": 2, "wednesdays": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thursdays": 3, "thurs": 3, "thur": 3, "thu": 3,
    "friday": 4, "fridays": 4, "fri": 4,
    "saturday": 5, "saturdays": 5, "sat": 5,
    "sunday": 6, "sundays": 6, "sun": 6,
}
_DAY_GROUPS = {"weekdays": (0, 1, 2, 3, 4), "weekends": (5, 6), "daily": tuple(range(7)),
               "every day": tuple(range(7)), "7 days": tuple(range(7))}
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

_DASH = r"(?:-|–|—|‒|―)"
_RANGE = rf"\s*(?:{_DASH}|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b|\btil\b)\s*"
_DAY = r"(?:" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")\.?"
_DAY_ITEM = rf"(?:weekdays|weekends|daily|every\s+day|7\s+days|\b{_DAY}(?:{_RANGE}{_DAY})?)"
_DAY_SPEC = re.compile(rf"\b{_DAY_ITEM}(?:\s*(?:,|&|\band\b|/|\+)\s*\b{_DAY_ITEM})*(?![\w])", re.IGNORECASE)
_DAY_PART = re.compile(rf"\b({_DAY})(?:{_RANGE}({_DAY}))?|(weekdays|weekends|daily|every\s+day|7\s+days)",
                       re.IGNORECASE)

_TIME = r"(?:12\s*noon|noon|midday|midnight|\d{1,2}(?:[:.]\d{2})?(?:\s*(?:a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z]))?)"
_INTERVAL = re.compile(rf"(?<![\d:.])({_TIME}){_RANGE}({_TIME})(?![\d])", re.IGNORECASE)
_TIME_PARTS = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)?", re.IGNORECASE)
_TIMEISH = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:.]\d{2}\b|\bnoon\b|\bmidnight\b",
                      re.IGNORECASE)

_MONTH = r"(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_D = r"(\d{1,2})(?:st|nd|rd|th)?"
_Y = r"(?:,?\s*(\d{4}))?"
# At most a month's days in a list: an unbounded repetition tried from every number of a long list
# that never reaches "and" made date search quadratic.
_D_LIST = rf"{_D}(?:\s*,\s*{_D}){{0,30}}\s*,?\s*(?:\band\b|&)\s*{_D}"
_DATE_PATTERNS = (
    ("list d m", re.compile(rf"\b{_D_LIST}\s+(?:of\s+)?{_MONTH}{_Y}\b", re.IGNORECASE)),
    ("list m d", re.compile(rf"\b{_MONTH}\s+{_D_LIST}{_Y}\b", re.IGNORECASE)),
    ("d-d m", re.compile(rf"\b{_D}{_RANGE}{_D}\s+(?:of\s+)?{_MONTH}{_Y}\b", re.IGNORECASE)),
    ("d m-d m", re.compile(rf"\b{_D}\s+(?:of\s+)?{_MONTH}{_Y}{_RANGE}{_D}\s+(?:of\s+)?{_MONTH}{_Y}\b",
                           re.IGNORECASE)),
    ("m d-m d", re.compile(rf"\b{_MONTH}\s+{_D}{_Y}{_RANGE}{_MONTH}\s+{_D}{_Y}\b", re.IGNORECASE)),
    ("m d-d", re.compile(rf"\b{_MONTH}\s+{_D}{_RANGE}{_D}{_Y}\b", re.IGNORECASE)),
    ("iso", re.compile(rf"\b(\d{{4}})-(\d{{2}})-(\d{{2}})(?:{_RANGE}(\d{{4}})-(\d{{2}})-(\d{{2}}))?\b")),
    ("d m", re.compile(rf"\b{_D}\s+(?:of\s+)?{_MONTH}{_Y}\b", re.IGNORECASE)),
    ("m d", re.compile(rf"\b{_MONTH}\s+{_D}{_Y}\b", re.IGNORECASE)),
)
YEAR = re.compile(r"(?<![\d\-/:.])(20[2-9]\d)(?![\d\-/:])")

_TITLE = re.compile(r"\b(?:Dr|DR|Doctor|DOCTOR)\b\.?\s+")
_SUFFIX = re.compile(r"\s*,?\s+(?:M\.D\.|MD|D\.D\.S\.|DDS|D\.M\.D\.|DMD|Ph\.?D\.?)(?![\w])"
                     r"|\s*,\s*(?:DO|D\.O\.)(?![\w])")
_PARTICLES = {"de", "del", "della", "van", "von", "der", "den", "da", "di", "la", "le", "du", "bin", "al", "el"}
_NOT_NAME_WORDS = {"on", "is", "will", "be", "at", "in", "from", "to", "and", "the", "closed", "leave", "off",
                   "unavailable", "away", "available", "out", "hours", "schedule", "department", "cont", "continued",
                   "clinic", "office", "not", "no", "only", "by", "appointment", "appointments", "until", "except",
                   "general", "practice", "pediatrics", "cardiology", "dentistry", "orthodontics", "md", "dds", "dmd",
                   "phd", "m.d", "d.d.s"}


@dataclass(frozen=True)
class NameMatch:
    """A doctor's name found in text: its span and the name without titles."""

    start: int
    end: int
    bare: str


@dataclass
class DayHours:
    """Day specs and time intervals read from one piece of text."""

    groups: list[tuple[tuple[int, ...], list[tuple[int, int]]]] = field(default_factory=list)
    orphan_intervals: list[tuple[int, int]] = field(default_factory=list)
    bad_intervals: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def has_days(self) -> bool:
        """Whether any day spec was found."""
        return bool(self.groups)

    @property
    def has_intervals(self) -> bool:
        """Whether any valid time interval was found."""
        return bool(self.orphan_intervals) or any(intervals for _, intervals in self.groups)


@dataclass(frozen=True)
class RawDateRange:
    """A date range as written; the year may be missing and is inferred later."""

    start_month: int
    start_day: int
    start_year: int | None
    end_month: int
    end_day: int
    end_year: int | None


def _is_name_word(word: str) -> bool:
    core = word.rstrip(".,:;")
    if not core or core.lower() in _NOT_NAME_WORDS or core.lower() in _DAY_WORDS or core.lower() in MONTHS:
        return False
    if len(core) == 1 and word.endswith("."):
        return core.isupper()
    return core[0].isupper() and all(char.isalpha() or char in "-'’." for char in core) and any(
        char.isalpha() for char in core)


def find_doctor_name(text: str, *, allow_untitled: bool = False) -> NameMatch | None:
    """The first doctor named in text ("Dr. Sarah Chen", "Doctor Chen", "Priya Patel, DDS"), or None."""
    for title in _TITLE.finditer(text):
        found = _words_after(text, title.end())
        if found:
            end, words = found
            suffix = _SUFFIX.match(text, end)
            return NameMatch(title.start(), suffix.end() if suffix else end, " ".join(words))
    for suffix in _SUFFIX.finditer(text):
        words = text[:suffix.start()].rsplit(None, 4)[-4:]  # a name has at most four words
        taken: list[str] = []
        for word in reversed(words):
            if _is_name_word(word) and len(taken) < 4 and not word.endswith((",", ":", ";")):
                taken.insert(0, word)
            else:
                break
        if len(taken) >= 2:
            return NameMatch(suffix.start() - len(" ".join(taken)), suffix.end(), " ".join(taken))
    if allow_untitled:
        found = _words_after(text, len(text) - len(text.lstrip()))
        if found and len(found[1]) >= 2:
            return NameMatch(0, found[0], " ".join(found[1]))
    return None


_WORD = re.compile(r"\S+")


def _words_after(text: str, position: int) -> tuple[int, list[str]] | None:
    words: list[str] = []
    end = position
    for match in _WORD.finditer(text, position):
        word = match.group()
        lower = word.lower().rstrip(".,:;")
        is_particle = lower in _PARTICLES and words
        if len(words) >= 4 or not (_is_name_word(word) or is_particle):
            break
        words.append(word.rstrip(",:;"))
        end = match.start() + len(word.rstrip(",:;"))
        if word.endswith((",", ":", ";")):
            break
    while words and words[-1].lower() in _PARTICLES:
        words.pop()
    if words and words[-1].endswith(".") and len(words[-1]) > 2:
        words[-1] = words[-1].rstrip(".")
        end -= 1
    return (end, words) if words else None


def canonical_name(bare: str) -> str:
    """The stored form of a doctor's name: "Dr." and the name without titles."""
    if bare.isupper():
        bare = bare.title()
    return f"Dr. {bare}"


def _days_of(spec: str) -> tuple[int, ...]:
    days: list[int] = []
    for part in _DAY_PART.finditer(spec):
        if part.group(3):
            group = re.sub(r"\s+", " ", part.group(3).lower())
            days.extend(_DAY_GROUPS[group])
            continue
        first = _DAY_WORDS[part.group(1).lower().rstrip(".")]
        last = _DAY_WORDS[part.group(2).lower().rstrip(".")] if part.group(2) else first
        day = first
        days.append(day)
        while day != last:
            day = (day + 1) % 7
            days.append(day)
    return tuple(dict.fromkeys(days))


def _minutes(value: str) -> tuple[int, str | None] | None:
    lower = value.lower().strip()
    if "noon" in lower or lower == "midday":
        return 12 * 60, "pm"
    if lower == "midnight":
        return 0, "midnight"
    match = _TIME_PARTS.fullmatch(lower)
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    meridiem = match.group(3)
    if minutes >= 60:
        return None
    if meridiem:
        if not 1 <= hours <= 12:
            return None
        is_pm = meridiem.startswith("p")
        hours = (hours % 12) + (12 if is_pm else 0)
        return hours * 60 + minutes, "pm" if is_pm else "am"
    if hours > 23:
        return None
    return hours * 60 + minutes, None


_HALF_DAY = 12 * 60
_EARLIEST_UNMARKED_MORNING = 7 * 60  # "1-5" or "6-9" without am/pm is a clinic's afternoon or evening


def parse_interval(first: str, second: str, previous_end: int | None = None) -> tuple[int, int] | None:
    """Minutes since midnight for "9" .. "5pm", "13:30" .. "17:00", "9am" .. "noon", "16:00" .. "midnight"
    (an end of 24:00); None when invalid. `previous_end` is the end of the shift before on the same
    day, so the "1-5" of "9-12 / 1-5" is read as the afternoon."""
    start, end = _minutes(first), _minutes(second)
    if start is None or end is None:
        return None
    (start_minutes, start_meridiem), (end_minutes, end_meridiem) = start, end
    if start_meridiem == "midnight":
        start_meridiem = "am"
    to_midnight = end_meridiem == "midnight"
    if to_midnight:
        end_minutes, end_meridiem = 24 * 60, None
    twenty_four_hour = re.match(r"0\d", first.strip()) or start_minutes >= 13 * 60 or _HALF_DAY < end_minutes < 24 * 60
    if start_meridiem is None and end_meridiem == "pm" and start_minutes < _HALF_DAY:
        # "1-5pm" is afternoon throughout, "9-1pm" starts in the morning.
        if start_minutes + _HALF_DAY < end_minutes:
            start_minutes += _HALF_DAY
    elif end_meridiem is None and not twenty_four_hour:
        if start_meridiem is None and start_minutes < _HALF_DAY and (
                start_minutes < _EARLIEST_UNMARKED_MORNING or (previous_end or 0) > start_minutes):
            start_minutes += _HALF_DAY
        if end_minutes <= start_minutes and not to_midnight:
            end_minutes += _HALF_DAY  # "9-5" means 9:00-17:00
    if end_minutes <= start_minutes or end_minutes > 24 * 60:
        return None
    return start_minutes, end_minutes


def parse_day_hours(text: str) -> DayHours:
    """Every day spec in text with the time intervals that follow it (or precede a single spec)."""
    result = DayHours()
    specs = list(_DAY_SPEC.finditer(text))
    intervals = _outside(list(_INTERVAL.finditer(text)), specs)
    result.spans = [(match.start(), match.end()) for match in [*specs, *intervals]]
    groups: list[tuple[tuple[int, ...], list[tuple[int, int]]]] = [(_days_of(spec.group()), []) for spec in specs]
    previous: tuple[int | None, int] | None = None  # (owner, end) of the shift read before
    # Both lists are in text order, so one walk finds each interval's owner: the last spec ending
    # before it (a scan of every spec per interval made long lines quadratic).
    following = 0
    for match in intervals:
        while following < len(specs) and specs[following].end() <= match.start():
            following += 1
        owner = following - 1 if following else None
        if owner is None and len(specs) == 1:
            owner = 0
        previous_end = previous[1] if previous is not None and previous[0] == owner else None
        parsed = parse_interval(match.group(1), match.group(2), previous_end)
        if parsed is None:
            result.bad_intervals.append(match.group())
            continue
        previous = (owner, parsed[1])
        if owner is None:
            result.orphan_intervals.append(parsed)
        else:
            groups[owner][1].append(parsed)
    result.groups = [group for group in groups if group[0]]
    return result


def _outside(intervals: list[re.Match], specs: list[re.Match]) -> list[re.Match]:
    """The intervals overlapping no day spec; both lists are in text order and without overlaps of
    their own, so one merge-like walk decides it."""
    kept, index = [], 0
    for match in intervals:
        while index < len(specs) and specs[index].end() <= match.start():
            index += 1
        if index == len(specs) or specs[index].start() >= match.end():
            kept.append(match)
    return kept


def day_spec_only(text: str) -> tuple[int, ...] | None:
    """The days when text is nothing but a day heading ("MONDAY", "Tuesday (continued):"), else None."""
    cleaned = re.sub(r"\((?:cont(?:inued|'d|\.)?)\)|\bcontinued\b", "", text, flags=re.IGNORECASE)
    cleaned = cleaned.strip(" :-–—|•·\t")
    match = _DAY_SPEC.fullmatch(cleaned)
    return _days_of(match.group()) if match else None


def find_dates(text: str) -> tuple[list[RawDateRange], list[tuple[int, int]]]:
    """Every date or date range written with a month name (or ISO), in order, with their spans."""
    found: list[tuple[int, RawDateRange]] = []
    spans: list[tuple[int, int]] = []
    remaining = text
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(remaining):
            ranges = _listed_dates(match.group()) if kind.startswith("list") else [_date_range(kind, match.groups())]
            found.extend((match.start() + index, found_range) for index, found_range in enumerate(ranges))
            spans.append((match.start(), match.end()))
        remaining = pattern.sub(lambda match: " " * len(match.group()), remaining)
    found.sort(key=lambda item: item[0])
    return [item for _, item in found], spans


def _listed_dates(text: str) -> list[RawDateRange]:
    """"24, 25 and 26 December 2026" or "December 25 and 28": one single-day range per listed day."""
    month = MONTHS[re.search(_MONTH, text, re.IGNORECASE).group(1).lower().rstrip(".")]
    year_match = re.search(r"\b(\d{4})\b", text)
    year = int(year_match.group(1)) if year_match else None
    days = [int(day) for day in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", text)]
    return [RawDateRange(month, day, year, month, day, year) for day in days]


def _date_range(kind: str, groups: tuple) -> RawDateRange:
    def month(value: str) -> int:
        return MONTHS[value.lower().rstrip(".")]

    def year(value: str | None) -> int | None:
        return int(value) if value else None

    if kind == "d-d m":
        d1, d2, m, y = groups
        return RawDateRange(month(m), int(d1), year(y), month(m), int(d2), year(y))
    if kind == "d m-d m":
        d1, m1, y1, d2, m2, y2 = groups
        return RawDateRange(month(m1), int(d1), year(y1), month(m2), int(d2), year(y2))
    if kind == "m d-m d":
        m1, d1, y1, m2, d2, y2 = groups
        return RawDateRange(month(m1), int(d1), year(y1), month(m2), int(d2), year(y2))
    if kind == "m d-d":
        m, d1, d2, y = groups
        return RawDateRange(month(m), int(d1), year(y), month(m), int(d2), year(y))
    if kind == "iso":
        y1, m1, d1, y2, m2, d2 = groups
        if y2 is None:
            y2, m2, d2 = y1, m1, d1
        return RawDateRange(int(m1), int(d1), int(y1), int(m2), int(d2), int(y2))
    if kind == "d m":
        d, m, y = groups
        return RawDateRange(month(m), int(d), year(y), month(m), int(d), year(y))
    m, d, y = groups
    return RawDateRange(month(m), int(d), year(y), month(m), int(d), year(y))


def looks_like_schedule(text: str) -> bool:
    """Whether an unread line mentions times, weekdays or dates, so staff should see it as a warning."""
    return bool(_TIMEISH.search(text) or _DAY_SPEC.search(text) or find_dates(text)[0])


def clock(minutes: int) -> str:
    """Minutes since midnight as "HH:MM"; the end of the day (24:00) is "00:00", as weekly hours store it."""
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Possessive runs: "\W*" twice around an optional word backtracked quadratically over a long run of
# punctuation; every word here starts and ends with a letter, so nothing is given back.
_OFF_CELL = re.compile(r"^\W*+(?:(?:off|closed|close|none|n/?a|not working|no clinic|no session|day off|x)\W*+)?$",
                       re.IGNORECASE)
_SHIFT_SEPARATORS = re.compile(r"^(?:[\s,;/&+|]|\band\b|\bthen\b)*+$", re.IGNORECASE)


def read_cell_hours(text: str) -> tuple[list[tuple[int, int]], bool]:
    """The shifts in one grid cell ("08:00-12:30", "9-12 / 1-5", "16:00-midnight") and whether the whole
    cell was understood; "OFF", "Closed", "-" and a blank cell are a day without hours."""
    if _OFF_CELL.match(text):
        return [], True
    shifts: list[tuple[int, int]] = []
    readable = True
    for match in _INTERVAL.finditer(text):
        parsed = parse_interval(match.group(1), match.group(2), shifts[-1][1] if shifts else None)
        if parsed is None:
            readable = False
        else:
            shifts.append(parsed)
    leftover = _INTERVAL.sub(" ", text)
    return shifts, readable and bool(shifts) and bool(_SHIFT_SEPARATORS.match(leftover))


_ABBREVIATIONS = frozenset({"dr", "st", "mr", "mrs", "ms", "prof", "no", "approx", "e.g", "i.e", "etc",
                            "tel", "ext", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
                            "dec", "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"})
_SENTENCE_END = re.compile(r"[.!?;]\s+(?=[A-Z0-9(\"'“])")


def sentences(text: str) -> list[str]:
    """A paragraph cut into sentences and ";"-clauses, not at "Dr.", "Jan." or an initial."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        word = text[start:match.start()].rsplit(None, 1)[-1:] or [""]
        core = word[0].lower().lstrip("(")
        if text[match.start()] == "." and (core in _ABBREVIATIONS or len(core) == 1 and core.isalpha()):
            continue
        parts.append(text[start:match.start() + 1].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (".", "!", "?" or ":" but not after "Dr." or an initial)."""
    stripped = text.rstrip()
    if not stripped.endswith((".", "!", "?", ":")):
        return False
    core = (stripped.split()[-1:] or [""])[0].lower().rstrip(".").lstrip("(")
    return not (stripped.endswith(".") and (core in _ABBREVIATIONS or len(core) == 1 and core.isalpha()))


def by_doctor(sentence: str) -> list[str]:
    """A sentence naming several doctors cut before each further titled name ("Dr. A is away 3-5 May,
    and Dr. B on 8 June"), so each doctor gets the dates written after their name."""
    starts = [match.start() for match in _TITLE.finditer(sentence)][1:]
    cuts = [0, *starts, len(sentence)]
    return [sentence[cuts[index]:cuts[index + 1]].strip(" ,;") for index in range(len(cuts) - 1)]


def starts_with_month(text: str) -> bool:
    """Whether text begins with a month name ("January 1", a date wrapped onto a new line)."""
    first = (text.split()[:1] or [""])[0].lower().rstrip(".,;:")
    return first in MONTHS
