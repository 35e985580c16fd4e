"""A `responses` fake of the Calendly API v2 that behaves like Calendly: resource shapes, 201/400/
403/404/429 with the error body {title, message, details}, rate-limit headers on every answer,
the one-week limit of available-times queries, and webhook deliveries signed like Calendly's."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from tests.calendly_sync.spec_check import SpecChecker
from tests.timing import test_now

BASE = "https://api.calendly.com"
USER = f"{BASE}/users/USER0000000000001"
ORGANIZATION = f"{BASE}/organizations/ORG00000000000001"
CHEN_EVENT_TYPE = f"{BASE}/event_types/CHEN0000000000001"
LOPEZ_EVENT_TYPE = f"{BASE}/event_types/LOPEZ000000000001"


def calendly_time(moment: datetime) -> str:
    """Calendly's timestamp format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse(value: str) -> datetime:
    """A Calendly timestamp as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def error_body(title: str, message: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Calendly's error body."""
    body: dict[str, Any] = {"title": title, "message": message}
    if details:
        body["details"] = details
    return body


def sign(body: bytes, key: str, timestamp: int | None = None) -> str:
    """A Calendly-Webhook-Signature header value for a body."""
    stamp = int(test_now().timestamp()) if timestamp is None else timestamp
    digest = hmac.new(key.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


@dataclass
class SentRequest:
    """One request our client sent."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any


@dataclass
class FakeCalendly:
    """Calendly's state and failure modes; every request is checked against the spec as it arrives."""

    checker: SpecChecker
    event_types: dict[str, dict[str, Any]] = field(default_factory=lambda: {
        CHEN_EVENT_TYPE: {"name": "Dr. Chen visit", "slug": "chen", "duration": 30},
        LOPEZ_EVENT_TYPE: {"name": "Cardiology consult", "slug": "lopez", "duration": 30},
    })
    open_times: dict[str, set[datetime]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    invitees: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[SentRequest] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    down: bool = False
    timeouts: int = 0
    failures: int = 0
    booking_forbidden: bool = False
    bookings_left: int | None = None
    booking_reset_seconds: int = 60
    reset_as_epoch: bool = False
    cancellation_failures: int = 0
    strict_times: bool = False
    now: Callable[[], datetime] = test_now
    page_size: int | None = None

    def install(self, mock: responses.RequestsMock) -> None:
        """Answer every Calendly URL through this fake."""
        for method in ("GET", "POST", "DELETE"):
            mock.add_callback(method, re.compile(re.escape(BASE) + r"/.*"), callback=self._answer)

    def requests_to(self, method: str, path_prefix: str) -> list[SentRequest]:
        """The requests sent to a method and path prefix, in order."""
        return [item for item in self.sent if item.method == method and item.path.startswith(path_prefix)]

    def _answer(self, request: requests.PreparedRequest):
        parts = urlsplit(request.url)
        body = json.loads(request.body) if request.body else None
        self.sent.append(SentRequest(request.method, parts.path, parse_qs(parts.query), body))
        self.problems += self.checker.check(request.method, request.url, body)
        if request.headers.get("Authorization") != "Bearer test-token":
            return self._reply(401, error_body("Unauthenticated", "The access token is invalid"))
        if self.timeouts:
            self.timeouts -= 1
            raise requests.exceptions.ReadTimeout("Calendly took too long")
        if self.down or self.failures:
            self.failures = max(0, self.failures - 1)
            return self._reply(503, error_body("Service Unavailable", "Calendly is temporarily unavailable"))
        route = f"{request.method} {parts.path}"
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, route)
            if match:
                return handler(query, body, *match.groups())
        return self._reply(404, error_body("Resource Not Found", "The server could not find the requested resource."))

    def _routes(self):
        return (
            (r"GET /users/me", self._me),
            (r"GET /event_types", self._event_types),
            (r"GET /event_type_available_times", self._available_times),
            (r"POST /invitees", self._create_invitee),
            (r"GET /scheduled_events/([^/]+)", self._get_event),
            (r"GET /scheduled_events/([^/]+)/invitees/([^/]+)", self._get_invitee),
            (r"POST /scheduled_events/([^/]+)/cancellation", self._cancel),
            (r"POST /scheduling_links", self._scheduling_link),
            (r"POST /webhook_subscriptions", self._subscribe),
        )

    @staticmethod
    def _reply(status: int, body: dict[str, Any], remaining: int = 499, reset: int = 60):
        headers = {"X-RateLimit-Limit": "500", "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset),
                   "Content-Type": "application/json"}
        return status, headers, json.dumps(body)

    def _me(self, query, body):
        return self._reply(200, {"resource": {"uri": USER, "name": "Riverside Clinic", "slug": "riverside",
                                              "email": "bookings@riverside.example", "timezone": "America/New_York",
                                              "current_organization": ORGANIZATION}})

    def _event_types(self, query, body):
        if query.get("user") != USER and query.get("organization") != ORGANIZATION:
            return self._reply(400, error_body("Invalid Argument", "The supplied parameters are invalid.",
                                               [{"parameter": "user", "message": "user or organization is required"}]))
        collection = [{"uri": uri, "name": data["name"], "slug": data["slug"], "duration": data["duration"],
                       "active": True, "scheduling_url": f"https://calendly.com/riverside/{data['slug']}"}
                      for uri, data in self.event_types.items()]
        # Pages of page_size (else of the asked count); the token is the next page's first index.
        size = self.page_size or int(query.get("count", 20))
        first = int(query.get("page_token") or 0)
        page, rest = collection[first:first + size], collection[first + size:]
        return self._reply(200, {"collection": page, "pagination": {
            "count": len(page), "next_page_token": str(first + size) if rest else None}})

    def _available_times(self, query, body):
        event_type = query.get("event_type")
        try:
            start, end = parse(query["start_time"]), parse(query["end_time"])
        except (KeyError, ValueError):
            return self._reply(400, error_body("Invalid Argument", "The supplied parameters are invalid.",
                                               [{"parameter": "start_time", "message": "is required"}]))
        details = []
        if end - start > timedelta(days=7):
            details.append({"parameter": "end_time", "message": "date range can be no greater than 1 week (7 days)"})
        if start < self.now() - timedelta(seconds=5):
            details.append({"parameter": "start_time", "message": "must be in the future"})
        if details:
            return self._reply(400, error_body("Invalid Argument", "The supplied parameters are invalid.", details))
        if event_type not in self.event_types:
            return self._reply(404, error_body("Resource Not Found",
                                               "The server could not find the requested resource."))
        times = sorted(moment for moment in self.open_times.get(event_type, set()) if start <= moment < end)
        return self._reply(200, {"collection": [
            {"status": "available", "invitees_remaining": 1, "start_time": calendly_time(moment),
             "scheduling_url": f"https://calendly.com/riverside/x/{calendly_time(moment)}"} for moment in times
        ]})

    def _reset_base(self) -> int:
        """What X-RateLimit-Reset counts from: now as a Unix epoch when the fake says so, else zero."""
        return int(self.now().timestamp()) if self.reset_as_epoch else 0

    def _create_invitee(self, query, body):
        if self.booking_forbidden:
            return self._reply(403, error_body("Permission Denied",
                                               "Please upgrade your Calendly account to use this feature"))
        if self.bookings_left is not None and self.bookings_left <= 0:
            return self._reply(429, error_body("Too Many Requests", "Rate limit exceeded for Create Event Invitee"),
                               remaining=0, reset=self.booking_reset_seconds + self._reset_base())
        if body.get("event_type") not in self.event_types:
            return self._reply(404, error_body("Resource Not Found",
                                               "The server could not find the requested resource."))
        start = parse(body["start_time"])
        taken = any(event["start"] == start and event["event_type"] == body["event_type"]
                    and event["status"] == "active" for event in self.events.values())
        if taken or (self.strict_times and start not in self.open_times.get(body["event_type"], set())):
            return self._reply(400, error_body("Invalid Argument", "The supplied parameters are invalid.",
                                               [{"parameter": "start_time",
                                                 "message": "The selected time is not available"}]))
        if self.bookings_left is not None:
            self.bookings_left -= 1
        invitee = self.book(body["event_type"], start, body["invitee"]["name"], body["invitee"]["email"],
                            body["invitee"].get("text_reminder_number"), body["invitee"]["timezone"])
        return self._reply(201, {"resource": invitee})

    def book(self, event_type: str, start: datetime, name: str, email: str, phone: str | None = None,
             timezone_name: str = "America/New_York", old_invitee: str | None = None) -> dict[str, Any]:
        """Create an event and its invitee as Calendly does (also used for bookings made on Calendly)."""
        event_id, invitee_id = uuid.uuid4().hex[:16].upper(), uuid.uuid4().hex[:16].upper()
        event_uri = f"{BASE}/scheduled_events/{event_id}"
        self.events[event_id] = {"uri": event_uri, "event_type": event_type, "start": start,
                                 "end": start + timedelta(minutes=self.event_types[event_type]["duration"]),
                                 "status": "active"}
        now = calendly_time(self.now())
        invitee = {
            "uri": f"{event_uri}/invitees/{invitee_id}", "event": event_uri, "name": name, "email": email,
            "first_name": None, "last_name": None, "status": "active", "timezone": timezone_name,
            "text_reminder_number": phone, "questions_and_answers": [], "rescheduled": False,
            "old_invitee": old_invitee, "new_invitee": None, "cancel_url": f"https://calendly.com/cancellations/{invitee_id}",
            "reschedule_url": f"https://calendly.com/reschedulings/{invitee_id}", "created_at": now, "updated_at": now,
            "canceled": False, "tracking": {"utm_campaign": None, "utm_source": None, "utm_medium": None,
                                            "utm_content": None, "utm_term": None, "salesforce_uuid": None},
        }
        self.invitees[invitee["uri"]] = invitee
        return invitee

    def cancel_on_calendly(self, invitee_uri: str, *, rescheduled_to: str | None = None) -> dict[str, Any]:
        """Cancel an invitee (and its event) as Calendly does; with a new invitee when rescheduled."""
        invitee = self.invitees[invitee_uri]
        invitee.update(status="canceled", canceled=True, rescheduled=rescheduled_to is not None,
                       new_invitee=rescheduled_to,
                       cancellation={"canceled_by": invitee["name"], "reason": "Conflict", "canceler_type": "invitee"})
        self.events[invitee["event"].rsplit("/", 1)[-1]]["status"] = "canceled"
        return invitee

    def _event_json(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"uri": event["uri"], "name": "Visit", "status": event["status"], "event_type": event["event_type"],
                "start_time": calendly_time(event["start"]), "end_time": calendly_time(event["end"]),
                "location": {"type": "physical", "location": "Riverside Family Clinic"},
                "invitees_counter": {"total": 1, "active": 1, "limit": 1},
                "created_at": calendly_time(self.now()), "updated_at": calendly_time(self.now()),
                "event_memberships": [{"user": USER}], "event_guests": []}

    def _get_event(self, query, body, event_id):
        event = self.events.get(event_id)
        if event is None:
            return self._reply(404, error_body("Resource Not Found",
                                               "The server could not find the requested resource."))
        return self._reply(200, {"resource": self._event_json(event)})

    def _get_invitee(self, query, body, event_id, invitee_id):
        invitee = self.invitees.get(f"{BASE}/scheduled_events/{event_id}/invitees/{invitee_id}")
        if invitee is None:
            return self._reply(404, error_body("Resource Not Found",
                                               "The server could not find the requested resource."))
        return self._reply(200, {"resource": invitee})

    def _cancel(self, query, body, event_id):
        if self.cancellation_failures:
            self.cancellation_failures -= 1
            return self._reply(500, error_body("Internal Server Error",
                                               "The server encountered an unexpected condition "
                                               "that prevented it from fulfilling the request."))
        event = self.events.get(event_id)
        if event is None:
            return self._reply(404, error_body("Resource Not Found",
                                               "The server could not find the requested resource."))
        if event["status"] == "canceled":
            return self._reply(403, error_body("Permission Denied", "Event is already canceled"))
        event["status"] = "canceled"
        return self._reply(201, {"resource": {"canceled_by": "Riverside Clinic", "reason": (body or {}).get("reason"),
                                              "canceler_type": "host"}})

    def _scheduling_link(self, query, body):
        if body.get("owner") not in self.event_types:
            return self._reply(404, error_body("Resource Not Found",
                                               "The server could not find the requested resource."))
        return self._reply(201, {"resource": {"booking_url": f"https://calendly.com/d/{uuid.uuid4().hex[:8]}/visit",
                                              "owner": body["owner"], "owner_type": "EventType"}})

    def _subscribe(self, query, body):
        if not str(body.get("url", "")).startswith("https://"):
            return self._reply(400, error_body("Invalid Argument", "The supplied parameters are invalid.",
                                               [{"parameter": "url", "message": "must be a valid https URL"}]))
        now = calendly_time(self.now())
        return self._reply(201, {"resource": {
            "uri": f"{BASE}/webhook_subscriptions/HOOK000000000001", "callback_url": body["url"], "created_at": now,
            "updated_at": now, "retry_started_at": None, "state": "active", "events": body["events"],
            "scope": body["scope"], "organization": body["organization"], "user": body.get("user"), "creator": USER,
        }})


def webhook_body(event: str, invitee: dict[str, Any], *, embed_event: dict[str, Any] | None = None) -> bytes:
    """A webhook delivery as Calendly sends it (optionally with the scheduled event embedded)."""
    payload = dict(invitee)
    if embed_event is not None:
        payload["scheduled_event"] = embed_event
    return json.dumps({"event": event, "created_at": calendly_time(test_now()),
                       "created_by": USER, "payload": payload}).encode()
