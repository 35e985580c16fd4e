"""A deterministic grammar for dates and times as callers say them ("next Tuesday at 3", "December 2nd at
half past nine", "in two weeks on Monday at 11", "ten thirty tomorrow"), resolved in the clinic's
timezone. dateparser misreads most spoken forms ("tomorrow at 10" -> the current clock time, "the 3rd"
-> a month, "quarter to four" -> nothing) and takes up to hundreds of milliseconds, so it is not used."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.receptionist_agent.spoken import numbers_as_digits, ordinal, tokens

WEEKDAYS = {
    "monday": 0, "mon": 0, "mondays": 0,
    "tuesday": 1, "tues": 1, "tue": 1, "tuesdays": 1, "chewsday": 1,
    "wednesday": 2, "wed": 2, "weds": 2, "wensday": 2, "wendsday": 2, "wednesdays": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "thursdays": 3, "thirsday": 3,
    "friday": 4, "fri": 4, "fridays": 4, "fryday": 4,
    "saturday": 5, "sat": 5, "saturdays": 5,
    "sunday": 6, "sundays": 6,
}
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "febuary": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9,
    "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
# Words recognisers produce for the ones the grammar knows.
SOUNDALIKES = {
    "tomorow": "tomorrow", "tommorow": "tomorrow", "tommorrow": "tomorrow", "tmrw": "tomorrow",
    "tomorrows": "tomorrow", "mourning": "morning", "morn": "morning", "noone": "noon", "nooner": "noon",
    "tonite": "tonight", "arvo": "afternoon", "thirtyish": "30", "oclock": "o'clock", "clock": "o'clock",
    "quater": "quarter", "quarters": "quarter", "passed": "past", "too": "to", "til": "to", "till": "to", "until": "to",
    "tuesday's": "tuesday", "monday's": "monday", "wednesday's": "wednesday", "thursday's": "thursday",
    "friday's": "friday", "saturday's": "saturday", "sunday's": "sunday", "weekend": "saturday",
}
PARTS_OF_DAY = {
    "morning": (9, 0), "afternoon": (14, 0), "evening": (17, 0), "tonight": (18, 0), "lunchtime": (12, 0),
    "noon": (12, 0), "midday": (12, 0), "midnight": (0, 0),
}
# Words that carry no date or time but are normal around one; anything else lowers the confidence.
CARRIER_WORDS = set(
    "a an the at on in of for by around about approximately maybe say let's lets how would could can will "
    "i i'd i'm me my we is it it's that that's this be do does you your have has any anything something "
    "sometime some time appointment appointments please um uh er ah like want wanna to see come book make "
    "get okay ok yes yeah sure and or then there if possible works work good fine best for free available "
    "slot just well so hmm is are what about maybe perhaps probably prefer preferably would please doctor "
    "dr with one day morning early late ish or".split()
)
SOONEST = re.compile(r"\b(?:as soon as (?:possible|you can)|asap|earliest|soonest|right away|(?:first|1th) available|"
                     r"next available|whenever|any ?time|(?:first|1th) opening|next opening)\b")
PAST_WORDS = {"yesterday", "ago", "last"}
MAX_DAYS_AHEAD = 731


@dataclass
class Reading:
    """What the grammar found in the words, before it is resolved against the current time."""

    day: date | None = None
    roll: str = ""  # how a date that fell in the past moves: "year", "week", "month" or "" (it does not)
    hour: int | None = None
    minute: int = 0
    meridiem: str | None = None
    part_of_day: str | None = None
    delta: timedelta | None = None
    past: bool = False
    invalid: str | None = None
    guessed_hour: bool = False
    month_offset: int = 0
    weekday_conflict: bool = False
    used: set[int] = field(default_factory=set)


JOINED = {("to", "morrow"): "tomorrow", ("after", "noon"): "afternoon", ("to", "day"): "today",
          ("mid", "day"): "midday"}


# Hours recognisers write as words after "at": "at for" is four o'clock.
HOUR_SOUNDALIKES = {"for": "4", "four": "4", "to": "2", "too": "2", "won": "1", "ate": "8", "tree": "3", "free": "3"}


def _words(text: str) -> list[str]:
    joined: list[str] = []
    for word in (SOUNDALIKES.get(word, word) for word in tokens(text)):
        if joined and (joined[-1], word) in JOINED:
            joined[-1] = JOINED[(joined[-1], word)]
        elif joined and word == "day" and joined[-1] + "day" in WEEKDAYS:
            joined[-1] += "day"
        elif joined and joined[-1] in ("at", "around") and word in HOUR_SOUNDALIKES:
            joined.append(HOUR_SOUNDALIKES[word])
        else:
            joined.append(word)
    words: list[str] = []
    for index, word in enumerate(joined):
        following = joined[index + 1] if index + 1 < len(joined) else ""
        if following.rstrip("s") in ("day", "week", "month", "year", "hour", "minute") or words[-1:] == ["in"]:
            words.append(word)
        else:
            words.extend(_compact_time(word))
    return numbers_as_digits(words)


def _compact_time(word: str) -> list[str]:
    """"930" and "1130" as recognisers write "nine thirty": ["9", "30"]; years and other numbers unchanged."""
    if word.isdigit() and len(word) in (3, 4):
        hour, minute = int(word[:-2]), int(word[-2:])
        if 1 <= hour <= 12 and minute <= 59:
            return [str(hour), word[-2:]]
    return [word]


def _int(word: str) -> int | None:
    return int(word) if word.isdigit() else None


def _nearest_weekday(anchor: date, weekday: int) -> date:
    ahead = (weekday - anchor.weekday()) % 7
    return anchor + timedelta(days=ahead if ahead <= 3 else ahead - 7)


def _count(word: str) -> int | None:
    if word in ("a", "an"):
        return 1
    if word == "couple":
        return 2
    if word == "few":
        return 3
    return _int(word)


def _read_tomorrow(words: list[str], i: int, today: date, reading: Reading) -> None:
    """tomorrow, the day after tomorrow."""
    if i >= 3 and words[i - 3:i] == ["day", "after", "the"] or i >= 2 and words[i - 2:i] == ["day", "after"]:
        reading.day = today + timedelta(days=2)
        reading.used.update({i - 1, i - 2, i - 3} if words[i - 1] == "the" else {i - 1, i - 2})
    else:
        reading.day = today + timedelta(days=1)
    reading.used.add(i)


def _read_today(words: list[str], i: int, today: date, reading: Reading) -> None:
    """today, tonight."""
    reading.day = today
    reading.used.add(i)
    if words[i] == "tonight":
        reading.part_of_day = "tonight"


def _read_this_part_of_day(words: list[str], i: int, today: date, reading: Reading) -> None:
    """this morning, this afternoon, this evening: today."""
    if i + 1 < len(words) and words[i + 1] in ("morning", "afternoon", "evening"):
        reading.day = today
        reading.used.add(i)


def _read_past_word(words: list[str], i: int, today: date, reading: Reading) -> None:
    """yesterday, two days ago, last Monday, last week|month|year|night: a time already gone."""
    following = words[i + 1] if i + 1 < len(words) else ""
    if words[i] != "last" or following in WEEKDAYS or following in ("week", "month", "year", "night"):
        reading.past = True
        reading.used.add(i)


def _counted_unit(words: list[str], i: int) -> tuple[str, int, int] | None:
    """The unit, count and unit's position after "in" at words[i]: in 3 days, in a couple of weeks, in a fortnight."""
    n = len(words)
    if i + 2 >= n:
        return None
    j = i + 1
    if words[j] == "a" and j + 1 < n and words[j + 1] in ("couple", "few"):
        j += 1
    count = _count(words[j])
    unit_at = j + 1
    if unit_at < n and words[unit_at] == "of":
        unit_at += 1
    if count is None or unit_at >= n or words[unit_at + 1:unit_at + 2] in (["from"], ["after"]):
        return None
    unit = words[unit_at].rstrip("s")
    if unit == "fortnight":
        return "week", 2 * count, unit_at
    return unit, count, unit_at


