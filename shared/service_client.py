"""The one client services use to call each other: JSON over HTTP with the service token,
timeouts, bounded retries on idempotent calls, request id / CallSid propagation, and the calling
service's name (for the audit log of whoever is called)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import requests
from flask import current_app, g, has_app_context, has_request_context

from shared.routes import SERVICES, dashed

log = logging.getLogger(__name__)

IN_PROCESS_BASE_URL = "http://in-process"
_RETRYABLE_STATUS = frozenset({502, 503, 504})
DEADLINE_HEADER = "X-Deadline-Ms"
SERVICE_HEADER = "X-Service-Name"
MIN_CALL_SECONDS = 0.05  # less time than this left in the turn: do not start another call


def remaining_turn_seconds() -> float | None:
    """Seconds left in the current Twilio turn's budget (inherited by internal requests), or None."""
    deadline = g.get("deadline") if has_request_context() else None
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


class ServiceCallError(Exception):
    """Another service could not be reached or failed (5xx), or answered an unexpected 4xx."""

    def __init__(self, service: str, path: str, status: int | None, message: str):
        super().__init__(f"{service} {path}: {status or 'unreachable'}: {message}")
        self.service = service
        self.path = path
        self.status = status
        self.message = message


@dataclass(frozen=True)
class ServiceResponse:
    """A decoded answer: HTTP status and JSON body."""

    status: int
    data: Any

    @property
    def ok(self) -> bool:
        """True for 2xx."""
        return 200 <= self.status < 300


class ServiceClient:
    """Calls other services by name; see CommonSettings.service_url_template for addressing."""

    def __init__(self, settings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        # Calls between services never go through a proxy or use .netrc, and reading the environment
        # for them on every request cost more CPU than the rest of requests' client side (profiled).
        self.session.trust_env = False
        self.token = settings.internal_api_token.get_secret_value()

    def base_url(self, service: str) -> str:
        """Where a service listens: its own URL, the URL template, or in-process in local all-in-one mode."""
        if service not in SERVICES:
            raise KeyError(f"unknown service {service!r}")
        own = self.settings.service_urls.get(service)
        if own:
            return own.rstrip("/")
        template = self.settings.service_url_template
        if not template:
            return IN_PROCESS_BASE_URL
        return template.format(service=dashed(service)).rstrip("/")

    def _headers(self, idempotency_key: str | None, remaining: float | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if has_app_context() and current_app.config.get("SERVICE"):
            headers[SERVICE_HEADER] = current_app.config["SERVICE"]
        if remaining is not None:
            headers[DEADLINE_HEADER] = str(int(remaining * 1000))
        if has_request_context():
            if g.get("request_id"):
                headers["X-Request-ID"] = g.request_id
            if g.get("call_sid"):
                headers["X-Call-Sid"] = g.call_sid
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
        read_only: bool = False,
    ) -> ServiceResponse:
        """Make one call; 4xx come back as a ServiceResponse, transport errors and 5xx raise.

        GETs, calls carrying an idempotency key and `read_only` POSTs (a search whose criteria must not
        travel in the URL) are retried (bounded) on transport errors and 502/503/504; other calls are
        attempted once, because repeating them could act twice.
        Inside a Twilio turn (or a request made for one) every attempt fits in what is left of the
        turn's deadline, and no attempt starts once it has passed, so the caller is answered in time.
        """
        url = self.base_url(service) + path
        retryable = method.upper() == "GET" or idempotency_key is not None or read_only
        attempts = 1 + (self.settings.http_retries if retryable else 0)
        read_timeout = timeout or self.settings.http_timeout_seconds
        deadline = g.get("deadline") if has_request_context() else None
        last_error = "no attempt made"
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(0.05 * 2**attempt, 0.4, max(self._remaining(deadline) or 0.4, 0)))
            remaining = self._remaining(deadline)
            if remaining is not None and remaining < MIN_CALL_SECONDS:
                last_error = "turn deadline reached"
                log.warning("call to %s %s skipped: the turn's deadline has passed", service, path)
                break
            try:
                response = self.session.request(
                    method, url, params=params, json=json, headers=self._headers(idempotency_key, remaining),
                    timeout=(min(self.settings.http_connect_timeout_seconds, remaining or float("inf")),
                             min(read_timeout, remaining or float("inf"))),
                )
            except requests.RequestException as error:
                last_error = type(error).__name__
                log.warning("call to %s %s failed: %s", service, path, last_error)
                continue
            if response.status_code in _RETRYABLE_STATUS and attempt + 1 < attempts:
                last_error = f"HTTP {response.status_code}"
                continue
            return self._decode(service, path, response)
        raise ServiceCallError(service, path, None, last_error)

    @staticmethod
    def _remaining(deadline: float | None) -> float | None:
        return None if deadline is None else deadline - time.monotonic()

    def _decode(self, service: str, path: str, response: requests.Response) -> ServiceResponse:
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None
        if response.status_code >= 500:
            message = (data or {}).get("message") if isinstance(data, dict) else None
            raise ServiceCallError(service, path, response.status_code, message or "server error")
        return ServiceResponse(response.status_code, data)

    def get(self, service: str, path: str, **params: Any) -> Any:
        """GET and return the JSON body; any non-2xx raises ServiceCallError."""
        return self._expect_ok(self.call("GET", service, path, params=params or None), service, path)

    def post(self, service: str, path: str, payload: Any, *, idempotency_key: str | None = None,
             read_only: bool = False) -> Any:
        """POST JSON and return the JSON body; any non-2xx raises ServiceCallError."""
        answer = self.call("POST", service, path, json=payload, idempotency_key=idempotency_key, read_only=read_only)
        return self._expect_ok(answer, service, path)

    @staticmethod
    def _expect_ok(answer: ServiceResponse, service: str, path: str) -> Any:
        if not answer.ok:
            message = answer.data.get("message") if isinstance(answer.data, dict) else None
            raise ServiceCallError(service, path, answer.status, message or "request refused")
        return answer.data
