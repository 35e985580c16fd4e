"""The reschedule conversation: find the appointment, ask for the new time (the nearest free slots
when it is taken), read back, confirm, move; the SMS with the new time is queued by calendly."""

from __future__ import annotations

from datetime import datetime

from flask import Response

from services.booking_handler import appointment_lookup as lookup
from services.booking_handler import availability
from services.booking_handler.understanding import (
    CHOICE_HINTS,
    DAY_HINTS,
    YES_NO_HINTS,
    caller_said_yes,
    chosen_number,
    interpret,
    nearest_free_starts,
    spoken_when,
)
from shared.conversation import MAX_FAILURES, Turn
from shared.service_client import ServiceCallError

ANOTHER_TIME_KEY = "9"


def start_rescheduling(turn: Turn) -> Response:
    """Menu option 3."""
    return lookup.start(turn, "reschedule", ask_new_time)


def ask_new_time(turn: Turn) -> Response:
    """Read the appointment being moved and ask for the new time."""
    appointment = lookup.chosen_appointment(turn)
    return ask_time_again(turn, f"Your appointment is with {lookup.describe(turn, appointment)}.")


def ask_time_again(turn: Turn, intro: str = "") -> Response:
    """Ask when the caller would like to come instead."""
    text = f"{intro} When would you like to move it to? You can say a day and time, like next Tuesday at 3 PM."
    return turn.ask("/capture-new-time", text.strip(), input_kinds="speech", hints=DAY_HINTS)


def capture_new_time(turn: Turn) -> Response:
    """Understand the new time; take it when free, else offer the three nearest free slots."""
    answer = interpret(turn, "datetime", turn.speech) if turn.speech else {"value": None}
    if not answer.get("value"):
        return turn.retry_or_transfer(
            "new_time", "/capture-new-time",
            "Sorry, I didn't catch the day and time. Please say something like tomorrow at 10 AM.",
            input_kinds="speech", hints=DAY_HINTS,
        )
    turn.clear_failures("new_time")
    turn.record_step("new_time")
    requested = datetime.fromisoformat(answer["value"])
    slots = nearest_free_starts(turn, lookup.chosen_appointment(turn)["doctor_id"], requested.isoformat())
    exact = next((start for start in slots if datetime.fromisoformat(start) == requested), None)
    if exact:
        turn.session["manage"]["new_start"] = exact
        return read_back(turn)
    doctor = lookup.chosen_appointment(turn)["doctor"]
    if not slots:
        if turn.count_failure("no_free_times") >= MAX_FAILURES:
            return availability.offer_staff_or_callback(turn, doctor, None)
        return ask_time_again(turn, f"{doctor} has no free times around then.")
    return offer_slots(turn, slots, f"{doctor} isn't available then.")


def offer_slots(turn: Turn, slots: list[str], intro: str) -> Response:
    """Offer up to three free slots by key or word, or another time with 9."""
    turn.session["manage"]["offered"] = slots
    options = "; ".join(f"press {index} for {spoken_when(turn, start)}" for index, start in enumerate(slots, start=1))
    text = f"{intro} The nearest free times are: {options}. Or press {ANOTHER_TIME_KEY} to choose another time."
    return turn.ask("/choose-new-slot", text, num_digits=1, hints=(*CHOICE_HINTS, "another time"))


def choose_new_slot(turn: Turn) -> Response:
    """Take one of the offered slots, or go back to asking for a time."""
    offered = turn.session["manage"].get("offered") or []
    if turn.digits[:1] == ANOTHER_TIME_KEY or "another" in turn.speech.lower():
        return ask_time_again(turn)
    pick = chosen_number(turn, len(offered))
    if pick is None:
        return turn.ask_again_or_transfer("new_slot", lambda: offer_slots(turn, offered, "Sorry, I didn't get that."))
    turn.clear_failures("new_slot")
    turn.session["manage"]["new_start"] = offered[pick - 1]
    return read_back(turn)


def read_back(turn: Turn, intro: str = "") -> Response:
    """Say the move and ask for confirmation."""
    manage = turn.session["manage"]
    appointment = manage["chosen"]
    text = (f"{intro} To confirm: your appointment with {appointment['doctor']} moves from "
            f"{spoken_when(turn, appointment['start'])} to {spoken_when(turn, manage['new_start'])}. "
            "Press 1 to confirm, or 2 to keep your current time.")
    return turn.ask("/confirm-reschedule", text.strip(), num_digits=1, hints=YES_NO_HINTS)


def confirm_reschedule(turn: Turn) -> Response:
    """Move on yes; keep the appointment and offer the menu on no; ask again otherwise."""
    decision = caller_said_yes(turn)
    if decision is None:
        return turn.ask_again_or_transfer("confirm_move", lambda: read_back(turn, "Sorry, I didn't get that."))
    turn.clear_failures("confirm_move")
    if decision is False:
        turn.session["outcome"] = "enquiry_only"
        return turn.menu("All right, your appointment stays as it was.")
    return move(turn)


def move(turn: Turn) -> Response:
    """Ask calendly to move the appointment; a slot taken meanwhile offers the nearest free ones."""
    manage = turn.session["manage"]
    appointment = manage["chosen"]
    new_start = manage.pop("new_start")
    answer = turn.deps.client.call("POST", "calendly", f"/calendly/appointments/{appointment['id']}/reschedule",
                                   json={"start": new_start})
    error = (answer.data or {}).get("error") if not answer.ok else None
    if error == "slot_taken":
        slots = nearest_free_starts(turn, appointment["doctor_id"], new_start)
        if not slots:
            return ask_time_again(turn, "I'm sorry, that time was just taken.")
        return offer_slots(turn, slots, "I'm sorry, that time was just taken.")
    if answer.status == 422:
        return ask_time_again(turn, "I'm sorry, that time can no longer be booked.")
    if answer.status in (404, 409):
        turn.say("I'm sorry, that appointment can no longer be changed by phone.")
        return turn.transfer()
    if not answer.ok:
        raise ServiceCallError("calendly", "/calendly/appointments/reschedule", answer.status, "reschedule refused")
    turn.record_step("rescheduled")
    return turn.goodbye(
        f"Done. Your appointment with {appointment['doctor']} is now {spoken_when(turn, answer.data['start'])}. "
        f"We'll send you a text message with the new time. Thank you for calling {turn.clinic['name']}. Goodbye.",
        outcome="rescheduled",
    )
