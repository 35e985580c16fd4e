"""Cancelling and rescheduling: find the caller's upcoming appointments (by caller ID, else by the
number they booked with), pick one when there are several, then confirm the cancellation, or ask for
the new time (the shared time question and slot chooser) and confirm the move.
"""

from __future__ import annotations

from shared.call_session import AppointmentRef, CallSession
from shared.dialogue.booking import TIME
from shared.dialogue.engine import (
    NOT_UNDERSTOOD,
    Accepts,
    Conversation,
    Flow,
    Input,
    Outcome,
    Reply,
    Row,
    Step,
    yes_or_no,
)
from shared.dialogue.filling import take_time
from shared.dialogue.handover import hand_over
from shared.dialogue.ports import Reading
from shared.dialogue.slots import CHOOSE_SLOT, check_wanted, settle_time
from shared.phone_numbers import E164, phone_from_keys

STAFF_KEY = "0"
MAX_LISTED = 9


def describe(conversation: Conversation, appointment: AppointmentRef) -> str:
    """"Dr. Sarah Chen, Tuesday, December 1st at 10 AM"."""
    return f"{appointment.doctor_name}, {conversation.when(appointment.start)}"


def _choose(conversation: Conversation, found: list[AppointmentRef]) -> None:
    conversation.session.appointments = found[:MAX_LISTED]
    if len(found) == 1:
        _take(conversation, found[0])


def _take(conversation: Conversation, appointment: AppointmentRef) -> None:
    request = conversation.request
    request.appointment = appointment
    request.doctor_id, request.doctor_name = appointment.doctor_id, appointment.doctor_name


def look_up_by_caller_id(conversation: Conversation) -> Reply | None:
    """Once per call: the caller ID's upcoming appointments at this clinic."""
    request, session = conversation.request, conversation.session
    if request.lookup_done:
        return None
    request.lookup_done = True
    found = conversation.ports.appointments.upcoming(clinic_id=conversation.clinic.id, phone=session.caller) if (
        E164.match(session.caller)) else []
    if not found:
        conversation.say("manage.none_for_caller")
    _choose(conversation, found)
    return None


