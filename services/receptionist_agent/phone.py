"""A phone number in E.164 from spoken or typed digits ("six one seven, five five five, oh one two three",
"double five", "eight hundred", "plus forty four ..."); phonenumbers validates it with the clinic's
country as the default region."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from services.receptionist_agent.spoken import TENS, UNITS, plain

DIGIT_WORDS = {**{word: str(value) for word, value in UNITS.items() if value < 10},
               "oh": "0", "o": "0", "owe": "0", "nought": "0", "naught": "0", "won": "1", "tree": "3", "ate": "8",
               "sex": "6", "fife": "5", "niner": "9"}
# Only between digits, where they can only be numbers.
NEAR_DIGIT_WORDS = {"to": "2", "too": "2", "for": "4", "fore": "4", "free": "3", "tu": "2"}
REPEATS = {"double": 2, "triple": 3, "treble": 3}
STOP_WORDS = {"extension", "ext", "x"}


def _is_digit_word(word: str) -> bool:
    return word.isdigit() or word in DIGIT_WORDS or word in TENS or word in UNITS


def _spoken_digits(words: list[str]) -> str:
    """The digits the words say, in order."""
    digits: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in STOP_WORDS:
            break
        if word in REPEATS and following:
            value = following if following.isdigit() and len(following) == 1 else DIGIT_WORDS.get(following)
            if value is not None:
                digits.append(value * REPEATS[word])
                index += 2
                continue
        if word.isdigit():
            digits.append(word)
        elif word in DIGIT_WORDS and following == "hundred":
            after = words[index + 2] if index + 2 < len(words) else ""
            rest, taken = _below_hundred(words, index + 2) if after in TENS or UNITS.get(after, 0) >= 10 else (0, 0)
            digits.append(f"{DIGIT_WORDS[word]}{rest:02d}" if taken else f"{DIGIT_WORDS[word]}00")
            index += 2 + taken
            continue
        elif word in DIGIT_WORDS:
            digits.append(DIGIT_WORDS[word])
        elif word in UNITS or word in TENS:
            value, taken = _below_hundred(words, index)
            digits.append(str(value))
            index += taken
            continue
        elif word in NEAR_DIGIT_WORDS and digits and _is_digit_word(following):
            digits.append(NEAR_DIGIT_WORDS[word])
        index += 1
    return "".join(digits)


def _below_hundred(words: list[str], index: int) -> tuple[int, int]:
    """A number 0-99 said at words[index] ("fifty five", "twelve") and how many words it took."""
    word = words[index] if index < len(words) else ""
    following = words[index + 1] if index + 1 < len(words) else ""
    if word in TENS:
        if following in DIGIT_WORDS and following not in ("oh", "o", "owe", "zero", "nought", "naught"):
            return TENS[word] + int(DIGIT_WORDS[following]), 2
        return TENS[word], 1
    if word in UNITS:
        return UNITS[word], 1
    return 0, 0


def interpret_phone(text: str, region: str = "US", **_: Any) -> dict[str, Any]:
    """E.164 from spoken or typed digits, or null with a reason."""
    said = plain(text)
    words = re.findall(r"\d+|[^\W\d_]+", said.replace("+", " plus "))
    international = bool(words) and words[0] == "plus" or "plus" in words[:4]
    digits = _spoken_digits(words)
    if len(digits) < 7:
        return {"value": None, "reason": "no phone number heard"}
    region = (region or "US").upper()
    candidates = ["+" + digits] if international else [digits, "+" + digits]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            confidence = 0.95 if candidate == candidates[0] else 0.75
            return {"value": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                    "confidence": confidence}
    if len(digits) == 7:
        return {"value": None, "reason": "the area code is missing"}
    return {"value": None, "reason": "not a valid phone number"}
