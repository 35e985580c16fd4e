"""Checking availability: which doctor (or specialty, or anyone), the next free times read out, and
picking one by key or words continues straight into the booking flow with doctor and time filled in;
0 goes back to the menu. Hearing the times without booking counts as an enquiry."""

from __future__ import annotations

from shared.dialogue.booking import DOCTOR, TIME
from shared.dialogue.engine import Conversation, Flow, Reply, Row
from shared.dialogue.slots import CHOOSE_SLOT, offer_earliest, settle_time


def show_earliest(conversation: Conversation) -> Reply | None:
    """Once the doctor is known, read their next free times (once; later the caller may name a time)."""
    request, session = conversation.request, conversation.session
    if not request.has_doctor or request.earliest_shown or session.offered or request.start is not None:
        return None
    if request.wanted is not None or request.wanted_day is not None:
        return None
    request.earliest_shown = True
    session.end("enquiry_only")
    return offer_earliest(conversation, "of_doctor" if request.doctor_id is not None else "of_anyone")


def continue_into_booking(conversation: Conversation) -> Reply | None:
    """A slot was picked: the rest is the booking flow."""
    if conversation.request.start is not None:
        conversation.session.flow = "book"
        conversation.session.record_step("book")
    return None


AVAILABILITY = Flow(
    name="availability",
    rows=(
        Row(DOCTOR, lambda s: not s.request.has_doctor),
        Row(CHOOSE_SLOT, lambda s: bool(s.offered)),
        Row(TIME, lambda s: s.request.start is None),
    ),
    settle=(continue_into_booking, show_earliest, settle_time),
    finish=lambda conversation: None,
)