def _months_ahead(today: date, count: int) -> date | None:
    """The same day of the month count months on, or the 28th where that month is shorter."""
    month_index = today.month - 1 + count
    year, month = today.year + month_index // 12, month_index % 12 + 1
    return _safe_date(year, month, today.day) or _safe_date(year, month, 28)


def _read_in_span(words: list[str], i: int, today: date, reading: Reading) -> None:
    """in 3 days, in two weeks (on Monday), in a fortnight, in two months, in an hour, in 20 minutes."""
    counted = _counted_unit(words, i)
    if counted is None:
        return
    unit, count, unit_at = counted
    span = set(range(i, unit_at + 1))
    if unit == "day":
        reading.day, reading.roll = today + timedelta(days=count), ""
    elif unit == "week":
        reading.day = today + timedelta(weeks=count)
        if unit_at + 2 < len(words) and words[unit_at + 1] in ("on", "this", "that") and words[unit_at + 2] in WEEKDAYS:
            reading.day = _nearest_weekday(reading.day, WEEKDAYS[words[unit_at + 2]])
            span.update({unit_at + 1, unit_at + 2})
    elif unit == "month":
        reading.day = _months_ahead(today, count)
    elif unit in ("hour", "minute", "min"):
        reading.delta = timedelta(hours=count) if unit == "hour" else timedelta(minutes=count)
    else:
        return
    reading.used.update(span)


