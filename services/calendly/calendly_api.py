"""The Calendly API v2 client: a pooled `requests` session with timeouts, typed results, Calendly's
error body ({title, message, details}) mapped to exceptions, 429 handled by its X-RateLimit-Reset,
5xx and timeouts retried with capped backoff, and a circuit breaker that stops calling while
Calendly is failing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from shared import metrics

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.calendly.com"
_RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


class CalendlyError(Exception):
    """Calendly refused or failed a request; carries its error body."""

    def __init__(self, status: int | None, title: str, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(f"Calendly {status or 'unreachable'}: {title}: {message}")
        self.status = status
        self.title = title
        self.message = message
        self.details = details or []


class CalendlyRateLimited(CalendlyError):
    """429: wait `retry_after` seconds (from X-RateLimit-Reset) before asking again."""

    def __init__(self, retry_after: float, title: str, message: str, details=None):
        super().__init__(429, title, message, details)
        self.retry_after = retry_after


class CalendlyUnavailable(CalendlyError):
    """Calendly is down, timing out, or the circuit breaker is open: try again later."""


class CalendlyPermissionDenied(CalendlyError):
    """403: the plan or the token's scope does not allow this."""


class CalendlyNotFound(CalendlyError):
    """404: the resource does not exist (or is not visible to the token)."""


@dataclass(frozen=True)
class AvailableTime:
    """One bookable start time of an event type."""

    start: datetime
    status: str
    invitees_remaining: int | None
    scheduling_url: str | None


@dataclass(frozen=True)
class BookedInvitee:
    """What POST /invitees (and GET invitee) return that we keep on the appointment."""

    uri: str
    event: str
    cancel_url: str | None
    reschedule_url: str | None
    status: str | None = None
    name: str | None = None
    email: str | None = None
    text_reminder_number: str | None = None
    old_invitee: str | None = None
    new_invitee: str | None = None


@dataclass(frozen=True)
class ScheduledEvent:
    """A Calendly scheduled event: when, and of which event type."""

    uri: str
    event_type: str | None
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class EventType:
    """An event type staff map to a doctor."""

    uri: str
    name: str
    slug: str | None
    duration_minutes: int | None
    active: bool
    scheduling_url: str | None


@dataclass(frozen=True)
class CalendlyUser:
    """The token's user and its organization."""

    uri: str
    name: str
    organization: str


