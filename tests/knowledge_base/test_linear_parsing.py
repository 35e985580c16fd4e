"""Schedule lines cannot be made slow: the work of reading a line grows linearly with the number of
day/time entries on it (counted in executed Python lines, not seconds), hostile regex inputs finish
well inside a generous bound, and the linear code reads every line exactly as the straightforward
quadratic versions did (property tests against those versions, kept here as oracles)."""

from __future__ import annotations

import re
import sys
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from services.knowledge_base import schedule_text
from services.knowledge_base.schedule_text import (
    _DATE_PATTERNS,
    _DAY_SPEC,
    _INTERVAL,
    _SUFFIX,
    DayHours,
    _days_of,
    find_dates,
    find_doctor_name,
    parse_day_hours,
    parse_interval,
    read_cell_hours,
    sentences,
)

GENEROUS_SECONDS = 10.0  # the quadratic versions took minutes on these inputs


def executed_lines(function, *args) -> int:
    """How many Python lines of schedule_text run for one call: a work counter independent of the machine."""
    count = 0
    module_file = schedule_text.__file__

    def tracer(frame, event, _arg):
        nonlocal count
        if frame.f_code.co_filename != module_file:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


def long_line(entries: int) -> str:
    return "Dr. Sarah Chen " + " ".join(f"{day} 9-5" for day in ["Mon", "Tue", "Wed", "Thu", "Fri"] * (entries // 5))


def test_reading_a_line_grows_linearly_with_its_entries():
    small, large = executed_lines(parse_day_hours, long_line(500)), executed_lines(parse_day_hours, long_line(2000))
    assert large < 5 * small, (small, large)  # four times the entries; quadratic work would be sixteen times


def test_a_line_of_forty_thousand_entries_is_read_quickly():
    started = time.perf_counter()
    schedule = parse_day_hours(long_line(40_000))
    assert time.perf_counter() - started < GENEROUS_SECONDS
    assert {days for days, _ in schedule.groups} == {(0,), (1,), (2,), (3,), (4,)}


def test_hostile_lines_for_the_regexes_finish_quickly():
    hostile = [
        ", ".join(str(day % 28 + 1) for day in range(20_000)),  # a day list that never reaches "and"
        " ".join("Chen MD" for _ in range(20_000)),  # suffixes without a name before them
        " ".join("Dr. X" for _ in range(20_000)),  # abbreviations that never end a sentence
        "-" * 100_000 + "x",  # punctuation around an optional word
    ]
    started = time.perf_counter()
    for text in hostile:
        find_dates(text)
        find_doctor_name(text)
        sentences(text)
        read_cell_hours(text)
    assert time.perf_counter() - started < GENEROUS_SECONDS


# Oracles: the straightforward versions the linear code replaced.

def reference_parse_day_hours(text: str) -> DayHours:
    result = DayHours()
    specs = list(_DAY_SPEC.finditer(text))
    intervals = [match for match in _INTERVAL.finditer(text)
                 if not any(spec.start() < match.end() and match.start() < spec.end() for spec in specs)]
    result.spans = [(match.start(), match.end()) for match in [*specs, *intervals]]
    groups = [(_days_of(spec.group()), []) for spec in specs]
    previous = None
    for match in intervals:
        owner = None
        for index, spec in enumerate(specs):
            if spec.end() <= match.start():
                owner = index
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


_UNBOUNDED_DATES = tuple((kind, re.compile(pattern.pattern.replace("{0,30}", "*"), pattern.flags))
                         for kind, pattern in _DATE_PATTERNS)


def reference_find_dates(text: str, monkeypatch_target=schedule_text):
    saved = monkeypatch_target._DATE_PATTERNS
    monkeypatch_target._DATE_PATTERNS = _UNBOUNDED_DATES
    try:
        return find_dates(text)
    finally:
        monkeypatch_target._DATE_PATTERNS = saved


def reference_suffix_name(text: str):
    for suffix in _SUFFIX.finditer(text):
        words = text[:suffix.start()].split()
        taken: list[str] = []
        for word in reversed(words):
            if schedule_text._is_name_word(word) and len(taken) < 4 and not word.endswith((",", ":", ";")):
                taken.insert(0, word)
            else:
                break
        if len(taken) >= 2:
            return " ".join(taken)
    return None


_OLD_OFF_CELL = re.compile(r"^\W*(?:off|closed|close|none|n/?a|not working|no clinic|no session|day off|x)?\W*$",
                           re.IGNORECASE)

TOKENS = ["Mon", "Tue", "Wednesday", "Thurs.", "Fri", "Sat", "Sun", "weekdays", "daily", "every day", "-", "–", "to",
          "through", ",", "&", "and", "/", "+", "9", "9am", "5pm", "12:30", "13.30", "noon", "midnight", "8:00",
          "17:00", "1", "5", "24", "25", "26", "December", "Jan.", "2027", "of", "closed", "off", "Dr.", "Sarah",
          "Chen", "MD", "DDS", ".", ";", "X", "n/a", "then", "Leave", "(", ")", "3rd", "2026-12-24"]
lines = st.lists(st.sampled_from(TOKENS), max_size=40).flatmap(
    lambda words: st.lists(st.sampled_from(["", " ", "  "]), min_size=len(words), max_size=len(words)).map(
        lambda gaps: "".join(f"{gap}{word}" if gap or index == 0 else f" {word}"
                             for index, (gap, word) in enumerate(zip(gaps, words, strict=True)))))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=lines)
def test_lines_are_read_as_before(text):
    assert parse_day_hours(text) == reference_parse_day_hours(text)
    assert find_dates(text) == reference_find_dates(text)
    found = find_doctor_name(text)
    if not list(schedule_text._TITLE.finditer(text)):
        assert (found.bare if found else None) == reference_suffix_name(text)
    assert bool(schedule_text._OFF_CELL.match(text)) == bool(_OLD_OFF_CELL.match(text))
    assert sentences(text) == [part for part in _reference_sentences(text)]


def _reference_sentences(text: str) -> list[str]:
    parts, start = [], 0
    for match in schedule_text._SENTENCE_END.finditer(text):
        word = text[start:match.start()].split()[-1:] or [""]
        core = word[0].lower().lstrip("(")
        if text[match.start()] == "." and (core in schedule_text._ABBREVIATIONS or len(core) == 1 and core.isalpha()):
            continue
        parts.append(text[start:match.start() + 1].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]