def _read_next_month(words: list[str], i: int, today: date, reading: Reading) -> None:
    """next month: a day said with it falls in that month, else it means the 1st."""
    if i >= 1 and words[i - 1] == "next":
        reading.month_offset = 1
        reading.used.update({i - 1, i})


def _read_next_week(words: list[str], i: int, today: date, reading: Reading) -> None:
    """next week (its Monday) unless a weekday goes with it; "the after week next" (the Monday after)."""
    n = len(words)
    if i >= 1 and words[i - 1] == "next" and not (i + 1 < n and words[i + 1] in WEEKDAYS) \
            and not (i >= 2 and words[i - 2] in WEEKDAYS):
        reading.day = today + timedelta(days=7 - today.weekday())
        reading.used.update({i - 1, i})
    elif i >= 2 and words[i - 2:i] == ["the", "after"] and i + 1 < n and words[i + 1] == "next":
        reading.day = today + timedelta(days=14 - today.weekday())
        reading.used.update({i - 2, i - 1, i, i + 1})


# The word each relative form hinges on, and the reader that checks the words around it.
RELATIVE_FORMS: dict[str, Callable[[list[str], int, date, Reading], None]] = {
    "tomorrow": _read_tomorrow, "today": _read_today, "tonight": _read_today, "this": _read_this_part_of_day,
    **{word: _read_past_word for word in PAST_WORDS}, "in": _read_in_span, "month": _read_next_month,
    "week": _read_next_week,
}


def _read_relative(words: list[str], today: date, reading: Reading) -> None:
    """today, tomorrow, the day after tomorrow, this evening, in N days|weeks|hours, next week|month, yesterday."""
    for i, word in enumerate(words):
        read = RELATIVE_FORMS.get(word)
        if read is not None:
            read(words, i, today, reading)


def _read_offset_from(words: list[str], today: date, reading: Reading) -> None:
    """a week from today, two weeks from Monday, three days after tomorrow, two weeks from now."""
    for i, word in enumerate(words):
        if word not in ("from", "after") or i < 2 or i + 1 >= len(words):
            continue
        unit, count, anchor_word = words[i - 1].rstrip("s"), _count(words[i - 2]), words[i + 1]
        if unit not in ("day", "week") or count is None:
            continue
        if anchor_word in ("now", "today"):
            anchor = today
        elif anchor_word == "tomorrow":
            anchor = today + timedelta(days=1)
        elif anchor_word in WEEKDAYS:
            anchor = today + timedelta(days=(WEEKDAYS[anchor_word] - today.weekday()) % 7 or 7)
        else:
            continue
        reading.day = anchor + (timedelta(weeks=count) if unit == "week" else timedelta(days=count))
        reading.roll = ""
        reading.used.update(range(i - 2, i + 2))
        if i >= 3 and words[i - 3] == "in":
            reading.used.add(i - 3)
        return


