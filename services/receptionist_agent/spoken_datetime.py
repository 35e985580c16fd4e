"""A deterministic grammar for dates and times as callers say them ("next Tuesday at 3", "December 2nd at
half past nine", "in two weeks on Monday at 11", "ten thirty tomorrow"), resolved in the clinic's
timezone. dateparser misreads most spoken forms ("tomorrow at 10" -> the current clock time, "the 3rd"
-> a month, "quarter to four" -> nothing) and takes up to hundreds of milliseconds, so it is not used."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone as dt_timezone
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


JOINED = {("to", "morrow"): "tomorrow", ("after", "noon"): "afternoon", ("to", "day"): "today", ("mid", "day"): "midday"}


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


def _read_relative(words: list[str], today: date, reading: Reading) -> None:
    """today / tomorrow / in N days|weeks|months / next week / a week from Friday / yesterday."""
    n = len(words)
    for i, word in enumerate(words):
        if word == "tomorrow":
            if i >= 3 and words[i - 3:i] == ["day", "after", "the"] or i >= 2 and words[i - 2:i] == ["day", "after"]:
                reading.day = today + timedelta(days=2)
                reading.used.update({i - 1, i - 2, i - 3} if words[i - 1] == "the" else {i - 1, i - 2})
            else:
                reading.day = today + timedelta(days=1)
            reading.used.add(i)
        elif word in ("today", "tonight"):
            reading.day = today
            reading.used.add(i)
            if word == "tonight":
                reading.part_of_day = "tonight"
        elif word == "this" and i + 1 < n and words[i + 1] in ("morning", "afternoon", "evening"):
            reading.day = today
            reading.used.add(i)
        elif word in PAST_WORDS and (word != "last" or i + 1 < n and (words[i + 1] in WEEKDAYS or words[i + 1] in ("week", "month", "year", "night"))):
            reading.past = True
            reading.used.add(i)
        elif word == "in" and i + 2 < n:
            j = i + 1
            if words[j] == "a" and j + 1 < n and words[j + 1] in ("couple", "few"):
                j += 1
            count = _count(words[j])
            unit_at = j + 1
            if unit_at < n and words[unit_at] == "of":
                unit_at += 1
            if count is None or unit_at >= n or words[unit_at + 1:unit_at + 2] in (["from"], ["after"]):
                continue
            unit = words[unit_at].rstrip("s")
            if unit == "fortnight":
                unit, count = "week", 2 * count
            span = set(range(i, unit_at + 1))
            if unit == "day":
                reading.day, reading.roll = today + timedelta(days=count), ""
            elif unit == "week":
                reading.day = today + timedelta(weeks=count)
                if unit_at + 2 < n and words[unit_at + 1] in ("on", "this", "that") and words[unit_at + 2] in WEEKDAYS:
                    reading.day = _nearest_weekday(reading.day, WEEKDAYS[words[unit_at + 2]])
                    span.update({unit_at + 1, unit_at + 2})
            elif unit == "month":
                month_index = today.month - 1 + count
                year, month = today.year + month_index // 12, month_index % 12 + 1
                reading.day = _safe_date(year, month, today.day) or _safe_date(year, month, 28)
            elif unit in ("hour", "minute", "min"):
                reading.delta = timedelta(hours=count) if unit == "hour" else timedelta(minutes=count)
            else:
                continue
            reading.used.update(span)
        elif word == "month" and i >= 1 and words[i - 1] == "next":
            reading.month_offset = 1
            reading.used.update({i - 1, i})
        elif word == "week" and i >= 1 and words[i - 1] == "next" and not (i + 1 < n and words[i + 1] in WEEKDAYS) \
                and not (i >= 2 and words[i - 2] in WEEKDAYS):
            reading.day = today + timedelta(days=7 - today.weekday())
            reading.used.update({i - 1, i})
        elif word == "week" and i >= 2 and words[i - 2:i] == ["the", "after"] and i + 1 < n and words[i + 1] == "next":
            reading.day = today + timedelta(days=14 - today.weekday())
            reading.used.update({i - 2, i - 1, i, i + 1})


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


def _read_calendar_date(text: str, words: list[str], today: date, reading: Reading) -> None:
    """December 2nd, the 2nd of December, Dec 2 2027, 12/2, 2026-12-02, the 3rd."""
    iso = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", text)
    slashed = re.search(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", text)
    if iso or slashed:
        if iso:
            year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        else:
            month, day = int(slashed.group(1)), int(slashed.group(2))
            year = int(slashed.group(3)) if slashed.group(3) else None
            year = year + 2000 if year is not None and year < 100 else year
        found = _safe_date(year or today.year, month, day)
        if found is None:
            reading.invalid = "there is no such date"
            return
        reading.day, reading.roll = found, "" if year else "year"
        reading.used.update(i for i, word in enumerate(words) if word.isdigit() and int(word) in (month, day, year))
        return
    for i, word in enumerate(words):
        if word not in MONTHS:
            continue
        month = MONTHS[word]
        day, span = None, {i}
        after = words[i + 1] if i + 1 < len(words) else ""
        after2 = words[i + 2] if i + 2 < len(words) else ""
        if after == "the" and ordinal(after2):
            day, span = ordinal(after2), span | {i + 1, i + 2}
        elif ordinal(after) or (after.isdigit() and 1 <= int(after) <= 31 and not (after2 in ("am", "pm", "o'clock"))):
            day, span = ordinal(after) or int(after), span | {i + 1}
        elif i >= 2 and words[i - 1] == "of" and (ordinal(words[i - 2]) or words[i - 2].isdigit()):
            day, span = ordinal(words[i - 2]) or int(words[i - 2]), span | {i - 1, i - 2}
            if i >= 3 and words[i - 3] == "the":
                span.add(i - 3)
        elif i >= 1 and (ordinal(words[i - 1]) or words[i - 1].isdigit()) and int(re.sub(r"\D", "", words[i - 1]) or 0) <= 31:
            day, span = ordinal(words[i - 1]) or int(words[i - 1]), span | {i - 1}
        if day is None:
            if word == "may":
                continue
            day = 1
        year, taken = _year_at(words, max(span) + 1)
        if year is None and max(span) + 1 < len(words) and words[max(span) + 1] == "of":
            year, taken = _year_at(words, max(span) + 2)
            taken += 1 if year else 0
        span.update(range(max(span) + 1, max(span) + 1 + taken))
        found = _safe_date(year or today.year, month, day)
        if found is None:
            reading.invalid = "there is no such date"
            return
        reading.day, reading.roll = found, "" if year else "year"
        reading.used.update(span)
        return
    for i, word in enumerate(words):
        if i in reading.used:
            continue
        number = ordinal(word) if not word.isdigit() else None
        introduced = i >= 1 and words[i - 1] in ("the", "on")
        if number and (introduced or word != "1th") and words[i + 1:i + 2] not in (["thing"], ["time"], ["available"]):
            if number > 31:
                reading.invalid = "there is no such date"
                return
            found = _safe_date(today.year, today.month, number) if not reading.month_offset else None
            if found is None or found < today:
                month_index = today.month
                year, month = today.year + month_index // 12, month_index % 12 + 1
                found = _safe_date(year, month, number)
            if found is None:
                reading.invalid = "there is no such date"
                return
            reading.day, reading.roll = found, "month"
            reading.used.update({i, i - 1} if i >= 1 and words[i - 1] in ("the", "on") else {i})
            return


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


def _read_time(words: list[str], reading: Reading) -> None:
    """noon, half past nine, quarter to four, 10:30, ten thirty, nine oh five, 3 pm, at 3, 3 o'clock."""
    n = len(words)
    for i, word in enumerate(words):
        if i in reading.used:
            continue
        if word in ("noon", "midday", "lunchtime", "midnight"):
            reading.hour, reading.minute = PARTS_OF_DAY[word]
            reading.meridiem = "am" if word == "midnight" else "pm"
            reading.used.update({i, i - 1} if i >= 1 and words[i - 1] == "12" else {i})
            return
        if word in ("half", "quarter") or (word.isdigit() and i + 1 < n and words[i + 1] in ("past", "after", "to", "of", "minutes", "min")):
            minutes = {"half": 30, "quarter": 15}.get(word) or _int(word)
            j = i + 1
            if j < n and words[j] in ("minutes", "min"):
                j += 1
            if j + 1 < n and words[j] in ("past", "after", "to", "of") and _hour_word(words[j + 1]) is not None:
                hour = _hour_word(words[j + 1])
                if not minutes or minutes >= 60 or (word == "half" and words[j] != "past" and words[j] != "after"):
                    continue
                if words[j] in ("to", "of"):
                    hour, minutes = (hour - 1) % 24 if hour != 1 else 12, 60 - minutes
                    if hour == 0:
                        hour = 12
                reading.hour, reading.minute = hour, minutes
                reading.used.update(range(i, j + 2))
                reading.used.update(range(j + 2, j + 2 + _meridiem_after(words, j + 2, reading)))
                return
            if word == "half" and j < n and _hour_word(words[j]) is not None:
                reading.hour, reading.minute = _hour_word(words[j]), 30
                reading.used.update({i, j})
                return
        if re.fullmatch(r"\d{1,2}:\d{2}", word):
            hour, minute = (int(part) for part in word.split(":"))
            if hour > 23 or minute > 59:
                reading.invalid = "there is no such time"
                return
            reading.hour, reading.minute = hour, minute
            reading.used.add(i)
            reading.used.update(range(i + 1, i + 1 + _meridiem_after(words, i + 1, reading)))
            return
    for i, word in enumerate(words):
        if i in reading.used or not word.isdigit():
            continue
        hour = _int(word)
        before = words[i - 1] if i >= 1 else ""
        following = words[i + 1] if i + 1 < n else ""
        span = {i}
        minute = 0
        if following in ("oh", "o") and i + 2 < n and words[i + 2].isdigit() and int(words[i + 2]) < 10:
            minute = int(words[i + 2])
            span.update({i + 1, i + 2})
        elif following.isdigit() and len(following) == 2 and 10 <= int(following) <= 59 and hour <= 12:
            minute = int(following)
            span.add(i + 1)
        elif following == "00" or (following == "hundred" and hour > 12):
            span.add(i + 1)
        taken = _meridiem_after(words, max(span) + 1, reading)
        if max(span) + 1 < n and words[max(span) + 1] == "o'clock":
            taken = 1 + _meridiem_after(words, max(span) + 2, reading)
        span.update(range(max(span) + 1, max(span) + 1 + taken))
        explicit = taken or len(span) > 1 or before in ("at", "around", "about", "by", "for", "after", "before")
        if not explicit and i + 1 < n and words[i + 1] in ("day", "days", "week", "weeks", "month", "months"):
            continue
        if hour > 24:
            reading.invalid = "there is no such time"
            return
        reading.hour, reading.minute = hour, minute
        reading.guessed_hour = not explicit
        if before in ("at", "around", "about", "by"):
            span.add(i - 1)
        reading.used.update(span)
        return


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
    return naive.replace(tzinfo=zone).astimezone(dt_timezone.utc).astimezone(zone)


