"""twilio_handler routes: the call's entry (/voice) and end (/call-status), handing callers to staff (the
whisper staff hear, a transfer nobody answered, a callback number), and the call log for staff."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, jsonify, request
from pydantic import BaseModel, Field
from twilio.twiml.voice_response import VoiceResponse

from services.twilio_handler import callbacks, service
from services.twilio_handler.rate_limit import Caller
from shared.api import ApiError, acting_staff, parse_json_body, parse_query
from shared.clock import now as clock_now
from shared.conversation import clinic_info, load_conversation, respond, step_views
from shared.db import transaction
from shared.dialogue import runner
from shared.dialogue.engine import Conversation
from shared.dialogue.handover import request_callback
from shared.dialogue.identity import caller_id_trusted
from shared.prompts import PROMPTS, WHISPER_REASONS
from shared.twiml import twiml
from shared.wiring import dependencies

log = logging.getLogger(__name__)


def voice():
    """Greet the caller with the clinic's name and offer the menu."""
    deps = dependencies()
    g.call_sid = request.form.get("CallSid") or None
    clinic = deps.clinics.by_number(request.form.get("To", ""))
    if clinic is None or not g.call_sid:
        return _polite_goodbye("unknown_number", deps.settings.say_voice)
    g.staff_number = clinic["staff_number"]
    caller = Caller(g.call_sid, request.form.get("From", ""), request.form.get("StirVerstat", ""))
    refused = deps.extras["rate_limiter"].refuse(caller, clinic["id"])
    if refused:
        log.warning("call refused: %s limit reached", refused, extra={"clinic_id": clinic["id"]})
        return _polite_goodbye("too_many_calls.clinic" if refused == "clinic" else "too_many_calls.caller",
                               deps.settings.say_voice)
    session = service.start_call(
        db_factory=deps.extras["db"], sessions=deps.sessions, call_sid=g.call_sid, clinic=clinic_info(clinic),
        caller=caller.number, caller_id_trusted=caller_id_trusted(caller.stir_verstat),
        now=clock_now(),
    )
    conversation = Conversation(session, deps.ports)
    return respond(deps, conversation, runner.greet(conversation))


def _polite_goodbye(key: str, say_voice: str):
    response = VoiceResponse()
    response.say(PROMPTS.render(key).text, voice=say_voice)
    response.hangup()
    return twiml(response)


def call_status():
    """Twilio's status callback: close the call with its outcome (repeats and reordering are harmless)."""
    deps = dependencies()
    duration = request.form.get("CallDuration", "")
    service.finish_call(
        db_factory=deps.extras["db"], sessions=deps.sessions, call_sid=request.form.get("CallSid", ""),
        status=request.form.get("CallStatus", ""),
        duration_seconds=int(duration) if duration.isascii() and duration.isdigit() and len(duration) < 7 else None,
        now=clock_now(),
    )
    return twiml(VoiceResponse())


def staff_whisper():
    """What the staff member hears on answering a transferred call, before the caller is put through."""
    reason = request.args.get("reason", "")
    response = VoiceResponse()
    key = f"whisper.{reason}" if reason in WHISPER_REASONS else "whisper.other"
    response.say(PROMPTS.render(key).text, voice=dependencies().settings.say_voice)
    return twiml(response)


def transfer_ended():
    """The transfer to staff ended: nothing more when they talked; a callback request when nobody answered."""
    deps = dependencies()
    conversation, _ = load_conversation(deps)
    if request.form.get("DialCallStatus", "") == "completed":
        return respond(deps, conversation, conversation.reply(hang_up=True))
    conversation.session.record_step("transfer_failed")
    conversation.say("handover.no_answer")
    return respond(deps, conversation, request_callback(conversation, "transfer_failed"))


class CallsQuery(BaseModel):
    """GET /twilio/calls and /twilio/calls/summary: a clinic (slug) and local dates, both inclusive."""

    clinic: str = Field(min_length=1, max_length=64)
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    limit: int = Field(1000, ge=1, le=10000)


def _clinic(slug: str) -> dict[str, Any]:
    answer = dependencies().client.call("GET", "knowledge_base", f"/kb/clinics/{slug}")
    if answer.status == 404:
        raise ApiError(404, "clinic_not_found", f"no clinic with slug {slug!r}")
    if not answer.ok:
        raise ApiError(502, "knowledge_base_unavailable", "the clinic could not be looked up")
    return answer.data


