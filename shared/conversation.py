"""The conversation on the wire: each Twilio-facing service serves the steps whose routes the route table
gives it. A request loads the call's typed session, the engine (shared/dialogue) reads the answer
and decides the reply, the session is saved, and the reply is rendered as TwiML.

The engine's ports are implemented here over HTTP: doctors from knowledge_base, free times and
appointments from calendly, understanding from receptionist_agent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from flask import Response, g, request
from twilio.twiml.voice_response import VoiceResponse

from shared.cache import DEFAULT_MAX_ITEMS, TTLCache
from shared.call_session import AppointmentRef, CallSession, ClinicInfo, FlowName, Slot
from shared.clock import Clock
from shared.dialogue import runner
from shared.dialogue.engine import Conversation, Input, Reply
from shared.dialogue.handover import is_open, request_callback
from shared.dialogue.ports import (
    Booked,
    Changed,
    CodeCheck,
    Doctor,
    FreeSlots,
    Ports,
    Reading,
    TimeCheck,
)
from shared.freshness import FreshCache
from shared.log import register_sensitive
from shared.prompts import DEFAULT_LANGUAGE, PROMPTS, SPEECH_LANGUAGES
from shared.routes import routes_for
from shared.service_client import ServiceCallError, ServiceClient
from shared.sessions import CallSessionStore
from shared.twiml import Prompter, gather, twiml
from shared.wiring import dependencies

log = logging.getLogger(__name__)

MAX_SPEECH_CHARS = 500
PROMPT_ANSWER_MAX_SECONDS = 300  # tts says how long each answer may be reused; never longer than this
TRANSFER_ENDED_ROUTE = "/transfer-ended"
BOOKING_LIMITS: dict[str, Literal["phone_limit", "call_limit"]] = {"phone_limit": "phone_limit",
                                                                   "call_limit": "call_limit"}
CODE_ERRORS: dict[str, CodeCheck] = {"wrong_code": "wrong_code", "expired": "expired",
                                     "too_many_tries": "too_many_tries", "already_used": "already_used",
                                     "verification_not_found": "not_found"}
WHISPER_ROUTE = "/staff-whisper"


class UnknownClinicNumber(Exception):
    """The dialled number belongs to no clinic."""


class ClinicDirectory:
    """Clinic configuration from knowledge_base by dialled number, cached for CLINIC_CACHE_TTL_SECONDS
    and reloaded as soon as the clinic's schedule changes (shared/freshness.py)."""

    def __init__(self, client: ServiceClient, ttl_seconds: float, max_items: int = DEFAULT_MAX_ITEMS):
        self.client = client
        self.cache = FreshCache(client, ttl_seconds, lambda _, clinic: clinic["slug"] if clinic else None,
                                max_items=max_items, name="clinics_by_number")

    def by_number(self, number: str) -> dict[str, Any] | None:
        """The clinic a number rings, or None."""
        if not number:
            return None

        def load() -> dict[str, Any] | None:
            found = self.client.get("knowledge_base", "/kb/clinics", number=number)
            return found[0] if found else None

        return self.cache.get_or_load(("number", number), load)


class DoctorDirectory:
    """A clinic's active doctors in a stable order, as knowledge_base lists them, cached like clinics
    (and reloaded as soon as the clinic's schedule changes)."""

    def __init__(self, client: ServiceClient, ttl_seconds: float, max_items: int = DEFAULT_MAX_ITEMS):
        self.client = client
        self.cache = FreshCache(client, ttl_seconds, lambda slug, _: str(slug), max_items=max_items,
                                name="clinic_doctors")

    def doctors(self, clinic_slug: str) -> list[dict[str, Any]]:
        """The clinic's active doctors."""
        return self.cache.get_or_load(
            clinic_slug, lambda: self.client.get("knowledge_base", f"/kb/clinics/{clinic_slug}/doctors"))


