"""receptionist_agent routes: interpret an utterance, validate guest details (internal)."""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, jsonify, request
from pydantic import BaseModel, Field, field_validator

from services.receptionist_agent.interpret import interpret as interpret_utterance
from services.receptionist_agent.validation import validate_guest
from shared.api import ApiError, OffsetDatetime, parse_json_body


class DoctorChoice(BaseModel):
    """One doctor the caller may name."""

    id: str | int
    name: str = Field(max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=50)


class InterpretRequest(BaseModel):
    """POST /agent/interpret."""

    kind: Literal["intent", "yes_no", "doctor", "datetime", "name", "phone"]
    text: str = Field(max_length=2000)
    timezone: str = "UTC"
    now: OffsetDatetime | None = None
    doctors: list[DoctorChoice] = Field(default_factory=list, max_length=200)
    region: str | None = Field(None, min_length=2, max_length=2)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA timezone") from None
        return value


def interpret():
    """Interpret one utterance of a given kind."""
    body = parse_json_body(InterpretRequest)
    region = body.region or current_app.config["SETTINGS"].default_region
    answer = interpret_utterance(body.kind, body.text, timezone=body.timezone, now=body.now, region=region,
                                 doctors=[doctor.model_dump() for doctor in body.doctors])
    return jsonify(answer)


def validate():
    """Normalise guest details, or 422 with a message per field."""
    payload: Any = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    guest, fields = validate_guest({"region": current_app.config["SETTINGS"].default_region, **payload})
    if guest is None:
        raise ApiError(422, "invalid_guest_details", "; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields)
    return jsonify(guest)


VIEWS = {"/agent/interpret": interpret, "/agent/validate": validate}
