"""Phone numbers callers type on the keypad, read as E.164 in the clinic's country."""

from __future__ import annotations

import re

import phonenumbers

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def phone_from_keys(digits: str, country: str = "US") -> str | None:
    """"6175550123" typed at a Boston clinic -> "+16175550123"; None unless it is a valid number."""
    if not digits.isascii() or not digits.isdigit() or not 7 <= len(digits) <= 15:
        return None
    try:
        parsed = phonenumbers.parse(digits, country.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
