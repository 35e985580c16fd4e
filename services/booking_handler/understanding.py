"""What the caller meant and how times are said: the receptionist_agent contract (kind, text,
timezone, doctors -> value), yes/no by key or word, a numbered choice by key or word; and the
nearest free slots of a doctor, which every flow offers when a time is taken."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import phonenumbers

from shared.conversation import Turn
from shared.service_client import ServiceCallError
from shared.spoken_time import spoken_datetime

YES_NO_HINTS = ("yes", "no", "correct", "that's right", "yeah", "nope", "start over")
CHOICE_HINTS = ("one", "two", "three", "the first one", "the second one", "the third one")
DAY_HINTS = ("today", "tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
             "next week", "January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December", "morning", "afternoon", "noon", "half past", "quarter past",
             "quarter to", "o'clock", "AM", "PM")
PHONE_HINTS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "double",
               "triple", "yes", "no")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "last": -1}
_CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}


def clinic_region(turn: Turn) -> str:
    """The clinic's country (from its staff number), the default for phone numbers callers say."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(turn.clinic["staff_number"])) or "US"
    except phonenumbers.NumberParseException:
        return "US"


def interpret(turn: Turn, kind: str, text: str, **context: Any) -> dict[str, Any]:
    """Ask receptionist_agent what the words mean; an unavailable interpreter means "not understood"."""
    payload = {"kind": kind, "text": text, "timezone": turn.clinic["timezone"], "region": clinic_region(turn),
               **context}
    try:
        return turn.deps.client.post("receptionist_agent", "/agent/interpret", payload)
    except ServiceCallError:
        return {"value": None, "reason": "interpreter unavailable"}


def spoken_when(turn: Turn, start_iso: str) -> str:
    """A UTC ISO time as the caller hears it, in the clinic's timezone."""
    return spoken_datetime(datetime.fromisoformat(start_iso), turn.clinic["timezone"])


def caller_said_yes(turn: Turn) -> bool | None:
    """1 / yes-words -> True, 2 / no-words -> False, anything else -> None."""
    if turn.digits[:1] in ("1", "2"):
        return turn.digits[:1] == "1"
    if turn.speech:
        value = interpret(turn, "yes_no", turn.speech).get("value")
        return value if isinstance(value, bool) else None
    return None


def chosen_number(turn: Turn, count: int) -> int | None:
    """The 1-based option a caller picked by key or words ("two", "the first one"), or None."""
    if turn.digits:
        key = turn.digits[:1]
        return int(key) if key.isdigit() and 1 <= int(key) <= count else None
    words = re.findall(r"[a-z]+|\d+", turn.speech.lower())
    # "the second one": an ordinal decides, and "one" is then just a word
    picks = {_ORDINALS[word] for word in words if word in _ORDINALS} or {
        int(word) if word.isdigit() else _CARDINALS[word] for word in words if word.isdigit() or word in _CARDINALS
    }
    picks = {count if pick == -1 else pick for pick in picks}
    if len(picks) == 1 and 1 <= (pick := picks.pop()) <= count:
        return pick
    return None


def nearest_free_starts(turn: Turn, doctor_id: int, moment_iso: str, limit: int = 3) -> list[str]:
    """The doctor's free slot starts nearest to a moment (UTC ISO), from calendly, in time order."""
    answer = turn.deps.client.get("calendly", "/calendly/availability", doctor_id=doctor_id, near=moment_iso,
                                  limit=limit)
    return [slot["start"] for slot in answer["slots"]]