class HttpDoctors:
    """The doctors port over knowledge_base."""

    def __init__(self, directory: DoctorDirectory):
        self.directory = directory

    def doctors(self, clinic: ClinicInfo) -> list[Doctor]:
        """The clinic's doctors, in keypad order."""
        return [Doctor(id=item["id"], name=item["name"], department=item.get("department"),
                       aliases=tuple(item.get("aliases") or ())) for item in self.directory.doctors(clinic.slug)]


def _slots(items: list[dict[str, Any]], doctor: Doctor) -> list[Slot]:
    return [Slot(doctor_id=doctor.id, doctor_name=doctor.name, start=datetime.fromisoformat(item["start"]))
            for item in items]


class HttpAvailability:
    """The availability port over calendly's free-slot computation."""

    def __init__(self, client: ServiceClient):
        self.client = client

    def check(self, *, doctor: Doctor, start: datetime, limit: int) -> TimeCheck:
        """Is the doctor free at `start`, and the free times nearest to it."""
        answer = self.client.get("calendly", "/calendly/availability", doctor_id=doctor.id, near=start.isoformat(),
                                 limit=limit)
        near = answer.get("near") or {}
        return TimeCheck(free=bool(near.get("free")), problem=near.get("problem"),
                         nearest=_slots(answer["slots"], doctor), horizon_days=answer.get("horizon_days"))

    def earliest(self, *, doctors: list[Doctor], limit: int, after: datetime | None = None) -> FreeSlots:
        """The earliest free slots across the doctors, soonest first."""
        slots: list[Slot] = []
        horizon = None
        window = {"from": after.isoformat()} if after else {}
        for doctor in doctors:
            answer = self.client.get("calendly", "/calendly/availability", doctor_id=doctor.id, limit=limit, **window)
            horizon = answer.get("horizon_days", horizon)
            slots += _slots(answer["slots"], doctor)
        return FreeSlots(sorted(slots, key=lambda slot: (slot.start, doctors.index(
            next(doctor for doctor in doctors if doctor.id == slot.doctor_id))))[:limit], horizon)


