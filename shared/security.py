"""Authentication for the three kinds of caller: Twilio (signature), services (token), staff (admin token)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from functools import wraps

from flask import Request, abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def twilio_request_url(req: Request, public_base_url: str | None) -> str:
    """The URL Twilio signed: the configured public base plus path and query, else the URL as received."""
    if not public_base_url:
        return req.url
    query = req.query_string.decode("latin-1")
    return public_base_url.rstrip("/") + req.path + (f"?{query}" if query else "")


def is_valid_twilio_request(req: Request, auth_token: str, public_base_url: str | None) -> bool:
    """Check X-Twilio-Signature over the request URL and its POST parameters."""
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(auth_token)
    return validator.validate(twilio_request_url(req, public_base_url), req.form, signature)


def bearer_token_matches(req: Request, expected: str) -> bool:
    """Constant-time comparison of an `Authorization: Bearer` token."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )


def require_twilio_signature(view: Callable) -> Callable:
    """Answer 403 unless the request carries a valid Twilio signature (in every mode)."""

    @wraps(view)
    def checked(*args, **kwargs):
        settings = current_app.config["SETTINGS"]
        if not is_valid_twilio_request(
            request, settings.twilio_auth_token.get_secret_value(), settings.public_base_url
        ):
            log.warning("rejected request with a bad or missing Twilio signature", extra={"path": request.path})
            abort(403, description="invalid Twilio signature")
        return view(*args, **kwargs)

    return checked


def require_service_token(view: Callable) -> Callable:
    """Answer 401 unless the request carries the internal service token."""

    @wraps(view)
    def checked(*args, **kwargs):
        expected = current_app.config["SETTINGS"].internal_api_token.get_secret_value()
        if not bearer_token_matches(request, expected):
            abort(401, description="missing or invalid service token")
        return view(*args, **kwargs)

    return checked


def require_admin_token(view: Callable) -> Callable:
    """Answer 401 unless the request carries the staff admin token."""

    @wraps(view)
    def checked(*args, **kwargs):
        expected = current_app.config["SETTINGS"].admin_api_token.get_secret_value()
        if not bearer_token_matches(request, expected):
            abort(401, description="missing or invalid admin token")
        return view(*args, **kwargs)

    return checked
