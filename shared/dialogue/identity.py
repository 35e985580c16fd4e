"""Identity before disclosure: the one place that decides whether a caller may hear about, or change, an
appointment. Nothing about an appointment (doctor, day, time, even whether one exists) is said until
the caller is verified for the number on the booking: either the call comes from that number (and
Twilio did not report the caller ID as failing STIR/SHAKEN attestation), or the caller types the
one-time code texted to it. An unverified caller hears only "If we find an appointment for that
number, we'll text it a code".

Flows that reveal or change appointments (cancel, reschedule, and the coming waitlist) put
`verified_lookup` in their settle rules and `BOOKING_PHONE` and `VERIFY_CODE` in their tables.
"""

from __future__ import annotations

from shared.call_session import AppointmentRef, CallSession
from shared.dialogue.engine import NOT_UNDERSTOOD, Accepts, Conversation, Input, Outcome, Reply, Retry, Step
from shared.dialogue.handover import hand_over
from shared.dialogue.ports import Reading
from shared.phone_numbers import E164, phone_from_keys

STAFF_KEY = "0"
MAX_LISTED = 9
CODE_DIGITS = 6


def attestation(stir_verstat: str) -> str:
    """What Twilio's `StirVerstat` says of the caller ID: "A", "B" or "C" (passed, at that level),
    "failed", "unvalidated" (No-TN-Validation), or "none" (no STIR/SHAKEN information)."""
    verstat = stir_verstat.strip().lower()
    if verstat.startswith("tn-validation-passed-"):
        level = verstat.rsplit("-", 1)[-1].upper()
        return level if level in ("A", "B", "C") else "C"
    if "failed" in verstat:
        return "failed"
    return "unvalidated" if verstat.startswith("no-tn-validation") else "none"


def caller_id_trusted(stir_verstat: str) -> bool:
    """False when Twilio reports the caller ID failed STIR/SHAKEN attestation; a call without the
    parameter, or one that passed, keeps its caller ID."""
    return attestation(stir_verstat) != "failed"


def _take_found(conversation: Conversation, found: list[AppointmentRef]) -> None:
    conversation.session.appointments = found[:MAX_LISTED]
    if len(found) == 1:
        take(conversation, found[0])


def take(conversation: Conversation, appointment: AppointmentRef) -> None:
    """The appointment this call changes (its doctor is the one a new time is checked with)."""
    request = conversation.request
    request.appointment = appointment
    request.doctor_id, request.doctor_name = appointment.doctor_id, appointment.doctor_name


def verified_lookup(conversation: Conversation) -> Reply | None:
    """Once per call: the caller ID's upcoming appointments at this clinic, when the caller ID can be
    trusted; otherwise the caller will be asked for the number and a code."""
    request, session = conversation.request, conversation.session
    if request.lookup_done:
        return None
    request.lookup_done = True
    if not session.caller_id_trusted or not E164.match(session.caller):
        return None
    found = conversation.ports.appointments.upcoming(clinic_id=conversation.clinic.id, phone=session.caller)
    if found:
        session.verified_phone = session.caller
    else:
        conversation.say("manage.none_for_caller")
    _take_found(conversation, found)
    return None


def send_code(conversation: Conversation, phone: str) -> Reply | None:
    """Ask for a code to be texted to `phone`: to reveal appointments (said to be sent only "if we find
    an appointment"), or, in the booking flow, to text a confirmation to a number the caller typed."""
    session, request = conversation.session, conversation.request
    booking = session.flow == "book"
    sent = conversation.ports.appointments.send_code(clinic=conversation.clinic, phone=phone,
                                                     caller=session.caller or session.call_sid,
                                                     call_sid=session.call_sid,
                                                     purpose="booking" if booking else "appointments")
    if sent is None:
        conversation.say("manage.too_many_codes")
        return hand_over(conversation, "verification")
    request.lookup_phone, request.verification_id = phone, sent
    conversation.say("booking.code_sent" if booking else "manage.code_sent")
    return None


def _read_booking_phone(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    if given.digits == STAFF_KEY or (reading is not None and reading.staff):
        return hand_over(conversation, "staff_requested")
    phone = phone_from_keys(given.digits, conversation.clinic.country) if given.digits else (
        reading.phone if reading else None)
    if not phone:
        return NOT_UNDERSTOOD
    return send_code(conversation, phone)


BOOKING_PHONE = Step(
    name="booking_phone", route="/capture-booking-phone", accepts=Accepts.BOTH, expects="phone",
    question=lambda c: [c.text("manage.booking_phone")], retry=lambda c: [c.text("manage.booking_phone_retry")],
    read=_read_booking_phone, num_digits=None, finish_on_key="#", hints=lambda c: ("zero", "staff"),
    handover_reason="appointment_not_found", reads_staff_requests=True,
)


def _read_code(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    session, request = conversation.session, conversation.request
    code = given.digits or (reading.digits if reading else "")
    if len(code) != CODE_DIGITS or request.verification_id is None or request.lookup_phone is None:
        return NOT_UNDERSTOOD
    checked = conversation.ports.appointments.check_code(verification_id=request.verification_id,
                                                         call_sid=session.call_sid, code=code)
    if checked == "wrong_code":
        return Retry("manage.code_wrong")
    if checked == "expired":
        conversation.say("manage.code_expired")
        return send_code(conversation, request.lookup_phone)
    if checked != "verified":
        conversation.say("manage.code_failed")
        return hand_over(conversation, "verification")
    request.verification_id = None
    if session.flow == "book":
        request.phone = request.lookup_phone
        return None
    session.verified_phone = request.lookup_phone
    found = conversation.ports.appointments.upcoming(clinic_id=conversation.clinic.id, phone=request.lookup_phone)
    if not found:
        conversation.say("manage.none_for_number")
        return hand_over(conversation, "appointment_not_found")
    _take_found(conversation, found)
    return None


VERIFY_CODE = Step(
    name="verify_code", route="/capture-verification-code", accepts=Accepts.BOTH, expects="code",
    question=lambda c: [c.text("manage.code_question")], retry=lambda c: [c.text("manage.code_retry")],
    read=_read_code, num_digits=CODE_DIGITS, handover_reason="verification",
    hints=lambda c: ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
)


def needs_number(session: CallSession) -> bool:
    """Nothing found yet and no code on its way: ask for the number booked with."""
    return session.request.appointment is None and not session.appointments and session.request.verification_id is None


def needs_code(session: CallSession) -> bool:
    """A code was texted (or would have been): ask for it."""
    return session.request.verification_id is not None
