"""Turning a caller's words (Twilio's transcript) into exact values: intent, yes/no, doctor, date and
time, name, phone. Each interpreter returns {"value": ..., "confidence": ...} or a null value with a
reason."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

import dateparser
import phonenumbers
from rapidfuzz import fuzz, process

Answer = dict[str, Any]

_INTENT_WORDS = {
    "book": ("book", "appointment", "schedule", "make", "new", "see a doctor", "see someone"),
    "cancel": ("cancel", "call off", "can't make"),
    "reschedule": ("reschedule", "move", "change", "different time", "another time"),
    "availability": ("availability", "available", "free", "when is", "open"),
    "staff": ("staff", "receptionist", "person", "human", "someone", "operator", "agent"),
}
_YES = ("yes", "yeah", "yep", "correct", "right", "sure", "confirm", "ok", "okay", "please do")
_NO = ("no", "nope", "wrong", "not", "cancel", "start over")
_FILLER = re.compile(r"\b(my name is|my name's|this is|it's|it is|i am|i'm|name is|uh+|um+|er)\b", re.IGNORECASE)
_TITLE = re.compile(r"\b(dr|doctor)\.?\s+", re.IGNORECASE)
_ANY_DOCTOR = ("any", "anyone", "whoever", "first available", "doesn't matter", "no preference")


def unknown(reason: str) -> Answer:
    """An answer that says the words could not be understood, and why."""
    return {"value": None, "reason": reason}


def interpret_intent(text: str, **_: Any) -> Answer:
    """book | cancel | reschedule | availability | staff."""
    lowered = text.lower()
    for intent in ("reschedule", "cancel", "availability", "staff", "book"):
        if any(word in lowered for word in _INTENT_WORDS[intent]):
            return {"value": intent, "confidence": 0.8}
    return unknown("no menu choice recognised")


def interpret_yes_no(text: str, **_: Any) -> Answer:
    """True for yes-like words, False for no-like words."""
    words = set(re.findall(r"[a-z']+", text.lower()))
    lowered = text.lower()
    if any(phrase in words or (" " in phrase and phrase in lowered) for phrase in _NO):
        return {"value": False, "confidence": 0.9}
    if any(phrase in words or (" " in phrase and phrase in lowered) for phrase in _YES):
        return {"value": True, "confidence": 0.9}
    return unknown("neither yes nor no")


def interpret_doctor(text: str, doctors: list[dict[str, Any]] | None = None, **_: Any) -> Answer:
    """The id of the doctor the caller named, or "any"."""
    lowered = text.lower()
    if any(phrase in lowered for phrase in _ANY_DOCTOR):
        return {"value": "any", "confidence": 0.9}
    spoken = _TITLE.sub("", lowered).strip()
    choices: dict[str, Any] = {}
    for doctor in doctors or []:
        for label in [doctor["name"], *doctor.get("aliases", [])]:
            choices[_TITLE.sub("", label.lower()).strip()] = doctor["id"]
    if not spoken or not choices:
        return unknown("no doctor named")
    match = process.extractOne(spoken, list(choices), scorer=fuzz.WRatio)
    if match is None or match[1] < 70:
        return unknown("no doctor matches")
    return {"value": choices[match[0]], "confidence": round(match[1] / 100, 2)}


def _normalise_time_words(text: str) -> str:
    text = re.sub(r"\bnoon\b", "12:00 pm", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhalf past (\d{1,2})\b", r"\1:30", text, flags=re.IGNORECASE)

    def bare_hour(match: re.Match) -> str:
        hour = int(match.group(1))
        return f"at {hour}:00 {'pm' if 1 <= hour <= 7 else 'am'}"

    return re.sub(r"\bat (\d{1,2})\b(?!\s*(?::|am|pm|a\.m|p\.m))", bare_hour, text, flags=re.IGNORECASE)


def interpret_datetime(text: str, timezone: str = "UTC", now: datetime | None = None, **_: Any) -> Answer:
    """An aware ISO datetime in the clinic's timezone; null for the past or nonsense."""
    zone = ZoneInfo(timezone)
    now = (now or datetime.now(zone)).astimezone(zone)
    parsed = dateparser.parse(
        _normalise_time_words(text),
        settings={"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future",
                  "RETURN_AS_TIMEZONE_AWARE": False},
    )
    if parsed is None:
        return unknown("no date or time recognised")
    moment = parsed.replace(tzinfo=zone)
    if moment <= now:
        return unknown("that time is in the past")
    if moment > now + timedelta(days=400):
        return unknown("that date is too far ahead")
    return {"value": moment.isoformat(), "confidence": 0.8}


def interpret_name(text: str, **_: Any) -> Answer:
    """A person's name without filler, capitalised."""
    cleaned = re.sub(r"[^\w\s'-]", " ", _FILLER.sub(" ", text))
    words = [word for word in cleaned.split() if word]
    if not words:
        return unknown("no name heard")
    return {"value": " ".join(word[:1].upper() + word[1:].lower() for word in words[:4]), "confidence": 0.8}


_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}


def interpret_phone(text: str, region: str = "US", **_: Any) -> Answer:
    """An E.164 number from spoken or typed digits."""
    digits = []
    for token in re.findall(r"\d+|[a-z]+", text.lower()):
        digits.append(token if token.isdigit() else _DIGIT_WORDS.get(token, ""))
    number = "".join(digits)
    if text.strip().startswith("+"):
        number = "+" + number
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return unknown("no phone number heard")
    if not phonenumbers.is_valid_number(parsed):
        return unknown("not a valid phone number")
    return {"value": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), "confidence": 0.9}


INTERPRETERS: dict[str, Callable[..., Answer]] = {
    "intent": interpret_intent,
    "yes_no": interpret_yes_no,
    "doctor": interpret_doctor,
    "datetime": interpret_datetime,
    "name": interpret_name,
    "phone": interpret_phone,
}
