"""Sentry, set up so that no patient data and nothing that authenticates leaves in an error report.

The SDK's defaults would send the request body (a Twilio turn's From and SpeechResult, a booking's
name and address), every header (X-Twilio-Signature is enough to replay a turn) and each frame's
local variables. Here the body is never read, local variables are off, personal data is off
(`data_collection`, which replaces the deprecated `send_default_pii`), and
`before_send` keeps a few harmless headers, drops the query string, cookies and user, and scrubs every
message, exception value, breadcrumb and extra with the logs' own redaction (shared/log.py).

Errors a service handles (its 500 handler logs them with `log.exception`) reach Sentry through the
logging integration with their stack trace; the log redaction keeps the exception on the record.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shared.log import REDACTED, SENSITIVE_KEYS, scrub

# Headers worth having in a report; everything else (Authorization, X-Twilio-Signature, cookies,
# forwarded addresses, the service token) is dropped.
KEPT_HEADERS = frozenset({"host", "user-agent", "content-type", "content-length", "accept", "x-request-id",
                          "x-call-sid", "x-service-name"})


def sentry_options(settings) -> dict[str, Any]:
    """The keyword arguments of `sentry_sdk.init` for a service's settings."""
    return {
        "dsn": settings.sentry_dsn,
        "environment": settings.environment,
        # data_collection supersedes send_default_pii (deprecated in sentry-sdk 2.x): no user, cookies,
        # bodies, query strings, frame variables or query parameters; only the harmless headers.
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
            "database_query_data": False,
            "gen_ai": {"inputs": False, "outputs": False},
        },
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": before_send,
        "before_breadcrumb": before_breadcrumb,
        "traces_sample_rate": 0.0,
    }


def init_sentry(settings, transport: Any = None) -> bool:
    """Start the Sentry client when SENTRY_DSN is set (tests pass a transport that keeps the envelopes)."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    options = sentry_options(settings)
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    return True


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Strip an event of bodies, authenticating headers, locals and patient data before it is sent."""
    event.pop("user", None)
    if "request" in event:
        event["request"] = _request(event["request"])
    _scrub_stack_traces(event)
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = scrub(logentry[key])
        logentry.pop("params", None)
    for key in ("extra", "tags"):
        if isinstance(event.get(key), dict):
            event[key] = _scrubbed(event[key])
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in values or []:
        before_breadcrumb(crumb, {})
    return event


def _scrub_stack_traces(event: dict[str, Any]) -> None:
    """Exception texts scrubbed; frames of exceptions and threads without their local variables."""
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub(exception["value"])
    for holder in ("exception", "threads"):
        for value in (event.get(holder) or {}).get("values") or []:
            for frame in (value.get("stacktrace") or {}).get("frames") or []:
                frame.pop("vars", None)


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Scrub a breadcrumb's message and data as the logs are scrubbed."""
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub(crumb["message"])
    if isinstance(crumb.get("data"), dict):
        crumb["data"] = _scrubbed(crumb["data"])
    return crumb


def _request(info: dict[str, Any]) -> dict[str, Any]:
    """A request's method, URL without query string and harmless headers; nothing else."""
    kept: dict[str, Any] = {"method": info.get("method")}
    if isinstance(info.get("url"), str):
        parts = urlsplit(info["url"])
        kept["url"] = scrub(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))
    headers = info.get("headers")
    if isinstance(headers, dict):
        kept["headers"] = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    return kept


def _scrubbed(value: Any, depth: int = 0) -> Any:
    """A copy with values under sensitive keys replaced and every string scrubbed."""
    if depth > 8:
        return REDACTED
    if isinstance(value, dict):
        return {key: REDACTED if key in SENSITIVE_KEYS else _scrubbed(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(item, depth + 1) for item in value]
    if isinstance(value, str):
        return scrub(value)
    return value
