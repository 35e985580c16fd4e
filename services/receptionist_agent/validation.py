"""Guest details validated and normalised with pydantic (phonenumbers for phones): a name written as
names are, a phone in E.164, a lower-case e-mail, tidy address and purpose; a message per bad field."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from services.receptionist_agent.names import capitalise_name

EMAIL = re.compile(r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
                   r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}")
MESSAGES = {"missing": "is required", "string_type": "must be text", "string_too_long": "is too long",
            "string_too_short": "is too short"}


class GuestInfo(BaseModel):
    """A caller's details as the clinic records them."""

    model_config = ConfigDict(str_strip_whitespace=True)

    region: str = Field("US", exclude=True, min_length=2, max_length=2)
    name: str = Field(max_length=200)
    phone: str = Field(max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=500)
    purpose: str | None = Field(None, max_length=500)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        words = value.split()
        if sum(character.isalpha() for character in value) < 2:
            raise ValueError("a name needs at least two letters")
        if re.search(r"[\d@#$%^&*()_+=<>{}\[\]|\\/]", value):
            raise ValueError("a name cannot contain digits or symbols")
        if value.islower() or value.isupper():
            return " ".join(capitalise_name(word, index, len(words)) for index, word in enumerate(words))
        return " ".join(words)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str, info: ValidationInfo) -> str:
        region = (info.data.get("region") or "US").upper()
        try:
            parsed = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            raise ValueError("not a phone number") from None
        if not phonenumbers.is_valid_number(parsed):
            raise ValueError(f"not a valid phone number (region {region})")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = value.lower()
        if not EMAIL.fullmatch(value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = " ".join(value.split())
        if len(value) < 5 or not re.search(r"[^\W\d_]", value):
            raise ValueError("an address needs a street or place name")
        return value

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, value: str | None) -> str | None:
        return " ".join(value.split()) or None if value else None


def guest_field_errors(error: ValidationError) -> dict[str, str]:
    """{field: message} without pydantic's "Value error, " prefix."""
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        message = MESSAGES.get(item["type"]) or item["msg"].removeprefix("Value error, ")
        fields.setdefault(name, message)
    return fields


def validate_guest(payload: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Normalised details and no errors, or None and a message per bad field."""
    try:
        return GuestInfo.model_validate(payload).model_dump(), {}
    except ValidationError as error:
        return None, guest_field_errors(error)
