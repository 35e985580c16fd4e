"""The check-availability conversation: which doctor (or any doctor), the next three free slots said
naturally, and "press 1, 2 or 3" continuing into the booking steps with doctor and time filled in.
No free slot within the booking horizon offers staff or a callback request."""

from __future__ import annotations

from typing import Any

from flask import Response

from services.booking_handler import booking
from services.booking_handler.directory import DoctorDirectory
from services.booking_handler.understanding import CHOICE_HINTS, chosen_number, interpret, spoken_when
from shared.conversation import Turn

ANY_DOCTOR_KEY = "0"
MENU_KEY = "0"
SLOTS_READ = 3
STAFF_KEY, CALLBACK_KEY = "1", "2"


def _doctors(turn: Turn) -> list[dict[str, Any]]:
    directory: DoctorDirectory = turn.deps.extras["doctors"]
    return directory.doctors(turn.clinic["slug"])


def start_availability(turn: Turn) -> Response:
    """Menu option 4."""
    turn.record_step("availability")
    return ask_doctor(turn)


def ask_doctor(turn: Turn, intro: str = "") -> Response:
    """Which doctor, by name or key, or any doctor."""
    doctors = _doctors(turn)
    choices = "; ".join(f"press {index} for {doctor['name']}" for index, doctor in enumerate(doctors, start=1))
    hints = [alias for doctor in doctors for alias in [doctor["name"], *doctor.get("aliases", [])]] + ["any doctor"]
    text = (f"{intro} Whose availability would you like to hear? Say the doctor's name, or {choices}; "
            f"or press {ANY_DOCTOR_KEY} for any doctor.")
    return turn.ask("/capture-availability-doctor", text.strip(), num_digits=1, hints=hints)


def _which_doctors(turn: Turn) -> list[dict[str, Any]] | None:
    doctors = _doctors(turn)
    if turn.digits:
        key = turn.digits[:1]
        if key == ANY_DOCTOR_KEY:
            return doctors
        return [doctors[int(key) - 1]] if key.isdigit() and 1 <= int(key) <= len(doctors) else None
    if not turn.speech:
        return None
    answer = interpret(turn, "doctor", turn.speech, doctors=[
        {"id": doctor["id"], "name": doctor["name"], "aliases": doctor.get("aliases", [])} for doctor in doctors
    ])
    if answer.get("value") == "any":
        return doctors
    chosen = [doctor for doctor in doctors if doctor["id"] == answer.get("value")]
    return chosen or None


def next_free_slots(turn: Turn, doctors: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int | None]:
    """The earliest free slots across the doctors, soonest first, and the booking horizon in days."""
    slots: list[dict[str, Any]] = []
    horizon = None
    for doctor in doctors:
        answer = turn.deps.client.get("calendly", "/calendly/availability", doctor_id=doctor["id"], limit=SLOTS_READ)
        horizon = answer.get("horizon_days", horizon)
        slots += [{"doctor_id": doctor["id"], "doctor_name": doctor["name"], "start": slot["start"]}
                  for slot in answer["slots"]]
    return sorted(slots, key=lambda slot: slot["start"])[:SLOTS_READ], horizon


def capture_doctor(turn: Turn) -> Response:
    """Read the next free slots of the chosen doctor (or of all doctors)."""
    doctors = _which_doctors(turn)
    if doctors is None:
        return turn.ask_again_or_transfer("availability_doctor",
                                          lambda: ask_doctor(turn, "Sorry, I didn't catch which doctor."),
                                          "I'm sorry, I couldn't find that doctor.")
    turn.clear_failures("availability_doctor")
    turn.record_step("availability:doctor")
    slots, horizon = next_free_slots(turn, doctors)
    who = doctors[0]["name"] if len(doctors) == 1 else "any of our doctors"
    if not slots:
        return offer_staff_or_callback(turn, who, horizon)
    turn.session["outcome"] = "enquiry_only"
    turn.session["available_slots"] = slots
    return read_slots(turn)


