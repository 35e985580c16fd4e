"""Cancelling and rescheduling: the caller's upcoming appointments, once they are verified for the
number on the booking (identity.py: the caller ID, or a code texted to the number they type), one
picked when there are several, then the cancellation confirmed, or the new time asked (the shared
time question and slot chooser) and the move confirmed.
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
from shared.dialogue.identity import BOOKING_PHONE, VERIFY_CODE, needs_code, needs_number, take, verified_lookup
from shared.dialogue.ports import Reading
from shared.dialogue.slots import CHOOSE_SLOT, check_wanted, settle_time


def describe(conversation: Conversation, appointment: AppointmentRef) -> str:
    """"Dr. Sarah Chen, Tuesday, December 1st at 10 AM"."""
    return f"{appointment.doctor_name}, {conversation.when(appointment.start)}"


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
    take(conversation, found[number - 1])
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


def _needs_choice(session: CallSession) -> bool:
    return session.request.appointment is None and len(session.appointments) > 1


CANCEL = Flow(
    name="cancel",
    rows=(
        Row(BOOKING_PHONE, needs_number),
        Row(VERIFY_CODE, needs_code),
        Row(APPOINTMENT, _needs_choice),
        Row(CONFIRM_CANCEL, lambda s: s.request.appointment is not None and not s.request.confirmed),
    ),
    settle=(verified_lookup,),
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
        Row(BOOKING_PHONE, needs_number),
        Row(VERIFY_CODE, needs_code),
        Row(APPOINTMENT, _needs_choice),
        Row(CHOOSE_SLOT, lambda s: bool(s.offered)),
        Row(TIME, lambda s: s.request.start is None),
        Row(CONFIRM_MOVE, lambda s: s.request.appointment is not None and not s.request.confirmed),
    ),
    settle=(verified_lookup, settle_time),
    finish=_move,
)
