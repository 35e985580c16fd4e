"""Spoken English to tokens: lower-casing, punctuation, and number words ("twenty third", "ten thirty")
turned into digits, the common ground of the date, phone and menu interpreters."""

from __future__ import annotations

import re
import unicodedata

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
         "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
ORDINAL_UNITS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
                 "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
                 "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
                 "nineteenth": 19}
ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30}
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
_TOKEN = re.compile(r"\d{1,2}:\d{2}|\d+(?:st|nd|rd|th)?|[^\W\d_]+(?:'[^\W\d_]+)?")


def plain(text: str) -> str:
    """Lower-case text with a.m./p.m. folded, hyphens as spaces and other punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    text = re.sub(r"\b([ap])\.?\s?m\b\.?", r"\1m", text)
    return text.replace("-", " ")


def tokens(text: str) -> list[str]:
    """Words, times like 10:30 and numbers of `text`, in order."""
    return _TOKEN.findall(plain(text))


def ordinal(token: str) -> int | None:
    """3 for "3rd" or "third", else None."""
    match = _ORDINAL_SUFFIX.match(token)
    if match:
        return int(match.group(1))
    return ORDINAL_UNITS.get(token) or ORDINAL_TENS.get(token)


def numbers_as_digits(words: list[str]) -> list[str]:
    """Number words joined into digit tokens: ["twenty", "third"] -> ["23rd"], ["ten", "thirty"] ->
    ["10", "30"], ["forty", "five"] -> ["45"]; other words unchanged."""
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in TENS:
            if following in UNITS and 0 < UNITS[following] < 10:
                out.append(str(TENS[word] + UNITS[following]))
                index += 2
                continue
            if following in ORDINAL_UNITS and ORDINAL_UNITS[following] < 10:
                out.append(f"{TENS[word] + ORDINAL_UNITS[following]}th")
                index += 2
                continue
            out.append(str(TENS[word]))
        elif word in UNITS:
            out.append(str(UNITS[word]))
        elif word in ORDINAL_UNITS or word in ORDINAL_TENS:
            out.append(f"{ordinal(word)}th")
        else:
            out.append(word)
        index += 1
    return out
