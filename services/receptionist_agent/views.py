"""receptionist_agent routes: interpret an utterance, validate guest details (internal)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from flask import jsonify, request
from pydantic import BaseModel, Field, ValidationError

from services.receptionist_agent.interpret import INTERPRETERS
from services.receptionist_agent.validation import GuestInfo
from shared.api import ApiError, field_errors, parse_json_body


class InterpretRequest(BaseModel):
    """POST /agent/interpret."""

    kind: Literal["intent", "yes_no", "doctor", "datetime", "name", "phone"]
    text: str = Field(max_length=2000)
    timezone: str = "UTC"
    now: datetime | None = None
    doctors: list[dict[str, Any]] = Field(default_factory=list)
    region: str = "US"


def interpret():
    """Interpret one utterance of a given kind."""
    body = parse_json_body(InterpretRequest)
    answer = INTERPRETERS[body.kind](
        body.text, timezone=body.timezone, now=body.now, doctors=body.doctors, region=body.region
    )
    return jsonify(answer)


def validate():
    """Normalise guest details, or 422 with a message per field."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    try:
        guest = GuestInfo.model_validate(payload)
    except ValidationError as error:
        fields = field_errors(error)
        raise ApiError(422, "invalid_guest_details", "; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields) from None
    return jsonify(guest.model_dump())


VIEWS = {"/agent/interpret": interpret, "/agent/validate": validate}