class HttpAppointments:
    """The appointments port over calendly (and receptionist_agent's check of the guest's details)."""

    def __init__(self, client: ServiceClient):
        self.client = client

    def upcoming(self, *, clinic_id: int, phone: str) -> list[AppointmentRef]:
        """Booked appointments still to come for a number at the clinic."""
        found = self.client.post("calendly", "/calendly/appointments/search", {
            "phone": phone, "clinic_id": clinic_id, "status": "booked", "upcoming": True}, read_only=True)
        return [AppointmentRef(id=item["id"], doctor_id=item["doctor_id"], doctor_name=item["doctor"],
                               start=datetime.fromisoformat(item["start"])) for item in found]

    def book(self, *, call_sid: str, doctor_id: int, start: datetime, name: str, phone: str, address: str,
             language: str) -> Booked:
        """Validate the guest, then book (the CallSid and time make a repeated request harmless)."""
        guest = self.client.call("POST", "receptionist_agent", "/agent/validate",
                                 json={"name": name, "phone": phone, "address": address})
        if not guest.ok:
            fields = (guest.data or {}).get("fields", {})
            return Booked("invalid_phone" if "phone" in fields else "invalid_name")
        details = guest.data
        answer = self.client.call("POST", "calendly", "/calendly/appointments", json={
            "doctor_id": doctor_id, "start": start.isoformat(), "call_sid": call_sid,
            "patient": {"name": details["name"], "phone": details["phone"], "address": details.get("address")},
        })
        if answer.status == 409:
            error = (answer.data or {}).get("error") if isinstance(answer.data, dict) else None
            return Booked(BOOKING_LIMITS.get(error or "", "taken"))
        if answer.status == 422:
            return Booked("not_bookable")
        if not answer.ok:
            raise ServiceCallError("calendly", "/calendly/appointments", answer.status, "booking refused")
        return Booked("booked", answer.data["id"], datetime.fromisoformat(answer.data["start"]))

    def cancel(self, *, appointment_id: int) -> Changed:
        """Cancel (repeat-safe)."""
        answer = self.client.call("POST", "calendly", f"/calendly/appointments/{appointment_id}/cancel",
                                  json={"reason": "cancelled by phone"})
        if answer.status in (404, 409):
            return Changed("not_changeable")
        if not answer.ok:
            raise ServiceCallError("calendly", "/calendly/appointments/cancel", answer.status, "cancel refused")
        return Changed("done")

    def send_code(self, *, clinic: ClinicInfo, phone: str, caller: str, call_sid: str, purpose: str) -> int | None:
        """Ask calendly to text a one-time code (it decides whether the number has appointments)."""
        answer = self.client.call("POST", "calendly", "/calendly/verifications", json={
            "clinic_id": clinic.id, "clinic_name": clinic.name, "purpose": purpose, "phone": phone,
            "caller": caller[:40], "call_sid": call_sid})
        if answer.status == 429:
            return None
        if not answer.ok:
            raise ServiceCallError("calendly", "/calendly/verifications", answer.status, "verification refused")
        return int(answer.data["id"])

    def check_code(self, *, verification_id: int, call_sid: str, code: str) -> CodeCheck:
        """calendly's verdict on a code."""
        answer = self.client.call("POST", "calendly", f"/calendly/verifications/{verification_id}/check",
                                  json={"code": code, "call_sid": call_sid})
        if answer.ok:
            return "verified"
        error = (answer.data or {}).get("error") if isinstance(answer.data, dict) else None
        verdict = CODE_ERRORS.get(error or "")
        if verdict is not None:
            return verdict
        raise ServiceCallError("calendly", "/calendly/verifications/check", answer.status, "code check failed")

    def move(self, *, appointment_id: int, start: datetime) -> Changed:
        """Move to another free time."""
        answer = self.client.call("POST", "calendly", f"/calendly/appointments/{appointment_id}/reschedule",
                                  json={"start": start.isoformat()})
        error = (answer.data or {}).get("error") if not answer.ok else None
        if error == "slot_taken":
            return Changed("taken")
        if answer.status == 422:
            return Changed("not_bookable")
        if answer.status in (404, 409):
            return Changed("not_changeable")
        if not answer.ok:
            raise ServiceCallError("calendly", "/calendly/appointments/reschedule", answer.status, "move refused")
        return Changed("done", datetime.fromisoformat(answer.data["start"]))


class HttpUnderstanding:
    """The understanding port over receptionist_agent; an unavailable interpreter understood nothing."""

    def __init__(self, client: ServiceClient):
        self.client = client

    def read(self, *, text: str, expect: str, clinic: ClinicInfo, doctors: list[Doctor], now: datetime) -> Reading:
        """One reading of everything the caller said."""
        payload = {
            "kind": "utterance", "text": text, "expect": expect, "timezone": clinic.timezone, "now": now.isoformat(),
            "region": clinic.country, "synonyms": clinic.department_synonyms,
            "doctors": [{"id": doctor.id, "name": doctor.name, "aliases": list(doctor.aliases),
                         "department": doctor.department} for doctor in doctors],
        }
        try:
            answer = self.client.post("receptionist_agent", "/agent/interpret", payload)
        except ServiceCallError as error:
            log.warning("receptionist_agent unavailable, nothing understood: %s", error.status or error.message)
            return Reading()
        reading = reading_from(answer)
        register_sensitive(reading.name)
        return reading


