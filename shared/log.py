"""JSON logging with request id and CallSid on every line, a filter that redacts patient data, and the
gunicorn logger that sends gunicorn's own lines (and its access log) through both.

Redaction works on four levels: values passed under sensitive `extra` keys are replaced, phone
numbers and e-mail addresses are masked by pattern anywhere in the text, names or addresses a
request has registered with `register_sensitive()` are masked wherever they appear, and so are the
values the request itself carries under sensitive keys (a JSON body's name, phone or address, a
Twilio form's From or SpeechResult). The same `scrub` serves Sentry (shared/error_reporting.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import g, has_request_context, request
from gunicorn import glogging

REDACTED = "[redacted]"
SENSITIVE_KEYS = frozenset(
    {"name", "patient_name", "first_name", "phone", "to", "from_", "caller", "address", "email",
     "speech", "speech_result", "body", "patient"}
)
# What Twilio's webhooks carry about the caller: their number and whatever they said or typed in words.
SENSITIVE_FORM_FIELDS = ("From", "Caller", "SpeechResult", "UnstableSpeechResult", "Body", "CallerName")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_IPV4_END = re.compile(r"(?<![\d.])\d{1,3}(\.\d{1,3}){3}$")
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_MAX_JSON_DEPTH = 8


def register_sensitive(*values: str | None) -> None:
    """Mark values (a caller's name, address) to be masked in every log line of this request."""
    if not has_request_context():
        return
    bucket = g.setdefault("sensitive_values", set())
    for value in values:
        if value and len(value.strip()) >= 2:
            bucket.add(value.strip())


def scrub(text: str) -> str:
    """Mask phone numbers, e-mail addresses and this request's sensitive values in a string."""
    if has_request_context():
        for value in sorted(_request_sensitive_values(), key=len, reverse=True):
            text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    text = _EMAIL.sub("[email]", text)
    return _PHONE.sub(_mask_phone, text)


def _request_sensitive_values() -> set[str]:
    """Registered values plus those the request carries under sensitive keys (read once per request)."""
    if "carried_sensitive" not in g:
        g.carried_sensitive = True
        carried: list[str] = []
        if request.mimetype == "application/x-www-form-urlencoded":
            carried += [request.form.get(field, "") for field in SENSITIVE_FORM_FIELDS]
        elif request.mimetype == "application/json":
            _collect_sensitive(request.get_json(silent=True), carried, sensitive=False, depth=0)
        register_sensitive(*carried)
    return g.get("sensitive_values", set())


def _collect_sensitive(value: Any, found: list[str], *, sensitive: bool, depth: int) -> None:
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _collect_sensitive(item, found, sensitive=sensitive or key in SENSITIVE_KEYS, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            _collect_sensitive(item, found, sensitive=sensitive, depth=depth + 1)
    elif sensitive and isinstance(value, str):
        found.append(value)


def _mask_phone(match: re.Match) -> str:
    # Addresses like 127.0.0.1, an address's port (and what follows it, as in gunicorn's
    # "127.0.0.1:8080 (4242)") and short numbers are not phone numbers; seven digits or more are.
    found = match.group(0)
    if _IPV4.fullmatch(found) or sum(char.isdigit() for char in found) < 7:
        return found
    before = match.string[:match.start()]
    if before.endswith(":") and _IPV4_END.search(before[:-1]):
        return found
    return "[phone]"


class RedactionFilter(logging.Filter):
    """Removes patient data from a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the message, sensitive extras and exception text; never drops a record.

        The exception itself stays on the record (only its text is replaced by a scrubbed one) so
        that Sentry, which sees the record after the handlers, still reports the stack trace.
        """
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
        return True


class RequestContextFilter(logging.Filter):
    """Adds the service name, request id and CallSid to each record."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach context fields (a record made outside a request keeps its own); never drops a record."""
        record.service = getattr(record, "service", None) or self.service
        in_request = has_request_context()
        record.request_id = g.get("request_id") if in_request else getattr(record, "request_id", None)
        record.call_sid = g.get("call_sid") if in_request else getattr(record, "call_sid", None)
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


def redacting(handler: logging.Handler, service: str, fmt: str = "json") -> logging.Handler:
    """Give a handler the context and redaction filters and the JSON (or text) formatter."""
    handler.addFilter(RequestContextFilter(service))
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(service)s %(name)s [%(call_sid)s] %(message)s"
    ))
    return handler


def configure_logging(service: str, level: str = "INFO", fmt: str = "json", stream: TextIO | None = None) -> None:
    """Install the JSON (or text) handler with context and redaction on the root logger, once;
    to stderr unless `stream` is given."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in root.handlers:
        if getattr(handler, "_receptionist", False):
            return
    handler = redacting(logging.StreamHandler(stream or sys.stderr), service, fmt)
    handler._receptionist = True  # type: ignore[attr-defined]
    root.addHandler(handler)


class GunicornLogger(glogging.Logger):
    """Gunicorn's error and access logs as JSON lines through the same filters as the services' logs.

    An access line names the method, the path without its query string, the status, the duration
    and the request id; never the query string, the referrer or the client's headers.
    """

    def setup(self, cfg) -> None:
        """Let gunicorn open its outputs, then give each of its handlers our filters and formatter."""
        super().setup(cfg)
        service, fmt = os.environ.get("SERVICE", "all"), os.environ.get("LOG_FORMAT", "json").lower()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    redacting(handler, f"gunicorn-{service}", "text" if fmt == "text" else "json")

    def access(self, resp, req, environ, request_time) -> None:
        """One access line per request: method, path, status, duration and request id."""
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        headers = dict((name.lower(), value) for name, value in resp.headers)
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "-")
        self.access_log.info("%s %s %s", method, path, status, extra={
            "method": method, "path": path, "status": int(status) if status.isdigit() else status,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": headers.get("x-request-id") or None,
            "call_sid": environ.get("HTTP_X_CALL_SID") or None,
        })