def parse_time(value: str) -> datetime:
    """Calendly's ISO 8601 UTC timestamps ("...Z", microseconds optional) as aware datetimes."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def format_time(value: datetime) -> str:
    """An aware datetime in Calendly's UTC format."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def uuid_of(uri: str) -> str:
    """The last path segment of a Calendly resource URI."""
    return urlsplit(uri).path.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `reset_seconds` lets one trial call through."""

    threshold: int = 5
    reset_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def is_open(self) -> bool:
        """True while calls are being refused without trying Calendly."""
        with self._lock:
            return self.opened_at is not None and self.clock() - self.opened_at < self.reset_seconds

    def allow(self) -> bool:
        """Whether a call may go out now (closed, or half-open after the reset period)."""
        with self._lock:
            if self.opened_at is None:
                return True
            if self.clock() - self.opened_at >= self.reset_seconds:
                self.opened_at = self.clock()  # one trial per reset period while half-open
                return True
            return False

    def record_success(self) -> None:
        """Close the breaker."""
        with self._lock:
            self.failures, self.opened_at = 0, None
        metrics.breaker_state("calendly", is_open=False)

    def record_failure(self) -> None:
        """Count a failure; open at the threshold."""
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                if self.opened_at is None:
                    log.warning("Calendly circuit opened after %s failures", self.failures)
                self.opened_at = self.clock()
                metrics.breaker_state("calendly", is_open=True)


class CalendlyClient:
    """Calendly API v2 over one pooled session; every method returns typed results or raises CalendlyError."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        session: requests.Session | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 8.0,
        retries: int = 2,
        backoff_seconds: float = 0.5,
        backoff_cap_seconds: float = 4.0,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall_clock: Callable[[], float] = time.time,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or self._pooled_session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self.timeout = (connect_timeout, read_timeout)
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.backoff_cap_seconds = backoff_cap_seconds
        self.breaker = breaker or CircuitBreaker()
        self.sleep = sleep
        self.wall_clock = wall_clock

    @classmethod
    def from_settings(cls, settings) -> CalendlyClient | None:
        """A client when CALENDLY_TOKEN is set, else None (the local scheduler alone serves)."""
        if settings.calendly_token is None:
            return None
        return cls(
            settings.calendly_token.get_secret_value(),
            base_url=settings.calendly_api_url,
            connect_timeout=settings.http_connect_timeout_seconds,
            read_timeout=settings.calendly_timeout_seconds,
            retries=settings.calendly_retries,
            breaker=CircuitBreaker(settings.calendly_breaker_threshold, settings.calendly_breaker_reset_seconds),
        )

    @staticmethod
    def _pooled_session() -> requests.Session:
        session = requests.Session()
        session.mount("https://", HTTPAdapter(pool_connections=4, pool_maxsize=16))
        return session

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_cap_seconds, self.backoff_seconds * 2**attempt)

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                json: dict[str, Any] | None = None, retry_read_timeouts: bool = True) -> dict[str, Any]:
        """One API call with retries and the circuit breaker; returns the JSON body or raises CalendlyError.

        A read timeout on a call that creates something is not repeated (it may have been done):
        `retry_read_timeouts=False`; the sync queue retries it later instead.
        """
        url = path if path.startswith("http") else self.base_url + path
        last: CalendlyError | None = None
        for attempt in range(self.retries + 1):
            if not self.breaker.allow():
                raise CalendlyUnavailable(None, "Circuit Open", "Calendly is failing; calls are paused")
            if attempt:
                self.sleep(self._backoff(attempt - 1))
            try:
                response = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
            except requests.ConnectionError as error:
                last = CalendlyUnavailable(None, "Unreachable", type(error).__name__)
            except requests.Timeout as error:
                last = CalendlyUnavailable(None, "Timeout", type(error).__name__)
                if not retry_read_timeouts:
                    self.breaker.record_failure()
                    raise last from error
            else:
                if response.status_code not in _RETRYABLE_STATUS:
                    self.breaker.record_success()
                    return self._decode(response)
                last = CalendlyUnavailable(response.status_code, *self._error_fields(response)[:2])
            self.breaker.record_failure()
            log.warning("Calendly %s %s failed (attempt %s): %s", method, urlsplit(url).path, attempt + 1, last.title)
        assert last is not None
        raise last

    @staticmethod
    def _error_fields(response: requests.Response) -> tuple[str, str, list[dict[str, Any]]]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return response.reason or "Error", f"HTTP {response.status_code}", []
        return str(body.get("title") or response.reason), str(body.get("message") or ""), body.get("details") or []

    def _decode(self, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if 200 <= status < 300:
            return response.json() if response.content else {}
        title, message, details = self._error_fields(response)
        if status == 429:
            raise CalendlyRateLimited(_reset_seconds(response, self.wall_clock()), title, message, details)
        if status == 403:
            raise CalendlyPermissionDenied(status, title, message, details)
        if status == 404:
            raise CalendlyNotFound(status, title, message, details)
        raise CalendlyError(status, title, message, details)

    def current_user(self) -> CalendlyUser:
        """GET /users/me."""
        resource = self.request("GET", "/users/me")["resource"]
        return CalendlyUser(resource["uri"], resource.get("name", ""), resource["current_organization"])

    def event_types(self, *, user: str | None = None, organization: str | None = None) -> list[EventType]:
        """GET /event_types for a user or an organization, following pagination."""
        params: dict[str, Any] = {"count": 100}
        if user:
            params["user"] = user
        if organization:
            params["organization"] = organization
        found: list[EventType] = []
        while True:
            body = self.request("GET", "/event_types", params=params)
            found.extend(
                EventType(item["uri"], item.get("name", ""), item.get("slug"), item.get("duration"),
                          bool(item.get("active", True)), item.get("scheduling_url"))
                for item in body.get("collection", [])
            )
            token = (body.get("pagination") or {}).get("next_page_token")
            if not token:
                return found
            params["page_token"] = token

    def available_times(self, event_type: str, start: datetime, end: datetime) -> list[AvailableTime]:
        """GET /event_type_available_times for one window (the caller keeps it within Calendly's limit)."""
        body = self.request("GET", "/event_type_available_times", params={
            "event_type": event_type, "start_time": format_time(start), "end_time": format_time(end),
        })
        return [
            AvailableTime(parse_time(item["start_time"]), item.get("status", "available"),
                          item.get("invitees_remaining"), item.get("scheduling_url"))
            for item in body.get("collection", [])
        ]

    def create_invitee(
        self, *, event_type: str, start: datetime, name: str, email: str, timezone_name: str,
        text_reminder_number: str | None = None, location: dict[str, Any] | None = None,
        questions_and_answers: list[dict[str, Any]] | None = None,
    ) -> BookedInvitee:
        """POST /invitees (Scheduling API): book `start` for the invitee."""
        invitee: dict[str, Any] = {"name": name, "email": email, "timezone": timezone_name}
        if text_reminder_number:
            invitee["text_reminder_number"] = text_reminder_number
        body: dict[str, Any] = {"event_type": event_type, "start_time": format_time(start), "invitee": invitee}
        if location:
            body["location"] = location
        if questions_and_answers:
            body["questions_and_answers"] = questions_and_answers
        resource = self.request("POST", "/invitees", json=body, retry_read_timeouts=False)["resource"]
        return _invitee(resource)

    def get_invitee(self, invitee_uri: str) -> BookedInvitee:
        """GET /scheduled_events/{event_uuid}/invitees/{invitee_uuid}."""
        return _invitee(self.request("GET", _api_path(invitee_uri))["resource"])

    def get_event(self, event_uri: str) -> ScheduledEvent:
        """GET /scheduled_events/{uuid}."""
        resource = self.request("GET", f"/scheduled_events/{uuid_of(event_uri)}")["resource"]
        return ScheduledEvent(resource["uri"], resource.get("event_type"), parse_time(resource["start_time"]),
                              parse_time(resource["end_time"]), resource.get("status", "active"))

    def cancel_event(self, event_uri: str, reason: str) -> None:
        """POST /scheduled_events/{uuid}/cancellation (201)."""
        self.request("POST", f"/scheduled_events/{uuid_of(event_uri)}/cancellation", json={"reason": reason})

    def create_scheduling_link(self, event_type: str) -> str:
        """POST /scheduling_links: a single-use booking URL for the event type."""
        body = {"max_event_count": 1, "owner": event_type, "owner_type": "EventType"}
        return self.request("POST", "/scheduling_links", json=body,
                            retry_read_timeouts=False)["resource"]["booking_url"]

    def create_webhook_subscription(
        self, *, url: str, organization: str, user: str | None, scope: str, signing_key: str | None,
        events: tuple[str, ...] = ("invitee.created", "invitee.canceled"),
    ) -> dict[str, Any]:
        """POST /webhook_subscriptions; returns the subscription resource."""
        body: dict[str, Any] = {"url": url, "events": list(events), "organization": organization, "scope": scope}
        if user and scope == "user":
            body["user"] = user
        if signing_key:
            body["signing_key"] = signing_key
        return self.request("POST", "/webhook_subscriptions", json=body)["resource"]


def _api_path(uri: str) -> str:
    return urlsplit(uri).path


def _invitee(resource: dict[str, Any]) -> BookedInvitee:
    return BookedInvitee(
        uri=resource["uri"], event=resource["event"], cancel_url=resource.get("cancel_url"),
        reschedule_url=resource.get("reschedule_url"), status=resource.get("status"), name=resource.get("name"),
        email=resource.get("email"), text_reminder_number=resource.get("text_reminder_number"),
        old_invitee=resource.get("old_invitee"), new_invitee=resource.get("new_invitee"),
    )


def _reset_seconds(response: requests.Response, now: float) -> float:
    """Seconds until the limit resets (Calendly sends seconds; an epoch value is converted from `now`)."""
    raw = response.headers.get("X-RateLimit-Reset") or response.headers.get("Retry-After") or "60"
    try:
        value = float(raw)
    except ValueError:
        return 60.0
    if value > 1_000_000_000:
        value -= now
    return max(1.0, value)