def reading_from(answer: dict[str, Any]) -> Reading:
    """receptionist_agent's utterance JSON as a Reading."""
    doctor = answer.get("doctor") or {}
    department = answer.get("department") or {}
    when = answer.get("when") or {}
    return Reading(
        emergency=bool(answer.get("emergency")), staff=bool(answer.get("staff")),
        callback=bool(answer.get("callback")), repeat=bool(answer.get("repeat")), intent=answer.get("intent"),
        doctor_id=doctor.get("id"), doctor_confidence=float(doctor.get("confidence") or 0),
        any_doctor=bool(doctor.get("any")), department=department.get("name"),
        department_doctor_ids=list(department.get("doctor_ids") or []),
        when=datetime.fromisoformat(when["value"]) if when.get("value") else None,
        date_given=bool(when.get("date_given")), time_given=bool(when.get("time_given")),
        when_problem=answer.get("when_problem"), earliest=bool(answer.get("earliest")),
        other_time=bool(answer.get("other_time")), other_number=bool(answer.get("other_number")),
        later=bool(answer.get("later")), name=answer.get("name"), phone=answer.get("phone"),
        digits=answer.get("digits") or "", yes_no=answer.get("yes_no"), choice=answer.get("choice"),
    )


@dataclass
class CallDependencies:
    """What every Twilio-facing service needs: settings, sessions, other services, clinics, the engine's
    ports, and the tts answers it may reuse."""

    settings: Any
    sessions: CallSessionStore
    client: ServiceClient
    clinics: ClinicDirectory
    ports: Ports
    extras: dict[str, Any] = field(default_factory=dict)
    prompt_answers: TTLCache = field(default_factory=lambda: TTLCache(PROMPT_ANSWER_MAX_SECONDS, name="prompt_answers"))

    @classmethod
    def build(cls, settings: Any, sessions: CallSessionStore, client: ServiceClient, clock: Clock,
              **extras: Any) -> CallDependencies:
        """Dependencies with HTTP ports over `client`."""
        ttl, size = settings.clinic_cache_ttl_seconds, settings.cache_max_entries
        ports = Ports(doctors=HttpDoctors(DoctorDirectory(client, ttl, size)), availability=HttpAvailability(client),
                      appointments=HttpAppointments(client), understanding=HttpUnderstanding(client),
                      prompts=PROMPTS, clock=clock)
        return cls(settings, sessions, client, ClinicDirectory(client, ttl, size), ports, extras)


def clinic_info(clinic: dict[str, Any]) -> ClinicInfo:
    """The part of knowledge_base's clinic JSON a call keeps."""
    return ClinicInfo.model_validate({key: value for key, value in clinic.items() if value is not None
                                      and key in ClinicInfo.model_fields})


def current_input() -> Input:
    """What the caller did, from Twilio's form."""
    return Input.of(request.form.get("Digits", ""), request.form.get("SpeechResult", "")[:MAX_SPEECH_CHARS * 2])


def load_conversation(deps: CallDependencies) -> tuple[Conversation, Reply | None]:
    """The call's conversation: its clinic first (so any later failure can still offer staff), then its
    session. A call whose session is gone (expired, or lost with Redis) starts over politely: a fresh
    session and the reply that says so, instead of an error."""
    call_sid = request.form.get("CallSid", "")
    g.call_sid = call_sid or None
    clinic = deps.clinics.by_number(request.form.get("To", ""))
    if clinic is None:
        raise UnknownClinicNumber()
    g.staff_number = clinic["staff_number"]
    data = deps.sessions.load(call_sid) if call_sid else None
    restart = None
    if data is None:
        log.info("no session for this call; starting over")
        conversation = Conversation(CallSession(call_sid=call_sid or "unknown", clinic=clinic_info(clinic),
                                                caller=request.form.get("From", "")[:40]), deps.ports)
        restart = runner.start_over(conversation)
    else:
        conversation = Conversation(CallSession.load(data), deps.ports)
    register_sensitive(conversation.request.name, conversation.request.address, conversation.request.phone)
    g.failure_reply = lambda: _failure_reply(deps, conversation)
    return conversation, restart


def respond(deps: CallDependencies, conversation: Conversation, reply: Reply) -> Response:
    """Save the session and answer with the reply's TwiML."""
    session = conversation.session
    register_sensitive(session.request.name, session.request.address, session.request.phone)
    deps.sessions.save(session.call_sid, session.dump())
    return twiml(render(reply, _prompter(deps, session), session.language))


