"""Guest details validated and normalised with pydantic (and phonenumbers for phones)."""

from __future__ import annotations

import re

import phonenumbers
from pydantic import BaseModel, Field, field_validator


class GuestInfo(BaseModel):
    """A caller's details as the clinic records them."""

    name: str = Field(min_length=2, max_length=200)
    phone: str
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=500)
    purpose: str | None = Field(None, max_length=500)
    region: str = Field("US", exclude=True)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not re.search(r"[^\W\d_]", value):
            raise ValueError("a name needs letters")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str, info) -> str:
        try:
            parsed = phonenumbers.parse(value, info.data.get("region") or "US")
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number") from None
        if not phonenumbers.is_valid_number(parsed):
            raise ValueError("not a valid phone number")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("address", "purpose")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return " ".join(value.split()) or None if value else None