def interpret_datetime(text: str, timezone: str = "UTC", now: datetime | None = None, **_: Any) -> dict[str, Any]:
    """An ISO datetime with offset in the clinic's timezone from spoken words, or null with a reason."""
    try:
        return _interpret_datetime(text, ZoneInfo(timezone), now)
    except (ValueError, OverflowError):
        return {"value": None, "reason": "there is no such date or time"}


def _interpret_datetime(text: str, zone: ZoneInfo, now: datetime | None) -> dict[str, Any]:
    now = (now or datetime.now(zone)).astimezone(zone)
    today = now.date()
    words = _words(text)
    reading = Reading()
    _read_relative(words, today, reading)
    _read_offset_from(words, today, reading)
    if reading.past:
        return {"value": None, "reason": "that time is in the past"}
    if reading.day is None:
        _read_holiday(words, today, reading)
    if reading.day is None and not reading.invalid:
        _read_calendar_date(text.lower(), words, today, reading)
    if reading.day is None and not reading.invalid:
        _read_weekday(words, today, reading)
    else:
        reading.used.update(index for index, word in enumerate(words) if word in WEEKDAYS)
    if reading.past:
        return {"value": None, "reason": "that time is in the past"}
    if reading.day is None and reading.month_offset:
        reading.day = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    weekdays_said = {WEEKDAYS[word] for word in words if word in WEEKDAYS}
    reading.weekday_conflict = bool(reading.day and weekdays_said and reading.day.weekday() not in weekdays_said)
    if not reading.invalid:
        _read_time(words, reading)
    _read_part_of_day(words, reading)
    if reading.invalid:
        return {"value": None, "reason": reading.invalid}
    if reading.delta is not None and reading.day is None:
        moment = (now + reading.delta).replace(second=0, microsecond=0)
        return {"value": moment.isoformat(), "confidence": 0.8, "date_given": True, "time_given": True}
    if reading.day is None and reading.hour is None and reading.part_of_day is None:
        if SOONEST.search(" ".join(words)):
            soon = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
            return {"value": soon.isoformat(), "confidence": 0.6, "soonest": True}
        return {"value": None, "reason": "no date or time recognised"}
    if reading.hour is not None:
        hour, minute = _clock_hour(reading), reading.minute
        if hour > 23:
            return {"value": None, "reason": "there is no such time"}
    else:
        hour, minute = PART_DEFAULTS.get(reading.part_of_day or "morning", (9, 0))
    day = reading.day or today
    moment = _local(day, hour, minute, zone)
    rest_of_today = day == today and reading.hour is None and reading.part_of_day is None and moment <= now
    if rest_of_today:
        moment = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    if moment <= now:
        if reading.day is None:
            moment = _local(today + timedelta(days=1), hour, minute, zone)
        elif reading.roll == "week":
            moment = _local(day + timedelta(days=7), hour, minute, zone)
        elif reading.roll == "year" and day < today:
            moment = _local(day.replace(year=day.year + 1) if not (day.month == 2 and day.day == 29) else day, hour, minute, zone)
    if moment <= now:
        return {"value": None, "reason": "that time is in the past"}
    if moment.date() > today + timedelta(days=MAX_DAYS_AHEAD):
        return {"value": None, "reason": "that date is too far ahead"}
    unknown = [word for index, word in enumerate(words) if index not in reading.used and word not in CARRIER_WORDS
               and word not in PARTS_OF_DAY and word not in ("o'clock", "am", "pm")]
    confidence = 0.95 - 0.1 * min(len(unknown), 3)
    if reading.guessed_hour:
        confidence = min(confidence, 0.75)
    if rest_of_today:
        confidence = min(confidence, 0.6)
    if reading.weekday_conflict:
        confidence = min(confidence, 0.5)  # "Friday December 3rd" when the 3rd is a Thursday: ask
    # Which parts the caller said, so a correction ("no, Thursday") changes only those.
    return {"value": moment.isoformat(), "confidence": round(confidence, 2),
            "date_given": reading.day is not None or reading.month_offset > 0,
            "time_given": reading.hour is not None or reading.part_of_day is not None}
