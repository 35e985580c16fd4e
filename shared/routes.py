"""The one route table: which service owns which path, how it is exposed, and with which methods.

Blueprints, the local all-in-one dispatcher, the Kubernetes Ingress and the load-test router are all
derived from ROUTES, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Exposure(StrEnum):
    """Who may call a route, which decides its authentication and whether the Ingress carries it."""

    TWILIO = "twilio"  # Twilio webhooks: signature-checked, answered with TwiML, public
    WEBHOOK = "webhook"  # third-party webhooks (Calendly): vendor signature, public
    INTERNAL = "internal"  # service-to-service JSON: service token, cluster-only
    ADMIN = "admin"  # clinic staff tools: admin token, cluster-only
    MEDIA = "media"  # audio files served in local mode only
    STAFF = "staff"  # the staff console's pages: public under STAFF_PREFIX, behind its own login (or ALB OIDC)


@dataclass(frozen=True)
class Route:
    """One path owned by one service."""

    path: str
    service: str
    methods: tuple[str, ...]
    exposure: Exposure

    @property
    def is_public(self) -> bool:
        """True when the route must be reachable from the internet (through the Ingress)."""
        return self.exposure in (Exposure.TWILIO, Exposure.WEBHOOK, Exposure.STAFF)


SERVICES: tuple[str, ...] = (
    "twilio_handler",
    "intent_handler",
    "booking_handler",
    "calendly",
    "knowledge_base",
    "messaging",
    "tts",
    "receptionist_agent",
    "staff_console",
)

# The staff console's pages all live under this prefix; the Ingress carries it as one Prefix path.
STAFF_PREFIX = "/staff/"

# Paths every service process answers for itself; they are per-process, so not in the table.
OPERATIONS_PATHS: tuple[str, ...] = ("/healthz", "/readyz", "/metrics")

_T, _W, _I, _A, _M = Exposure.TWILIO, Exposure.WEBHOOK, Exposure.INTERNAL, Exposure.ADMIN, Exposure.MEDIA
_S = Exposure.STAFF
_POST, _GET, _FORM = ("POST",), ("GET",), ("GET", "POST")

ROUTES: tuple[Route, ...] = (
    # twilio_handler: the call's entry and end, and handing callers to staff
    Route("/voice", "twilio_handler", _POST, _T),
    Route("/call-status", "twilio_handler", _POST, _T),
    Route("/staff-whisper", "twilio_handler", _POST, _T),
    Route("/transfer-ended", "twilio_handler", _POST, _T),
    Route("/capture-callback-number", "twilio_handler", _POST, _T),
    Route("/twilio/calls", "twilio_handler", _GET, _I),
    Route("/twilio/calls/summary", "twilio_handler", _GET, _I),
    Route("/twilio/callbacks", "twilio_handler", _GET, _I),
    Route("/twilio/callbacks/<call_sid>/open", "twilio_handler", _POST, _I),
    Route("/twilio/callbacks/<call_sid>/done", "twilio_handler", _POST, _I),
    # intent_handler: the main menu
    Route("/process-selection", "intent_handler", _POST, _T),
    # booking_handler: the steps of the booking, availability, cancel and reschedule flows
    Route("/capture-doctor-name", "booking_handler", _POST, _T),
    Route("/confirm-doctor", "booking_handler", _POST, _T),
    Route("/capture-appointment-time", "booking_handler", _POST, _T),
    Route("/choose-slot", "booking_handler", _POST, _T),
    Route("/capture-user-name", "booking_handler", _POST, _T),
    Route("/capture-phone-number", "booking_handler", _POST, _T),
    Route("/capture-user-address", "booking_handler", _POST, _T),
    Route("/confirm-booking", "booking_handler", _POST, _T),
    Route("/capture-booking-phone", "booking_handler", _POST, _T),
    Route("/capture-verification-code", "booking_handler", _POST, _T),
    Route("/choose-appointment", "booking_handler", _POST, _T),
    Route("/confirm-cancellation", "booking_handler", _POST, _T),
    Route("/confirm-reschedule", "booking_handler", _POST, _T),
    Route("/no-slots-choice", "booking_handler", _POST, _T),
    # booking_handler: the previous release's routes, kept for one release so that calls in progress
    # during a deploy (whose last <Gather> points here) finish (shared/dialogue/runner.py LEGACY_ROUTES)
    Route("/book-appointment", "booking_handler", _POST, _T),
    Route("/cancel-appointment", "booking_handler", _POST, _T),
    Route("/reschedule-appointment", "booking_handler", _POST, _T),
    Route("/check-availability", "booking_handler", _POST, _T),
    Route("/capture-new-time", "booking_handler", _POST, _T),
    Route("/choose-new-slot", "booking_handler", _POST, _T),
    Route("/capture-availability-doctor", "booking_handler", _POST, _T),
    Route("/choose-available-slot", "booking_handler", _POST, _T),
    Route("/capture-user-phone", "booking_handler", _POST, _T),
    # calendly: appointments, the system of record
    Route("/calendly/availability", "calendly", _GET, _I),
    # lookups by phone number are POSTs: a number never travels in a URL (access logs, traces)
    Route("/calendly/appointments", "calendly", _POST, _I),
    Route("/calendly/appointments/search", "calendly", _POST, _I),
    Route("/calendly/appointments/<int:appointment_id>/audit", "calendly", _GET, _I),
    Route("/calendly/appointments/<int:appointment_id>/cancel", "calendly", _POST, _I),
    Route("/calendly/appointments/<int:appointment_id>/reschedule", "calendly", _POST, _I),
    Route("/calendly/appointments/<int:appointment_id>/confirm", "calendly", _POST, _I),
    Route("/calendly/verifications", "calendly", _POST, _I),
    Route("/calendly/verifications/<int:verification_id>/check", "calendly", _POST, _I),
    Route("/calendly/booked-appointments", "calendly", _GET, _I),
    Route("/calendly/clinic-appointments", "calendly", _GET, _I),
    Route("/calendly/conflicts", "calendly", _GET, _I),
    Route("/calendly/conflicts/<int:conflict_id>/done", "calendly", _POST, _I),
    Route("/webhooks/calendly", "calendly", _POST, _W),
    # knowledge_base: clinics and doctors
    Route("/kb/clinics", "knowledge_base", _GET, _I),
    Route("/kb/clinics/<slug>", "knowledge_base", _GET, _I),
    Route("/kb/clinics/<slug>/doctors", "knowledge_base", _GET, _I),
    Route("/kb/doctors", "knowledge_base", _GET, _I),
    Route("/kb/doctors/<int:doctor_id>", "knowledge_base", _GET, _I),
    Route("/kb/doctors/<int:doctor_id>/availability", "knowledge_base", _GET, _I),
    Route("/kb/schedule-versions", "knowledge_base", _GET, _I),
    Route("/kb/documents", "knowledge_base", _POST, _A),
    Route("/kb/documents/<int:document_id>", "knowledge_base", _GET, _A),
    Route("/kb/documents/<int:document_id>/apply", "knowledge_base", _POST, _A),
    Route("/kb/documents/<int:document_id>/reject", "knowledge_base", _POST, _A),
    Route("/kb/clinics/<slug>/documents", "knowledge_base", _GET, _A),
    Route("/kb/clinics/<slug>/schedule/versions", "knowledge_base", _GET, _A),
    Route("/kb/clinics/<slug>/schedule/restore", "knowledge_base", _POST, _A),
    Route("/kb/clinics/<slug>/stranded-appointments", "knowledge_base", _GET, _A),
    # messaging: SMS
    Route("/messaging/sms", "messaging", _POST, _I),
    Route("/messaging/sms/search", "messaging", _POST, _I),
    Route("/messaging/sms/clinic", "messaging", _GET, _I),
    Route("/messaging/sms/<int:message_id>/done", "messaging", _POST, _I),
    Route("/sms/status", "messaging", _POST, _T),
    Route("/sms/inbound", "messaging", _POST, _T),
    # tts: speech for prompts
    Route("/tts/speech", "tts", _POST, _I),
    Route("/tts/audio/<key>.wav", "tts", _GET, _M),
    # receptionist_agent: understanding callers
    Route("/agent/interpret", "receptionist_agent", _POST, _I),
    Route("/agent/validate", "receptionist_agent", _POST, _I),
    # staff_console: pages for clinic staff (no patient data in any of these paths)
    Route("/staff/", "staff_console", _GET, _S),
    Route("/staff/login", "staff_console", _FORM, _S),
    Route("/staff/logout", "staff_console", _POST, _S),
    Route("/staff/today", "staff_console", _GET, _S),
    Route("/staff/book", "staff_console", _FORM, _S),
    Route("/staff/appointments/<int:appointment_id>/cancel", "staff_console", _POST, _S),
    Route("/staff/appointments/<int:appointment_id>/move", "staff_console", _POST, _S),
    Route("/staff/calls", "staff_console", _GET, _S),
    Route("/staff/callbacks", "staff_console", _GET, _S),
    Route("/staff/callbacks/<call_sid>/open", "staff_console", _POST, _S),
    Route("/staff/callbacks/<call_sid>/done", "staff_console", _POST, _S),
    Route("/staff/conflicts/<int:conflict_id>/done", "staff_console", _POST, _S),
    Route("/staff/texts/<int:message_id>/done", "staff_console", _POST, _S),
    Route("/staff/schedule", "staff_console", _GET, _S),
    Route("/staff/schedule/upload", "staff_console", _POST, _S),
    Route("/staff/schedule/<int:document_id>", "staff_console", _GET, _S),
    Route("/staff/schedule/<int:document_id>/apply", "staff_console", _POST, _S),
    Route("/staff/schedule/<int:document_id>/reject", "staff_console", _POST, _S),
    Route("/staff/schedule/restore", "staff_console", _POST, _S),
    Route("/staff/messages", "staff_console", _GET, _S),
    Route("/staff/accounts", "staff_console", _FORM, _S),
    Route("/staff/accounts/<int:account_id>/unlock", "staff_console", _POST, _S),
    Route("/staff/static/<path:filename>", "staff_console", _GET, _S),
)

# The most ids one GET /kb/doctors?ids=1,2,... takes: 500 ids of up to ten digits keep the request line
# under gunicorn's limit (docker/gunicorn.conf.py), and callers needing more ask in batches of this size.
MAX_DOCTOR_IDS = 500


def routes_for(service: str) -> list[Route]:
    """The routes one service owns."""
    if service not in SERVICES:
        raise KeyError(f"unknown service {service!r}")
    return [route for route in ROUTES if route.service == service]


def public_paths() -> list[str]:
    """Exact paths the Ingress must carry: Twilio-facing and webhook routes, nothing else."""
    return sorted(route.path for route in ROUTES if route.is_public and route.exposure is not Exposure.STAFF)


def public_prefixes() -> dict[str, str]:
    """Path prefixes the Ingress carries to one service: the staff console's pages."""
    return {STAFF_PREFIX: "staff_console"}


