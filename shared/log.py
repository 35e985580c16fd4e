"""JSON logging with request id and CallSid on every line, and a filter that redacts patient data.

Redaction works on three levels: values passed under sensitive `extra` keys are replaced, phone
numbers and e-mail addresses are masked by pattern anywhere in the text, and names or addresses a
request has registered with `register_sensitive()` are masked wherever they appear.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

from flask import g, has_request_context

REDACTED = "[redacted]"
SENSITIVE_KEYS = frozenset(
    {"name", "patient_name", "first_name", "phone", "to", "from_", "caller", "address", "email",
     "speech", "speech_result", "body", "patient"}
)
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def register_sensitive(*values: str | None) -> None:
    """Mark values (a caller's name, address) to be masked in every log line of this request."""
    if not has_request_context():
        return
    bucket = g.setdefault("sensitive_values", set())
    for value in values:
        if value and len(value.strip()) >= 2:
            bucket.add(value.strip())


def scrub(text: str) -> str:
    """Mask phone numbers, e-mail addresses and registered sensitive values in a string."""
    if has_request_context():
        for value in sorted(g.get("sensitive_values", ()), key=len, reverse=True):
            text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match) -> str:
    # Addresses like 127.0.0.1 and short numbers are not phone numbers; seven digits or more are.
    found = match.group(0)
    if _IPV4.fullmatch(found) or sum(char.isdigit() for char in found) < 7:
        return found
    return "[phone]"


class RedactionFilter(logging.Filter):
    """Removes patient data from a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the message, sensitive extras and exception text; never drops a record."""
        record.msg = scrub(record.getMessage())
        record.args = ()
        for key in list(vars(record)):
            if key in _STANDARD_ATTRS:
                continue
            if key in SENSITIVE_KEYS:
                setattr(record, key, REDACTED)
            elif isinstance(getattr(record, key), str):
                setattr(record, key, scrub(getattr(record, key)))
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class RequestContextFilter(logging.Filter):
    """Adds the service name, request id and CallSid to each record."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach context fields; never drops a record."""
        record.service = getattr(record, "service", None) or self.service
        in_request = has_request_context()
        record.request_id = g.get("request_id") if in_request else None
        record.call_sid = g.get("call_sid") if in_request else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, context and extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as a JSON line."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and value is not None:
                entry[key] = value if isinstance(value, (int, float, bool)) else str(value)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """Install the JSON (or text) handler with context and redaction on the root logger, once."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in root.handlers:
        if getattr(handler, "_receptionist", False):
            return
    handler = logging.StreamHandler(sys.stderr)
    handler._receptionist = True  # type: ignore[attr-defined]
    handler.addFilter(RequestContextFilter(service))
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(service)s %(name)s [%(call_sid)s] %(message)s"
    ))
    root.addHandler(handler)
