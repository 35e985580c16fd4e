"""Handing a caller to people: staff when the clinic is open (who first hear why), a callback request
when it is closed, the emergency advice at any step, and the no-free-slots choice between the two.

`is_open` is the one place that decides whether anyone answers the staff line: the clinic's opening
hours and closures, read by shared/working_hours.py with the conversation's clock.
"""

from __future__ import annotations

from shared import working_hours
from shared.call_session import CallSession
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
    Transfer,
    ask,
    last_four,
)
from shared.dialogue.ports import Reading
from shared.phone_numbers import phone_from_keys

EMERGENCY_NUMBERS = {"US": "911", "CA": "911", "MX": "911", "PR": "911", "GB": "999", "AU": "000", "NZ": "111"}
STAFF_KEY, CALLBACK_KEY = "1", "2"


def emergency_number(country: str) -> str:
    """The number to dial in an emergency in the clinic's country (112 across Europe and elsewhere)."""
    return EMERGENCY_NUMBERS.get(country.upper(), "112")


def is_open(conversation: Conversation) -> bool:
    """Whether the clinic's staff line is answered now (a clinic without opening hours: always)."""
    clinic = conversation.clinic
    if not clinic.opening_hours:
        return True
    return working_hours.is_within(clinic.opening_hours, clinic.closures, clinic.timezone, conversation.now())


def when_open(conversation: Conversation) -> str:
    """"when we open, Monday at 8 AM", or "as soon as we can"."""
    clinic = conversation.clinic
    opening = working_hours.next_opening(clinic.opening_hours, clinic.closures, clinic.timezone, conversation.now())
    if opening is None:
        return conversation.text("handover.soon").text
    return conversation.text("handover.when_open", when=conversation.when(opening)).text


def callback_number(session: CallSession) -> str:
    """The number to call back: the one the caller typed, else a usable caller ID."""
    if session.callback_number:
        return session.callback_number
    return "" if session.caller_id_unusable or not session.caller.startswith("+") else session.caller


def emergency(conversation: Conversation) -> Reply:
    """Tell the caller the emergency number first, then put them through (or end the call when closed)."""
    conversation.session.record_step("emergency")
    conversation.say("emergency", number=emergency_number(conversation.clinic.country))
    if is_open(conversation) and conversation.clinic.staff_number:
        return transfer(conversation, "emergency")
    conversation.session.end("emergency", "emergency")
    return conversation.reply(hang_up=True)


def hand_over(conversation: Conversation, reason: str) -> Reply:
    """Staff when the clinic is open; a callback request when it is closed."""
    if is_open(conversation):
        return transfer(conversation, reason)
    conversation.say("handover.closed")
    return request_callback(conversation, reason)


def transfer(conversation: Conversation, reason: str) -> Reply:
    """Dial the staff line (keeping an earlier outcome such as no_slots, with the new reason)."""
    session = conversation.session
    session.record_step("transfer")
    session.end(session.outcome or "transferred", reason)
    if not conversation.clinic.staff_number:
        return conversation.goodbye("handover.no_staff_line")
    conversation.say("handover.connecting")
    return conversation.reply(transfer=Transfer(conversation.clinic.staff_number, reason))


def request_callback(conversation: Conversation, reason: str, key: str = "handover.callback") -> Reply:
    """Record a callback request to the caller's number, or ask for a number when there is none."""
    session = conversation.session
    number = callback_number(session)
    if not number:
        session.flow, session.handover_reason = "handover", reason
        return ask(conversation, CALLBACK_NUMBER)
    session.record_step("callback_requested")
    return conversation.goodbye(key, "callback_requested", reason, last4=last_four(number),
                                when_open=when_open(conversation))


def _read_callback_number(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    number = phone_from_keys(given.digits, conversation.clinic.country) if given.digits else (
        reading.phone if reading else None)
    if not number:
        return NOT_UNDERSTOOD
    conversation.session.callback_number = number
    return None


def _finish_callback(conversation: Conversation) -> Reply:
    session = conversation.session
    session.record_step("callback_requested")
    return conversation.goodbye("handover.callback", "callback_requested", session.handover_reason,
                                last4=last_four(callback_number(session)), when_open=when_open(conversation))


CALLBACK_NUMBER = Step(
    name="callback_number", route="/capture-callback-number", accepts=Accepts.BOTH, expects="phone",
    question=lambda c: [c.text("handover.callback_number")],
    retry=lambda c: [c.text("handover.callback_number_retry")],
    read=_read_callback_number, num_digits=None, finish_on_key="#", handover_reason="other",
)
HANDOVER = Flow("handover", rows=(Row(CALLBACK_NUMBER, lambda s: not callback_number(s)),), finish=_finish_callback)


def no_free_slots(conversation: Conversation, who: str, horizon_days: int | None) -> Reply:
    """Nothing free within the horizon: staff or a callback (only a callback when closed)."""
    conversation.session.end("no_slots", "no_slots")
    conversation.say("no_slots.none", who=who, days=horizon_days or 60)
    if not is_open(conversation):
        return request_callback(conversation, "no_slots", "no_slots.callback")
    return ask(conversation, NO_SLOTS)


def _read_no_slots(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    if given.key == CALLBACK_KEY or (reading is not None and (reading.callback or reading.choice == 2)):
        return request_callback(conversation, "no_slots", "no_slots.callback")
    if given.key == STAFF_KEY or (reading is not None and (reading.staff or reading.choice == 1)):
        return transfer(conversation, "no_slots")
    return NOT_UNDERSTOOD


NO_SLOTS = Step(
    name="no_slots", route="/no-slots-choice", accepts=Accepts.BOTH, expects="choice",
    question=lambda c: [c.text("no_slots.question")], retry=lambda c: [c.text("no_slots.retry")],
    read=_read_no_slots, hints=lambda c: ("staff", "call me back", "one", "two"), handover_reason="no_slots",
    reads_staff_requests=True,
)
