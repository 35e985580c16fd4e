"""Finding the caller's upcoming appointments for cancelling or rescheduling: by caller ID, else by the
number they booked with (keys then #); one is taken as it is, several are offered as a numbered list."""

from __future__ import annotations

import re
from typing import Any, Callable

from flask import Response

from services.booking_handler.understanding import CHOICE_HINTS, chosen_number, interpret, spoken_when
from shared.conversation import Turn

Proceed = Callable[[Turn], Response]
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
STAFF_KEY = "0"
MAX_LISTED = 9


def upcoming_appointments(turn: Turn, phone: str) -> list[dict[str, Any]]:
    """The booked, upcoming appointments of a phone number at this call's clinic, soonest first."""
    if not E164.match(phone or ""):
        return []
    found = turn.deps.client.get("calendly", "/calendly/appointments", phone=phone, clinic_id=turn.clinic["id"],
                                 status="booked", upcoming="true")
    return [{key: item[key] for key in ("id", "doctor_id", "doctor", "start")} for item in found][:MAX_LISTED]


def describe(turn: Turn, appointment: dict[str, Any]) -> str:
    """"Dr. Sarah Chen, Tuesday, December 1st at 10 AM"."""
    return f"{appointment['doctor']}, {spoken_when(turn, appointment['start'])}"


def chosen_appointment(turn: Turn) -> dict[str, Any]:
    """The appointment this call is changing."""
    return turn.session["manage"]["chosen"]


def start(turn: Turn, action: str, proceed: Proceed) -> Response:
    """Begin cancelling or rescheduling: look up the caller ID's appointments."""
    turn.session["manage"] = {"action": action}
    turn.record_step(action)
    found = upcoming_appointments(turn, turn.caller)
    if not found:
        return ask_booking_phone(turn, "I couldn't find an upcoming appointment for the number you're calling from.")
    return present(turn, found, proceed)


def present(turn: Turn, found: list[dict[str, Any]], proceed: Proceed) -> Response:
    """One appointment goes straight on; several are read as a numbered list to choose by key."""
    turn.session["manage"]["appointments"] = found
    if len(found) == 1:
        turn.session["manage"]["chosen"] = found[0]
        return proceed(turn)
    return ask_which(turn, f"You have {len(found)} upcoming appointments.")


def ask_which(turn: Turn, intro: str = "") -> Response:
    """Read the caller's appointments as a numbered list."""
    found = turn.session["manage"]["appointments"]
    options = "; ".join(f"press {index} for {describe(turn, item)}" for index, item in enumerate(found, start=1))
    verb = "cancel" if turn.session["manage"]["action"] == "cancel" else "move"
    text = f"{intro} Which one would you like to {verb}? {options}.".strip()
    return turn.ask("/choose-appointment", text, num_digits=1, hints=CHOICE_HINTS)


def choose_appointment(turn: Turn, proceed: Proceed) -> Response:
    """Take the appointment picked from the list."""
    found = turn.session["manage"].get("appointments") or []
    pick = chosen_number(turn, len(found))
    if pick is None:
        return turn.ask_again_or_transfer("appointment", lambda: ask_which(turn, "Sorry, I didn't get that."))
    turn.clear_failures("appointment")
    turn.session["manage"]["chosen"] = found[pick - 1]
    turn.record_step("appointment")
    return proceed(turn)


def ask_booking_phone(turn: Turn, intro: str = "") -> Response:
    """Ask for the number the appointment was booked with, or 0 for staff."""
    text = (f"{intro} If you booked with a different phone number, please enter it now, followed by the pound key. "
            f"Or press {STAFF_KEY} to speak to our staff.")
    return turn.ask("/capture-booking-phone", text.strip(), finish_on_key="#", hints=("zero", "staff"))


def capture_booking_phone(turn: Turn, proceed: Proceed) -> Response:
    """Look the appointments up by the number entered; none found -> staff."""
    if turn.digits == STAFF_KEY or "staff" in turn.speech.lower():
        return turn.transfer()
    entered = turn.digits if len(turn.digits) >= 7 else turn.speech
    phone = interpret(turn, "phone", entered).get("value") if entered else None
    if not phone:
        return turn.ask_again_or_transfer(
            "booking_phone", lambda: ask_booking_phone(turn, "Sorry, that didn't sound like a phone number.")
        )
    turn.clear_failures("booking_phone")
    turn.record_step("booking_phone")
    found = upcoming_appointments(turn, phone)
    if not found:
        turn.say("I couldn't find an upcoming appointment for that number either.")
        return turn.transfer()
    return present(turn, found, proceed)