def _read_weekday(words: list[str], today: date, reading: Reading) -> None:
    """Monday, this Friday, next Tuesday, Tuesday after next, a week from Friday, Monday next week."""
    for i, word in enumerate(words):
        if word not in WEEKDAYS or i in reading.used:
            continue
        weekday = WEEKDAYS[word]
        before = words[i - 1] if i >= 1 else ""
        span = {i}
        ahead = (weekday - today.weekday()) % 7
        extra_weeks = 0
        if before == "last":
            reading.past = True
            return
        if before == "next" and not (i >= 2 and words[i - 2] == "the"):
            span.add(i - 1)
            ahead = ahead or 7
        elif before in ("this", "coming", "on", "the"):
            span.add(i - 1)
        if words[i + 1:i + 3] == ["after", "next"]:
            ahead, extra_weeks = ahead or 7, 1
            span.update({i + 1, i + 2})
        elif words[i + 1:i + 3] == ["next", "week"] or (i >= 2 and words[i - 2:i] == ["next", "week"]):
            monday_next_week = today + timedelta(days=7 - today.weekday())
            reading.day = monday_next_week + timedelta(days=weekday)
            reading.used.update(span | ({i + 1, i + 2} if words[i + 1:i + 2] == ["next"] else {i - 2, i - 1}))
            return
        elif words[i + 1:i + 2] == ["week"]:
            extra_weeks = 1
            span.add(i + 1)
        if i >= 3 and words[i - 3:i - 1] in (["week", "from"],) and words[i - 4:i - 3] in (["a"], ["1"]):
            extra_weeks = 1
            span.update({i - 4, i - 3, i - 2, i - 1})
        elif i >= 2 and words[i - 2:i] == ["week", "from"]:
            extra_weeks = 1
            span.update({i - 2, i - 1} | ({i - 3} if i >= 3 and words[i - 3] in ("a", "1") else set()))
        reading.day = today + timedelta(days=ahead + 7 * extra_weeks)
        reading.roll = "week" if ahead == 0 and before not in ("next",) and not extra_weeks else ""
        reading.used.update(span)
        return


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year_at(words: list[str], i: int) -> tuple[int | None, int]:
    """A year spoken at words[i] ("2027", "20 27") and how many words it takes."""
    if i < len(words) and words[i].isdigit() and len(words[i]) == 4:
        return int(words[i]), 1
    if i + 1 < len(words) and words[i] == "20" and words[i + 1].isdigit() and len(words[i + 1]) == 2:
        return 2000 + int(words[i + 1]), 2
    return None, 0


def _settle_date(reading: Reading, found: date | None, roll: str, span: Iterable[int]) -> None:
    """Takes the date the words named, or marks the reading invalid when there is no such date."""
    if found is None:
        reading.invalid = "there is no such date"
        return
    reading.day, reading.roll = found, roll
    reading.used.update(span)


