"""receptionist_agent routes: interpret an utterance, validate guest details (internal)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, jsonify, request
from pydantic import BaseModel, Field, field_validator

from services.receptionist_agent.interpret import interpret as interpret_utterance
from services.receptionist_agent.validation import validate_guest
from shared.api import ApiError, OffsetDatetime, parse_json_body
from shared.clock import now as clock_now


class DoctorChoice(BaseModel):
    """One doctor the caller may name."""

    id: str | int
    name: str = Field(max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=50)
    department: str | None = Field(None, max_length=200)


class InterpretRequest(BaseModel):
    """POST /agent/interpret."""

    kind: Literal["intent", "yes_no", "doctor", "datetime", "name", "phone", "utterance"]
    text: str = Field(max_length=2000)
    timezone: str = "UTC"
    now: OffsetDatetime | None = None
    doctors: list[DoctorChoice] = Field(default_factory=list, max_length=200)
    region: str | None = Field(None, min_length=2, max_length=2)
    expect: Literal["intent", "doctor", "time", "choice", "name", "phone", "address", "yes_no", "confirm",
                    "appointment", "code"] | None = None
    synonyms: dict[str, list[Annotated[str, Field(max_length=100)]]] = Field(default_factory=dict, max_length=100)

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
    answer = interpret_utterance(body.kind, body.text, timezone=body.timezone, now=body.now or clock_now(),
                                 region=region,
                                 doctors=[doctor.model_dump() for doctor in body.doctors], expect=body.expect,
                                 synonyms=body.synonyms)
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
