"""JSON API conventions for internal routes: errors with a message, and body validation with pydantic."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from flask import jsonify, request
from pydantic import AfterValidator, BaseModel, Field, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


# Times a clinic could mean: anything outside is refused before arithmetic on it could overflow.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2200


def _require_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a UTC offset")
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


# A datetime field that refuses naive times (times travel as UTC instants) and years no clinic books.
OffsetDatetime = Annotated[datetime, AfterValidator(_require_offset)]
# The id of a row (doctor, clinic, appointment): what a database integer key can hold, so an id no row
# can have is a clear 422 instead of a lookup.
DatabaseId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ApiError(Exception):
    """An error a service function raises to answer with a status and a JSON message."""

    def __init__(self, status: int, error: str, message: str, **details: Any):
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details


def json_error(status: int, error: str, message: str, **details: Any):
    """A JSON error response: {"error": code, "message": human text, ...details}."""
    response = jsonify({"error": error, "message": message, **details})
    response.status_code = status
    return response


def field_errors(error: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: message}."""
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


STAFF_HEADER = "X-Staff-User"
MAX_STAFF_CHARS = 200


def staff_user() -> str | None:
    """Who is acting, as the staff console says in X-Staff-User (free text: an id or an e-mail address);
    None when no staff member is named; ApiError 422 when it is too long."""
    staff = " ".join(request.headers.get(STAFF_HEADER, "").split())
    if len(staff) > MAX_STAFF_CHARS:
        raise ApiError(422, "invalid_staff", f"{STAFF_HEADER} is longer than {MAX_STAFF_CHARS} characters")
    return staff or None


def acting_staff() -> str:
    """The staff member an action must be recorded against; ApiError 422 when X-Staff-User names none."""
    staff = staff_user()
    if not staff:
        raise ApiError(422, "missing_staff", f"{STAFF_HEADER} must name the staff member")
    return staff


def parse_json_body(model: type[ModelT]) -> ModelT:
    """Validate the request's JSON body against a model; raise ApiError 400/422 with per-field messages."""
    try:
        payload = request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "invalid_json", "the JSON body is nested too deeply") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        fields = field_errors(error)
        summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
        raise ApiError(422, "validation_failed", summary, fields=fields) from None


def parse_query(model: type[ModelT]) -> ModelT:
    """Validate query parameters against a model; raise ApiError 422 with per-field messages."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        fields = field_errors(error)
        summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
        raise ApiError(422, "validation_failed", summary, fields=fields) from None