def offer_earliest_slots(turn: Turn, doctors: list[dict[str, Any]]) -> Response:
    """A caller who wants whoever is free hears the earliest slots across the doctors, to book by key."""
    slots, horizon = next_free_slots(turn, doctors)
    if not slots:
        return offer_staff_or_callback(turn, "none of our doctors", horizon)
    turn.session["available_slots"] = slots
    return read_slots(turn)


def read_slots(turn: Turn, intro: str = "") -> Response:
    """Say the free slots naturally and offer to book one."""
    slots = turn.session["available_slots"]
    single_doctor = len({slot["doctor_id"] for slot in slots}) == 1
    if single_doctor:
        spoken = "; ".join(spoken_when(turn, slot["start"]) for slot in slots)
        heading = f"The next free times with {slots[0]['doctor_name']} are: {spoken}."
    else:
        spoken = "; ".join(f"{slot['doctor_name']}, {spoken_when(turn, slot['start'])}" for slot in slots)
        heading = f"The next free times are: {spoken}."
    keys = ", ".join(str(index) for index in range(1, len(slots))) + f" or {len(slots)}" if len(slots) > 1 else "1"
    text = (f"{intro} {heading} To book one of these, press {keys}. "
            f"Or press {MENU_KEY} to return to the main menu.")
    return turn.ask("/choose-available-slot", text.strip(), num_digits=1, hints=(*CHOICE_HINTS, "menu"))


def choose_available_slot(turn: Turn) -> Response:
    """Continue into booking with the chosen doctor and time; 0 returns to the menu."""
    slots = turn.session.get("available_slots") or []
    if turn.digits[:1] == MENU_KEY or "menu" in turn.speech.lower():
        return turn.menu()
    pick = chosen_number(turn, len(slots))
    if pick is None:
        return turn.ask_again_or_transfer("available_slot", lambda: read_slots(turn, "Sorry, I didn't get that."))
    turn.clear_failures("available_slot")
    slot = turn.session.pop("available_slots")[pick - 1]
    turn.session["booking"] = {key: slot[key] for key in ("doctor_id", "doctor_name", "start")}
    turn.record_step("book")
    return booking.ask_name_or_confirm(turn)


def offer_staff_or_callback(turn: Turn, who: str, horizon: int | None) -> Response:
    """No free slot in the horizon: say so, and offer staff or a callback."""
    turn.session["outcome"] = "no_slots"
    within = f"in the next {horizon} days" if horizon else "at the moment"
    text = (f"I'm sorry, {who} has no free appointments {within}. "
            f"Press {STAFF_KEY} to speak to our staff, "
            f"or {CALLBACK_KEY} to ask us to call you back when a time opens up.")
    return turn.ask("/no-slots-choice", text, num_digits=1, hints=("staff", "call me back"))


def no_slots_choice(turn: Turn) -> Response:
    """Staff, or a callback request recorded as the call's outcome."""
    words = turn.speech.lower()
    if turn.digits[:1] == CALLBACK_KEY or "call" in words or "back" in words:
        if not turn.caller:
            turn.say("I can't see the number you're calling from.")
            return turn.transfer()
        turn.record_step("callback_requested")
        return turn.goodbye(
            f"We'll call you back at the number ending in {' '.join(turn.caller[-4:])} as soon as a time opens up. "
            f"Thank you for calling {turn.clinic['name']}. Goodbye.",
            outcome="callback_requested",
        )
    if turn.digits[:1] == STAFF_KEY or "staff" in words or "person" in words:
        return turn.transfer()
    text = f"Sorry, I didn't get that. Press {STAFF_KEY} for our staff, or {CALLBACK_KEY} for a call back."
    return turn.ask_again_or_transfer(
        "no_slots", lambda: turn.ask("/no-slots-choice", text, num_digits=1, hints=("staff", "call me back"))
    )
