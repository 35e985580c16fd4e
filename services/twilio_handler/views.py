"""twilio_handler routes: the call's entry (/voice) and its end (/call-status)."""

from __future__ import annotations

import logging

from flask import g, request
from twilio.twiml.voice_response import VoiceResponse

from services.twilio_handler import service
from shared.conversation import Turn
from shared.db import utcnow
from shared.twiml import twiml
from shared.wiring import dependencies

log = logging.getLogger(__name__)

UNKNOWN_NUMBER = "Sorry, this number is not connected to a clinic we serve. Goodbye."
TOO_MANY_CALLS = {
    "caller": "We've had several calls from your number in the last few minutes. "
              "Please try again a little later. Thank you, goodbye.",
    "clinic": "We're receiving an unusually high number of calls right now. "
              "Please try again in a few minutes. Thank you for your patience, goodbye.",
}


def voice():
    """Greet the caller with the clinic's name and offer the menu."""
    deps = dependencies()
    g.call_sid = request.form.get("CallSid") or None
    clinic = deps.clinics.by_number(request.form.get("To", ""))
    if clinic is None or not g.call_sid:
        return _polite_goodbye(UNKNOWN_NUMBER, deps.settings.say_voice)
    g.staff_number = clinic["staff_number"]
    limited = deps.extras["rate_limiter"].over_limit(g.call_sid, request.form.get("From", ""), clinic["id"])
    if limited:
        log.warning("call refused: %s rate limit reached", limited, extra={"clinic_id": clinic["id"]})
        return _polite_goodbye(TOO_MANY_CALLS[limited], deps.settings.say_voice)
    session = service.start_call(
        db_factory=deps.extras["db"], sessions=deps.sessions, call_sid=g.call_sid, clinic=clinic,
        caller=request.form.get("From", ""), now=utcnow(),
    )
    greeting = clinic.get("greeting") or f"Thank you for calling {clinic['name']}."
    return Turn(deps, session).menu(greeting)


def _polite_goodbye(text: str, say_voice: str):
    response = VoiceResponse()
    response.say(text, voice=say_voice)
    response.hangup()
    return twiml(response)


def call_status():
    """Twilio's status callback: close the call with its outcome (repeats and reordering are harmless)."""
    deps = dependencies()
    duration = request.form.get("CallDuration", "")
    service.finish_call(
        db_factory=deps.extras["db"], sessions=deps.sessions, call_sid=request.form.get("CallSid", ""),
        status=request.form.get("CallStatus", ""), duration_seconds=int(duration) if duration.isdigit() else None,
        now=utcnow(),
    )
    return twiml(VoiceResponse())


VIEWS = {"/voice": voice, "/call-status": call_status}