def public_services() -> set[str]:
    """Services the load balancer may reach."""
    return {route.service for route in ROUTES if route.is_public}


def find_route(path: str) -> Route | None:
    """The route registered for an exact path (no parameter matching)."""
    return next((route for route in ROUTES if route.path == path), None)


def example_path(path: str) -> str:
    """A concrete path for a route pattern: <int:...> parameters become 1, others "riverside"."""
    return re.sub(r"<[^>]+>", "riverside", re.sub(r"<int:[^>]+>", "1", path))


def dashed(service: str) -> str:
    """The Kubernetes spelling of a service name (booking_handler -> booking-handler)."""
    return service.replace("_", "-")


def _check_table() -> None:
    seen: set[str] = set()
    for route in ROUTES:
        if route.path in seen:
            raise ValueError(f"path {route.path} is owned twice")
        if route.path in OPERATIONS_PATHS:
            raise ValueError(f"{route.path} is an operations path")
        seen.add(route.path)
        if route.service not in SERVICES:
            raise ValueError(f"{route.path} names unknown service {route.service}")
        if (route.exposure is Exposure.STAFF) != route.path.startswith(STAFF_PREFIX):
            raise ValueError(f"{route.path}: staff pages, and only they, live under {STAFF_PREFIX}")


_check_table()