def _read_booking_phone(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    if given.digits == STAFF_KEY or (reading is not None and reading.staff):
        return hand_over(conversation, "staff_requested")
    phone = phone_from_keys(given.digits, conversation.clinic.country) if given.digits else (
        reading.phone if reading else None)
    if not phone:
        return NOT_UNDERSTOOD
    conversation.request.lookup_phone = phone
    found = conversation.ports.appointments.upcoming(clinic_id=conversation.clinic.id, phone=phone)
    if not found:
        conversation.say("manage.none_for_number")
        return hand_over(conversation, "appointment_not_found")
    _choose(conversation, found)
    return None


BOOKING_PHONE = Step(
    name="booking_phone", route="/capture-booking-phone", accepts=Accepts.BOTH, expects="phone",
    question=lambda c: [c.text("manage.booking_phone")], retry=lambda c: [c.text("manage.booking_phone_retry")],
    read=_read_booking_phone, num_digits=None, finish_on_key="#", hints=lambda c: ("zero", "staff"),
    handover_reason="appointment_not_found", reads_staff_requests=True,
)


def _options(conversation: Conversation) -> str:
    return "; ".join(f"press {index} for {describe(conversation, item)}"
                     for index, item in enumerate(conversation.session.appointments, start=1))


def _which_question(conversation: Conversation) -> list:
    verb = "cancel" if conversation.session.flow == "cancel" else "move"
    return [conversation.text("manage.which", count=len(conversation.session.appointments), verb=verb,
                              options=_options(conversation))]


def _read_which(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    found = conversation.session.appointments
    number = int(given.key) if given.key.isdigit() else reading.choice if reading else None
    if number == -1:
        number = len(found)
    if number is None or not 1 <= number <= len(found):
        return NOT_UNDERSTOOD
    _take(conversation, found[number - 1])
    return None


APPOINTMENT = Step(
    name="appointment", route="/choose-appointment", accepts=Accepts.BOTH, expects="appointment",
    question=_which_question, retry=lambda c: [c.text("manage.which_retry", options=_options(c))],
    read=_read_which, hints=lambda c: ("one", "two", "three", "the first one", "the second one"),
    handover_reason="manage",
)


def _cancel_question(conversation: Conversation) -> list:
    return [conversation.text("cancel.confirm", appointment=_chosen(conversation))]


def _chosen(conversation: Conversation) -> str:
    appointment = conversation.request.appointment
    return describe(conversation, appointment) if appointment else ""


def _keep(conversation: Conversation, key: str) -> Outcome:
    """The caller keeps the appointment: back to the menu, the call counting as an enquiry."""
    session = conversation.session
    conversation.say(key)
    session.end("enquiry_only")
    session.flow, session.offered = "menu", []
    return None


def _read_cancel_confirmation(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    decision = yes_or_no(given, reading)
    if decision is None:
        return NOT_UNDERSTOOD
    if not decision:
        return _keep(conversation, "cancel.kept")
    conversation.request.confirmed = True
    return None


CONFIRM_CANCEL = Step(
    name="confirm_cancel", route="/confirm-cancellation", accepts=Accepts.BOTH, expects="yes_no",
    question=_cancel_question,
    retry=lambda c: [c.text("cancel.confirm_retry", appointment=_chosen(c))],
    read=_read_cancel_confirmation, hints=lambda c: ("yes", "no"), handover_reason="manage",
)


def _cancel(conversation: Conversation) -> Reply | None:
    appointment = conversation.request.appointment
    if appointment is None:
        return None
    changed = conversation.ports.appointments.cancel(appointment_id=appointment.id)
    if changed.status != "done":
        conversation.say("manage.cannot_change")
        return hand_over(conversation, "cannot_change")
    conversation.session.record_step("cancelled")
    return conversation.goodbye("cancel.done", "cancelled", appointment=describe(conversation, appointment))


def _needs_number(session: CallSession) -> bool:
    return session.request.appointment is None and not session.appointments


def _needs_choice(session: CallSession) -> bool:
    return session.request.appointment is None and len(session.appointments) > 1


CANCEL = Flow(
    name="cancel",
    rows=(
        Row(BOOKING_PHONE, _needs_number),
        Row(APPOINTMENT, _needs_choice),
        Row(CONFIRM_CANCEL, lambda s: s.request.appointment is not None and not s.request.confirmed),
    ),
    settle=(look_up_by_caller_id,),
    finish=_cancel,
)


def _move_question(conversation: Conversation) -> list:
    request = conversation.request
    appointment = request.appointment
    if appointment is None or request.start is None:
        return []
    return [conversation.text("reschedule.confirm", doctor=appointment.doctor_name,
                              old=conversation.when(appointment.start), new=conversation.when(request.start))]


def _read_move_confirmation(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    request = conversation.request
    if reading is not None and reading.when is not None:
        take_time(conversation, reading, request.start)
        return None
    decision = yes_or_no(given, reading)
    if decision is None:
        return NOT_UNDERSTOOD
    if not decision:
        return _keep(conversation, "reschedule.kept")
    request.confirmed = True
    return None


CONFIRM_MOVE = Step(
    name="confirm_move", route="/confirm-reschedule", accepts=Accepts.BOTH, expects="confirm",
    question=_move_question,
    retry=lambda c: [c.text("reschedule.confirm_retry", new=c.when(c.request.start))] if c.request.start else [],
    read=_read_move_confirmation, hints=lambda c: ("yes", "no"), handover_reason="manage",
)


def _move(conversation: Conversation) -> Reply | None:
    request = conversation.request
    appointment = request.appointment
    if appointment is None or request.start is None:
        return None
    changed = conversation.ports.appointments.move(appointment_id=appointment.id, start=request.start)
    if changed.status == "done":
        conversation.session.record_step("rescheduled")
        return conversation.goodbye("reschedule.done", "rescheduled", doctor=appointment.doctor_name,
                                    when=conversation.when(changed.start or request.start))
    request.confirmed = False
    if changed.status == "taken":
        conversation.say("time.just_taken")
        request.wanted, request.start = request.start, None
        return check_wanted(conversation)
    if changed.status == "not_bookable":
        conversation.say("time.gone")
        request.forget_time()
        return None
    conversation.say("manage.cannot_change")
    return hand_over(conversation, "cannot_change")


RESCHEDULE = Flow(
    name="reschedule",
    rows=(
        Row(BOOKING_PHONE, _needs_number),
        Row(APPOINTMENT, _needs_choice),
        Row(CHOOSE_SLOT, lambda s: bool(s.offered)),
        Row(TIME, lambda s: s.request.start is None),
        Row(CONFIRM_MOVE, lambda s: s.request.appointment is not None and not s.request.confirmed),
    ),
    settle=(look_up_by_caller_id, settle_time),
    finish=_move,
)