def _prompter(deps: CallDependencies, session: CallSession) -> Prompter:
    return Prompter(deps.client, session.clinic.slug, deps.settings.say_voice, deps.prompt_answers)


def render(reply: Reply, prompter: Prompter, language: str = DEFAULT_LANGUAGE) -> VoiceResponse:
    """The reply as TwiML: sentences (inside the question's <Gather>, so keys can cut them short), then
    the question, a transfer with a whisper for staff, or a hang-up."""
    response = VoiceResponse()
    question = reply.question
    if question is not None:
        asking = gather(question.action, input_kinds=question.accepts.value, num_digits=question.num_digits,
                        finish_on_key=question.finish_on_key, hints=question.hints,
                        language=SPEECH_LANGUAGES.get(language, SPEECH_LANGUAGES[DEFAULT_LANGUAGE]))
        for spoken in [*reply.spoken, *question.prompts]:
            prompter.speak(asking, spoken.text, patient_data=spoken.patient_data)
        response.append(asking)
    else:
        for spoken in reply.spoken:
            prompter.speak(response, spoken.text, patient_data=spoken.patient_data)
    if reply.transfer is not None:
        dial = response.dial(action=TRANSFER_ENDED_ROUTE, method="POST")
        dial.number(reply.transfer.number, url=f"{WHISPER_ROUTE}?reason={reply.transfer.reason}", method="POST")
    elif reply.hang_up:
        response.hangup()
    for spoken in reply.prefetch:
        if not spoken.patient_data:
            prompter.prefetch(spoken.text)
    return response


def step_view(step_name: str, endpoint: str | None = None) -> Callable[[], Response]:
    """The view answering one step of the conversation (`endpoint`: its name, when one step has two routes)."""
    step = runner.STEPS[step_name]

    def view() -> Response:
        deps = dependencies()
        conversation, restart = load_conversation(deps)
        if restart is not None:
            return respond(deps, conversation, restart)
        given = current_input()
        if step.expects in ("name", "address", "phone"):
            register_sensitive(given.speech)
        return respond(deps, conversation, runner.answer(conversation, step, given))

    view.__name__ = endpoint or f"answer_{step_name}"
    view.__doc__ = f"The caller's answer to the {step_name} question."
    return view


def flow_entry_view(flow: FlowName) -> Callable[[], Response]:
    """A view starting a flow at its first question (the previous release's menu redirected to these)."""

    def view() -> Response:
        deps = dependencies()
        conversation, restart = load_conversation(deps)
        return respond(deps, conversation, restart or runner.start_flow(conversation, flow))

    view.__name__ = f"start_{flow}"
    view.__doc__ = f"Start the {flow} flow."
    return view


def step_views(service: str) -> dict[str, Callable[[], Response]]:
    """A view for every conversation step (and legacy route) the route table gives to `service`."""
    owned = {route.path for route in routes_for(service)}
    views = {step.route: step_view(step.name) for step in runner.STEPS.values() if step.route in owned}
    views |= {path: step_view(step, "legacy_" + path.strip("/").replace("-", "_"))
              for path, step in runner.LEGACY_STEPS.items() if path in owned}
    views |= {path: flow_entry_view(flow) for path, flow in runner.LEGACY_ENTRIES.items() if path in owned}
    return views


def _failure_reply(deps: CallDependencies, conversation: Conversation) -> Response | None:
    """After an internal failure outside opening hours: an apology and a callback request instead of a
    transfer to an empty room (best effort: the failure may be the session store itself)."""
    try:
        if is_open(conversation):
            return None
        fresh = Conversation(conversation.session, conversation.ports)
        fresh.say("apology")
        fresh.say("handover.closed")
        return respond(deps, fresh, request_callback(fresh, "internal_error"))
    except Exception:  # noqa: BLE001 - the generic apology and transfer still answer the caller
        log.warning("callback fallback failed; answering with the generic apology")
        return None