def _calls_in_range(*, limited: bool) -> tuple[dict[str, Any], list[Any]]:
    query = parse_query(CallsQuery)
    clinic = _clinic(query.clinic)
    today = clock_now().astimezone(ZoneInfo(clinic["timezone"])).date()
    last = query.to or today
    first = query.from_ or last - timedelta(days=6)
    if first > last:
        raise ApiError(422, "invalid_range", "'from' must not be after 'to'")
    start, end = service.day_bounds(first, last, clinic["timezone"])
    with transaction(dependencies().extras["db"]) as db:
        calls = service.calls_between(db=db, clinic_id=clinic["id"], start=start, end=end,
                                      limit=query.limit if limited else None)
    return clinic, calls


def list_calls():
    """A clinic's calls with their outcomes, steps and durations, for local dates from..to."""
    clinic, calls = _calls_in_range(limited=True)
    return jsonify({"clinic": clinic["slug"], "timezone": clinic["timezone"],
                    "calls": [service.call_json(call, clinic["timezone"]) for call in calls]})


def calls_summary():
    """Outcome counts per clinic per local day, for local dates from..to."""
    clinic, calls = _calls_in_range(limited=False)
    return jsonify({"clinic": clinic["slug"], "timezone": clinic["timezone"],
                    "days": service.outcome_summary(calls, clinic)})


class CallbacksQuery(CallsQuery):
    """GET /twilio/callbacks: CallsQuery plus whether done callbacks are listed too."""

    include_done: bool = False


class CallbackAction(BaseModel):
    """POST /twilio/callbacks/<call_sid>/open and /done: the clinic (slug) and, to close it, a note."""

    clinic: str = Field(min_length=1, max_length=64)
    note: str = Field("", max_length=2000)


def list_callbacks():
    """GET /twilio/callbacks?clinic=&from=&to=&include_done=: calls needing a human, numbers masked."""
    query = parse_query(CallbacksQuery)
    clinic = _clinic(query.clinic)
    today = clock_now().astimezone(ZoneInfo(clinic["timezone"])).date()
    last = query.to or today
    start, end = service.day_bounds(query.from_ or last - timedelta(days=13), last, clinic["timezone"])
    with transaction(dependencies().extras["db"]) as db:
        found = callbacks.follow_ups(db=db, clinic_id=clinic["id"], start=start, end=end,
                                     include_done=query.include_done)
        return jsonify({"clinic": clinic["slug"], "timezone": clinic["timezone"],
                        "callbacks": [callbacks.follow_up_json(call, clinic["timezone"]) for call in found]})


def open_callback(call_sid: str):
    """POST /twilio/callbacks/<call_sid>/open: the caller's number in full, the opening logged."""
    action, staff = parse_json_body(CallbackAction), acting_staff()
    clinic = _clinic(action.clinic)
    with transaction(dependencies().extras["db"]) as db:
        call = callbacks.clinic_call(db=db, call_sid=call_sid, clinic_id=clinic["id"])
        return jsonify(callbacks.open_number(db=db, call=call, staff=staff, now=clock_now()))


def close_callback(call_sid: str):
    """POST /twilio/callbacks/<call_sid>/done: mark the callback done with a note (repeat-safe)."""
    action, staff = parse_json_body(CallbackAction), acting_staff()
    clinic = _clinic(action.clinic)
    with transaction(dependencies().extras["db"]) as db:
        call = callbacks.clinic_call(db=db, call_sid=call_sid, clinic_id=clinic["id"], for_update=True)
        callbacks.mark_done(db=db, call=call, staff=staff, note=action.note, now=clock_now())
        return jsonify(callbacks.follow_up_json(call, clinic["timezone"]))


VIEWS: dict[str, Callable[..., Any]] = {"/voice": voice, "/call-status": call_status, "/staff-whisper": staff_whisper,
         "/transfer-ended": transfer_ended, "/twilio/calls": list_calls, "/twilio/calls/summary": calls_summary,
         "/twilio/callbacks": list_callbacks, "/twilio/callbacks/<call_sid>/open": open_callback,
         "/twilio/callbacks/<call_sid>/done": close_callback,
         **step_views("twilio_handler")}