def _numeric_date(text: str) -> tuple[int | None, int, int] | None:
    """The year (None when not said), month and day written as 2026-12-02, 12/2 or 12/2/27 (month first)."""
    iso = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    slashed = re.search(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", text)
    if not slashed:
        return None
    year = int(slashed.group(3)) if slashed.group(3) else None
    year = year + 2000 if year is not None and year < 100 else year
    return year, int(slashed.group(1)), int(slashed.group(2))


def _read_numeric_date(text: str, words: list[str], today: date, reading: Reading) -> bool:
    """2026-12-02, 12/2, 12/2/27; whether the text held one."""
    parts = _numeric_date(text)
    if parts is None:
        return False
    year, month, day = parts
    used = (i for i, word in enumerate(words) if word.isdigit() and int(word) in (month, day, year))
    _settle_date(reading, _safe_date(year or today.year, month, day), "" if year else "year", used)
    return True


def _day_beside_month(words: list[str], i: int) -> tuple[int | None, set[int]]:
    """The day said around the month name at words[i] and the words the date takes: December 2nd, December the
    2nd, the 2nd of December, 2 December."""
    after = words[i + 1] if i + 1 < len(words) else ""
    after2 = words[i + 2] if i + 2 < len(words) else ""
    if after == "the" and ordinal(after2):
        return ordinal(after2), {i, i + 1, i + 2}
    if ordinal(after) or (after.isdigit() and 1 <= int(after) <= 31 and after2 not in ("am", "pm", "o'clock")):
        return ordinal(after) or int(after), {i, i + 1}
    if i >= 2 and words[i - 1] == "of" and (ordinal(words[i - 2]) or words[i - 2].isdigit()):
        the = {i - 3} if i >= 3 and words[i - 3] == "the" else set()
        return ordinal(words[i - 2]) or int(words[i - 2]), {i, i - 1, i - 2} | the
    if i >= 1 and (ordinal(words[i - 1]) or words[i - 1].isdigit()) and int(re.sub(r"\D", "", words[i - 1]) or 0) <= 31:
        return ordinal(words[i - 1]) or int(words[i - 1]), {i, i - 1}
    return None, {i}


def _year_after_date(words: list[str], i: int) -> tuple[int | None, int]:
    """A year said at words[i] after a date ("2027", "of 2027") and how many words it takes."""
    year, taken = _year_at(words, i)
    if year is None and i < len(words) and words[i] == "of":
        year, taken = _year_at(words, i + 1)
        taken += 1 if year else 0
    return year, taken


def _read_named_month(words: list[str], today: date, reading: Reading) -> bool:
    """December 2nd, the 2nd of December, Dec 2 2027, December alone (its 1st, but not "may"); whether one was read."""
    for i, word in enumerate(words):
        if word not in MONTHS:
            continue
        day, span = _day_beside_month(words, i)
        if day is None:
            if word == "may":
                continue
            day = 1
        year, taken = _year_after_date(words, max(span) + 1)
        span.update(range(max(span) + 1, max(span) + 1 + taken))
        _settle_date(reading, _safe_date(year or today.year, MONTHS[word], day), "" if year else "year", span)
        return True
    return False


def _day_of_month_ahead(today: date, number: int, month_offset: int) -> date | None:
    """That day of this month, or of next month if this month's has passed or does not exist or next month was said."""
    found = _safe_date(today.year, today.month, number) if not month_offset else None
    if found is None or found < today:
        month_index = today.month
        found = _safe_date(today.year + month_index // 12, month_index % 12 + 1, number)
    return found


def _read_day_of_month(words: list[str], today: date, reading: Reading) -> None:
    """the 3rd, on the 21st; "first" only as "the first", and never in "first thing" or "first available"."""
    for i, word in enumerate(words):
        if i in reading.used:
            continue
        number = ordinal(word) if not word.isdigit() else None
        introduced = i >= 1 and words[i - 1] in ("the", "on")
        if number and (introduced or word != "1th") and words[i + 1:i + 2] not in (["thing"], ["time"], ["available"]):
            if number > 31:
                reading.invalid = "there is no such date"
                return
            found = _day_of_month_ahead(today, number, reading.month_offset)
            _settle_date(reading, found, "month", {i, i - 1} if introduced else {i})
            return


def _read_calendar_date(text: str, words: list[str], today: date, reading: Reading) -> None:
    """December 2nd, the 2nd of December, Dec 2 2027, 12/2, 2026-12-02, the 3rd."""
    if not _read_numeric_date(text, words, today, reading) and not _read_named_month(words, today, reading):
        _read_day_of_month(words, today, reading)


HOLIDAYS = {("christmas", "eve"): (12, 24), ("christmas",): (12, 25), ("new", "year's", "eve"): (12, 31),
            ("new", "years", "eve"): (12, 31), ("new", "year's", "day"): (1, 1), ("new", "years", "day"): (1, 1),
            ("valentine's", "day"): (2, 14), ("halloween",): (10, 31), ("boxing", "day"): (12, 26)}


def _read_holiday(words: list[str], today: date, reading: Reading) -> None:
    """Christmas Eve, New Year's Eve and other fixed-date days people name."""
    for i in range(len(words)):
        for phrase, (month, day) in HOLIDAYS.items():
            if tuple(words[i:i + len(phrase)]) == phrase:
                found = date(today.year, month, day)
                reading.day = found if found >= today else date(today.year + 1, month, day)
                reading.used.update(range(i, i + len(phrase)))
                return


def _hour_word(word: str) -> int | None:
    value = _int(word)
    return value if value is not None and 0 <= value <= 23 else None


def _meridiem_after(words: list[str], i: int, reading: Reading) -> int:
    """Reads am/pm or "in the morning/afternoon/evening" after position i; returns words taken."""
    following = words[i:i + 3]
    if following[:1] in (["am"], ["pm"]):
        reading.meridiem = following[0]
        return 1
    if following[:2] == ["o'clock", "am"] or following[:2] == ["o'clock", "pm"]:
        reading.meridiem = following[1]
        return 2
    if len(following) == 3 and following[:2] == ["in", "the"] and following[2] in ("morning", "afternoon", "evening"):
        reading.part_of_day = following[2]
        return 3
    if following[:1] == ["tonight"]:
        reading.part_of_day = "tonight"
        return 1
    return 0


def _read_named_time(words: list[str], i: int, reading: Reading) -> bool:
    """noon, 12 noon, midday, lunchtime, midnight; whether words[i] is one."""
    word = words[i]
    if word not in ("noon", "midday", "lunchtime", "midnight"):
        return False
    reading.hour, reading.minute = PARTS_OF_DAY[word]
    reading.meridiem = "am" if word == "midnight" else "pm"
    reading.used.update({i, i - 1} if i >= 1 and words[i - 1] == "12" else {i})
    return True


def _read_minutes_past_or_to(words: list[str], i: int, j: int, minutes: int | None, reading: Reading) -> bool:
    """The minutes at words[i] past|after|to|of the hour after words[j]; whether they make a time."""
    hour = _hour_word(words[j + 1])
    if hour is None or not minutes or minutes >= 60 or (words[i] == "half" and words[j] not in ("past", "after")):
        return False
    if words[j] in ("to", "of"):
        hour, minutes = (hour - 1) % 24 if hour != 1 else 12, 60 - minutes
        if hour == 0:
            hour = 12
    reading.hour, reading.minute = hour, minutes
    reading.used.update(range(i, j + 2))
    reading.used.update(range(j + 2, j + 2 + _meridiem_after(words, j + 2, reading)))
    return True


def _read_minutes_to_hour(words: list[str], i: int, reading: Reading) -> bool:
    """half past nine, quarter to four, 10 minutes past 3, twenty to four, half nine; whether one starts at i."""
    word, n = words[i], len(words)
    links = ("past", "after", "to", "of", "minutes", "min")
    if word not in ("half", "quarter") and not (word.isdigit() and i + 1 < n and words[i + 1] in links):
        return False
    minutes = {"half": 30, "quarter": 15}.get(word) or _int(word)
    j = i + 2 if words[i + 1:i + 2] in (["minutes"], ["min"]) else i + 1
    if j + 1 < n and words[j] in ("past", "after", "to", "of") and _hour_word(words[j + 1]) is not None:
        return _read_minutes_past_or_to(words, i, j, minutes, reading)
    if word == "half" and j < n and _hour_word(words[j]) is not None:
        reading.hour, reading.minute = _hour_word(words[j]), 30
        reading.used.update({i, j})
        return True
    return False


def _read_colon_time(words: list[str], i: int, reading: Reading) -> bool:
    """10:30, 10:30 pm (25:00 makes the reading invalid); whether words[i] is one."""
    if not re.fullmatch(r"\d{1,2}:\d{2}", words[i]):
        return False
    hour, minute = (int(part) for part in words[i].split(":"))
    if hour > 23 or minute > 59:
        reading.invalid = "there is no such time"
        return True
    reading.hour, reading.minute = hour, minute
    reading.used.add(i)
    reading.used.update(range(i + 1, i + 1 + _meridiem_after(words, i + 1, reading)))
    return True


def _minutes_after_hour(words: list[str], i: int, hour: int) -> tuple[int, set[int]]:
    """The minutes said after the hour at words[i] (nine oh five, ten thirty, 9 00, 15 hundred) and the time's words."""
    following = words[i + 1] if i + 1 < len(words) else ""
    if following in ("oh", "o") and i + 2 < len(words) and words[i + 2].isdigit() and int(words[i + 2]) < 10:
        return int(words[i + 2]), {i, i + 1, i + 2}
    if following.isdigit() and len(following) == 2 and 10 <= int(following) <= 59 and hour <= 12:
        return int(following), {i, i + 1}
    if following == "00" or (following == "hundred" and hour > 12):
        return 0, {i, i + 1}
    return 0, {i}


def _clock_suffix(words: list[str], i: int, reading: Reading) -> int:
    """Reads o'clock, am/pm or "in the morning" at words[i], after an hour; returns words taken."""
    taken = _meridiem_after(words, i, reading)
    if i < len(words) and words[i] == "o'clock":
        taken = 1 + _meridiem_after(words, i + 1, reading)
    return taken


def _read_hour(words: list[str], reading: Reading) -> None:
    """ten thirty, nine oh five, 3 pm, at 3, 3 o'clock, 15 hundred: the first number that can be the hour."""
    for i, word in enumerate(words):
        if i in reading.used or not word.isdigit():
            continue
        hour = int(word)
        before = words[i - 1] if i >= 1 else ""
        minute, span = _minutes_after_hour(words, i, hour)
        taken = _clock_suffix(words, max(span) + 1, reading)
        span.update(range(max(span) + 1, max(span) + 1 + taken))
        explicit = taken or len(span) > 1 or before in ("at", "around", "about", "by", "for", "after", "before")
        if not explicit and words[i + 1:i + 2] in (["day"], ["days"], ["week"], ["weeks"], ["month"], ["months"]):
            continue  # "3 days": a count, not a time
        if hour > 24:
            reading.invalid = "there is no such time"
            return
        reading.hour, reading.minute = hour, minute
        reading.guessed_hour = not explicit
        if before in ("at", "around", "about", "by"):
            span.add(i - 1)
        reading.used.update(span)
        return


# The clock forms tried at each word, before a bare number is taken for the hour.
CLOCK_FORMS: tuple[Callable[[list[str], int, Reading], bool], ...] = (
    _read_named_time, _read_minutes_to_hour, _read_colon_time)


def _read_time(words: list[str], reading: Reading) -> None:
    """noon, half past nine, quarter to four, 10:30, ten thirty, nine oh five, 3 pm, at 3, 3 o'clock."""
    for i in range(len(words)):
        if i not in reading.used and any(read(words, i, reading) for read in CLOCK_FORMS):
            return
    _read_hour(words, reading)


def _read_part_of_day(words: list[str], reading: Reading) -> None:
    for i, word in enumerate(words):
        if word in ("morning", "afternoon", "evening", "tonight") and i not in reading.used:
            reading.part_of_day = reading.part_of_day or word
            reading.used.add(i)
            before = words[i - 1] if i >= 1 else ""
            if before in ("early", "late"):
                reading.used.add(i - 1)
                reading.part_of_day = f"{before} {word}"
            elif before in ("the", "this", "in"):
                reading.used.add(i - 1)
    for i in range(len(words) - 1):
        if words[i:i + 2] == ["first", "thing"] or words[i:i + 2] == ["1th", "thing"]:
            reading.part_of_day = reading.part_of_day or "morning"
            reading.used.update({i, i + 1})
        elif words[i:i + 2] == ["after", "lunch"]:
            reading.part_of_day = "after lunch"
            reading.used.update({i, i + 1})


PART_DEFAULTS = {"morning": (9, 0), "early morning": (8, 0), "late morning": (11, 0), "afternoon": (14, 0),
                 "early afternoon": (13, 0), "late afternoon": (16, 0), "evening": (17, 0), "early evening": (17, 0),
                 "late evening": (19, 0), "tonight": (18, 0), "after lunch": (13, 0)}


def _clock_hour(reading: Reading) -> int:
    """The 24-hour clock hour: am/pm, the part of the day, or the clinic's day (1-7 means afternoon)."""
    hour = reading.hour or 0
    if reading.meridiem == "pm":
        return hour + 12 if hour < 12 else hour
    if reading.meridiem == "am":
        return 0 if hour == 12 else hour
    part = reading.part_of_day or ""
    if any(word in part for word in ("afternoon", "evening", "tonight", "lunch")):
        return hour + 12 if hour < 12 else hour
    if "morning" in part:
        return hour
    return hour + 12 if 1 <= hour <= 7 else hour


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the zone; a time skipped by a DST change moves forward with the clock."""
    naive = datetime(day.year, day.month, day.day, hour, minute)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def interpret_datetime(text: str, timezone: str = "UTC", now: datetime | None = None, **_: Any) -> dict[str, Any]:
    """An ISO datetime with offset in the clinic's timezone from spoken words, or null with a reason."""
    try:
        return _interpret_datetime(text, ZoneInfo(timezone), now)
    except (ValueError, OverflowError):
        return {"value": None, "reason": "there is no such date or time"}


def _read_date(text: str, words: list[str], today: date) -> Reading:
    """The day the words name, read in order of precedence: relative days, holidays, calendar dates, weekdays."""
    reading = Reading()
    _read_relative(words, today, reading)
    _read_offset_from(words, today, reading)
    if reading.past:
        return reading
    if reading.day is None:
        _read_holiday(words, today, reading)
    if reading.day is None and not reading.invalid:
        _read_calendar_date(text.lower(), words, today, reading)
    if reading.day is None and not reading.invalid:
        _read_weekday(words, today, reading)
    else:
        reading.used.update(index for index, word in enumerate(words) if word in WEEKDAYS)
    if reading.past:
        return reading
    if reading.day is None and reading.month_offset:
        reading.day = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    weekdays_said = {WEEKDAYS[word] for word in words if word in WEEKDAYS}
    reading.weekday_conflict = bool(reading.day and weekdays_said and reading.day.weekday() not in weekdays_said)
    return reading


def _next_hour(now: datetime) -> datetime:
    """The start of the next hour."""
    return (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def _soonest_or_nothing(words: list[str], now: datetime) -> dict[str, Any]:
    """"As soon as possible" and the like mean the next hour; other words name no date or time."""
    if SOONEST.search(" ".join(words)):
        return {"value": _next_hour(now).isoformat(), "confidence": 0.6, "soonest": True}
    return {"value": None, "reason": "no date or time recognised"}


def _wall_clock(reading: Reading) -> tuple[int, int] | None:
    """The hour and minute said, the part of the day's (nine for a date alone), or None for an hour past 23."""
    if reading.hour is None:
        return PART_DEFAULTS.get(reading.part_of_day or "morning", (9, 0))
    hour = _clock_hour(reading)
    return (hour, reading.minute) if hour <= 23 else None


def _later_day(reading: Reading, day: date, today: date) -> date | None:
    """The day a time that has passed means instead: tomorrow (no date said), a week or a year on; None if none."""
    if reading.day is None:
        return today + timedelta(days=1)
    if reading.roll == "week":
        return day + timedelta(days=7)
    if reading.roll == "year" and day < today:
        return day.replace(year=day.year + 1) if not (day.month == 2 and day.day == 29) else day
    return None


def _moment(reading: Reading, hour: int, minute: int, now: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """When the reading falls, moved ahead once when it has passed, and whether it stands for the rest of today."""
    today = now.date()
    day = reading.day or today
    moment = _local(day, hour, minute, zone)
    rest_of_today = day == today and reading.hour is None and reading.part_of_day is None and moment <= now
    if rest_of_today:
        moment = _next_hour(now)
    if moment <= now:
        later = _later_day(reading, day, today)
        if later is not None:
            moment = _local(later, hour, minute, zone)
    return moment, rest_of_today


def _confidence(words: list[str], reading: Reading, rest_of_today: bool) -> float:
    """Lower for each word the grammar did not read, a guessed hour, a bare "today" or a weekday the date is not."""
    unknown = [word for index, word in enumerate(words) if index not in reading.used and word not in CARRIER_WORDS
               and word not in PARTS_OF_DAY and word not in ("o'clock", "am", "pm")]
    confidence = 0.95 - 0.1 * min(len(unknown), 3)
    if reading.guessed_hour:
        confidence = min(confidence, 0.75)
    if rest_of_today:
        confidence = min(confidence, 0.6)
    if reading.weekday_conflict:
        confidence = min(confidence, 0.5)  # "Friday December 3rd" when the 3rd is a Thursday: ask
    return round(confidence, 2)


def _resolve(words: list[str], reading: Reading, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """The answer for a reading that names a day or a time: a wall-clock time ahead of now, or why there is none."""
    clock = _wall_clock(reading)
    if clock is None:
        return {"value": None, "reason": "there is no such time"}
    hour, minute = clock
    moment, rest_of_today = _moment(reading, hour, minute, now, zone)
    if moment <= now:
        return {"value": None, "reason": "that time is in the past"}
    if moment.date() > now.date() + timedelta(days=MAX_DAYS_AHEAD):
        return {"value": None, "reason": "that date is too far ahead"}
    # Which parts the caller said, so a correction ("no, Thursday") changes only those.
    return {"value": moment.isoformat(), "confidence": _confidence(words, reading, rest_of_today),
            "date_given": reading.day is not None or reading.month_offset > 0,
            "time_given": reading.hour is not None or reading.part_of_day is not None}


def _interpret_datetime(text: str, zone: ZoneInfo, now: datetime | None) -> dict[str, Any]:
    """interpret_datetime's answer at now (the zone's current time when not given)."""
    now = (now or datetime.now(zone)).astimezone(zone)
    words = _words(text)
    reading = _read_date(text, words, now.date())
    if reading.past:
        return {"value": None, "reason": "that time is in the past"}
    if not reading.invalid:
        _read_time(words, reading)
    _read_part_of_day(words, reading)
    if reading.invalid:
        return {"value": None, "reason": reading.invalid}
    if reading.delta is not None and reading.day is None:
        moment = (now + reading.delta).replace(second=0, microsecond=0)
        return {"value": moment.isoformat(), "confidence": 0.8, "date_given": True, "time_given": True}
    if reading.day is None and reading.hour is None and reading.part_of_day is None:
        return _soonest_or_nothing(words, now)
    return _resolve(words, reading, now, zone)
