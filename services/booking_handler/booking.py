"""The booking conversation: doctor, time (or the nearest free slots), name, phone, address,
read-back, and the booking itself. Each function handles one Twilio request and returns TwiML."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response

from services.booking_handler import availability
from services.booking_handler.directory import DoctorDirectory
from services.booking_handler.understanding import (
    DAY_HINTS,
    PHONE_HINTS,
    YES_NO_HINTS,
    caller_said_yes,
    interpret,
    nearest_free_starts,
    spoken_when,
)
from shared.conversation import MAX_FAILURES, Turn
from shared.log import register_sensitive
from shared.service_client import ServiceCallError
CHANGE_TIME_KEY = "9"
# Below this the receptionist_agent's doctor match is read back for a yes before it is used.
CONFIRM_DOCTOR_BELOW = 0.8


def _doctors(turn: Turn) -> list[dict[str, Any]]:
    directory: DoctorDirectory = turn.deps.extras["doctors"]
    return directory.doctors(turn.clinic["slug"])


def ask_doctor(turn: Turn, intro: str = "") -> Response:
    """Ask which doctor, by name or by key."""
    doctors = _doctors(turn)
    choices = "; ".join(
        f"press {index} for {doctor['name']}, {doctor['department']}" if doctor.get("department")
        else f"press {index} for {doctor['name']}"
        for index, doctor in enumerate(doctors, start=1)
    )
    hints = [alias for doctor in doctors for alias in [doctor["name"], *doctor.get("aliases", [])]]
    text = f"{intro} Which doctor would you like to see? Say the doctor's name, or {choices}.".strip()
    return turn.ask("/capture-doctor-name", text, num_digits=1, hints=hints)


def start_booking(turn: Turn) -> Response:
    """Begin a booking from scratch."""
    turn.session["booking"] = {}
    turn.session.pop("offered_slots", None)
    turn.record_step("book")
    return ask_doctor(turn)


def ask_time(turn: Turn, intro: str = "") -> Response:
    """Ask when the caller would like to come."""
    name = turn.session["booking"]["doctor_name"]
    text = f"{intro} When would you like to see {name}? You can say a day and time, like next Tuesday at 3 PM."
    return turn.ask("/capture-appointment-time", text.strip(), input_kinds="speech", hints=DAY_HINTS)


def capture_doctor(turn: Turn) -> Response:
    """Take the doctor from a key or a spoken name; "whoever is free" hears the earliest free times,
    and an uncertain match is confirmed before it is used."""
    doctors = _doctors(turn)
    chosen, confidence = None, 1.0
    if turn.digits.isdigit() and 1 <= int(turn.digits) <= len(doctors):
        chosen = doctors[int(turn.digits) - 1]
    elif turn.speech:
        answer = interpret(turn, "doctor", turn.speech, doctors=[
            {"id": doctor["id"], "name": doctor["name"], "aliases": doctor.get("aliases", [])} for doctor in doctors
        ])
        if answer.get("value") == "any":
            turn.record_step("doctor:any")
            return availability.offer_earliest_slots(turn, doctors)
        chosen = next((doctor for doctor in doctors if doctor["id"] == answer.get("value")), None)
        confidence = answer.get("confidence") or 0.0
    if chosen is None:
        return turn.ask_again_or_transfer("doctor", lambda: ask_doctor(turn, "Sorry, I didn't catch which doctor."),
                                          "I'm sorry, I couldn't find that doctor.")
    turn.clear_failures("doctor")
    turn.session["booking"].update(doctor_id=chosen["id"], doctor_name=chosen["name"])
    if confidence < CONFIRM_DOCTOR_BELOW:
        return turn.ask("/confirm-doctor", f"Did you mean {chosen['name']}? Press 1 for yes, or 2 for no.",
                        num_digits=1, hints=YES_NO_HINTS)
    turn.record_step("doctor")
    return ask_time(turn)


def confirm_doctor(turn: Turn) -> Response:
    """Yes keeps the doctor an uncertain match found; no asks again."""
    decision = caller_said_yes(turn)
    if decision is True:
        turn.record_step("doctor")
        return ask_time(turn)
    turn.session["booking"] = {}
    if decision is False:
        return ask_doctor(turn, "Sorry about that.")
    return turn.ask_again_or_transfer("doctor", lambda: ask_doctor(turn, "Sorry, I didn't get that."))


def offer_slots(turn: Turn, slots: list[str], intro: str) -> Response:
    """Offer up to three free slots by key, or another time with 9."""
    turn.session["offered_slots"] = slots
    options = "; ".join(f"press {index} for {spoken_when(turn, start)}" for index, start in enumerate(slots, start=1))
    text = f"{intro} The nearest free times are: {options}. Or press {CHANGE_TIME_KEY} to choose another time."
    return turn.ask("/choose-slot", text, num_digits=1, hints=("one", "two", "three", "another time"))


def capture_time(turn: Turn) -> Response:
    """Understand the requested time; take it when free, else offer the nearest free slots."""
    answer = interpret(turn, "datetime", turn.speech) if turn.speech else {"value": None}
    if not answer.get("value"):
        return turn.retry_or_transfer(
            "time", "/capture-appointment-time",
            "Sorry, I didn't catch the day and time. Please say something like tomorrow at 10 AM.",
            input_kinds="speech", hints=DAY_HINTS,
        )
    turn.clear_failures("time")
    requested = datetime.fromisoformat(answer["value"])
    slots = nearest_free_starts(turn, turn.session["booking"]["doctor_id"], requested.isoformat())
    turn.record_step("time")
    exact = next((start for start in slots if datetime.fromisoformat(start) == requested), None)
    if exact:
        turn.session["booking"]["start"] = exact
        return ask_name_or_confirm(turn)
    if not slots:
        doctor_name = turn.session["booking"]["doctor_name"]
        if turn.count_failure("no_free_times") >= MAX_FAILURES:
            return availability.offer_staff_or_callback(turn, doctor_name, None)
        return ask_time(turn, f"{doctor_name} has no free times around then.")
    return offer_slots(turn, slots, f"{turn.session['booking']['doctor_name']} isn't available then.")


def choose_slot(turn: Turn) -> Response:
    """Take one of the offered slots by key, or go back to asking for a time."""
    offered = turn.session.get("offered_slots") or []
    key = turn.digits[:1]
    if key == CHANGE_TIME_KEY or "another" in turn.speech.lower():
        return ask_time(turn)
    if key.isdigit() and 1 <= int(key) <= len(offered):
        turn.session["booking"]["start"] = offered[int(key) - 1]
        turn.session.pop("offered_slots", None)
        turn.clear_failures("slot")
        return ask_name_or_confirm(turn)
    return turn.ask_again_or_transfer("slot", lambda: offer_slots(turn, offered, "Sorry, I didn't get that."))


def ask_name_or_confirm(turn: Turn) -> Response:
    """Ask for the caller's name, or go straight to the read-back when all details are known."""
    booking = turn.session["booking"]
    if all(booking.get(field) for field in ("name", "phone", "address")):
        return read_back(turn)
    return turn.ask("/capture-user-name", "May I have your full name, please?", input_kinds="speech")


def ask_phone(turn: Turn, intro: str = "") -> Response:
    """Offer the caller ID first, else ask for digits followed by #."""
    caller = _offerable_caller_id(turn)
    if caller and len(caller) >= 8:
        text = (f"{intro} Can we text your confirmation to the number you're calling from, ending in {' '.join(caller[-4:])}? "
                "Press 1 for yes, or enter a different number followed by the pound key.")
    else:
        text = f"{intro} Please enter your phone number followed by the pound key."
    # The caller's own digits are patient data: they reach ElevenLabs only where the clinic allows it.
    return turn.ask("/capture-user-phone", text.strip(), finish_on_key="#", hints=PHONE_HINTS,
                    patient_data=bool(caller and len(caller) >= 8))


def capture_name(turn: Turn) -> Response:
    """Take the caller's name."""
    answer = interpret(turn, "name", turn.speech) if turn.speech else {"value": None}
    if not answer.get("value"):
        return turn.retry_or_transfer("name", "/capture-user-name", "Sorry, I didn't catch your name. Please say your full name.",
                                      input_kinds="speech")
    register_sensitive(answer["value"])
    turn.clear_failures("name")
    turn.session["booking"]["name"] = answer["value"]
    turn.record_step("name")
    return ask_phone(turn, "Thank you.")


def _offerable_caller_id(turn: Turn) -> str:
    """The caller ID, unless it was already found unusable in this call (then offering it would loop)."""
    return "" if turn.session.get("caller_id_unusable") else turn.caller


def _phone_from_input(turn: Turn) -> str | None:
    caller = _offerable_caller_id(turn)
    if turn.digits == "1" and caller:
        return caller
    if turn.speech and interpret(turn, "yes_no", turn.speech).get("value") is True and caller:
        return caller
    spoken_or_typed = turn.digits if len(turn.digits) >= 7 else turn.speech
    if not spoken_or_typed:
        return None
    return interpret(turn, "phone", spoken_or_typed).get("value")


def capture_phone(turn: Turn) -> Response:
    """Take the phone number: the caller ID, typed digits or spoken digits."""
    phone = _phone_from_input(turn)
    if not phone:
        return turn.ask_again_or_transfer("phone", lambda: ask_phone(turn, "Sorry, that didn't work."))
    turn.clear_failures("phone")
    turn.session["booking"]["phone"] = phone
    turn.record_step("phone")
    return turn.ask("/capture-user-address", "And what is your home address?", input_kinds="speech")


def capture_address(turn: Turn) -> Response:
    """Take the caller's address, then read everything back."""
    if len(turn.speech) < 5:
        return turn.retry_or_transfer("address", "/capture-user-address",
                                      "Sorry, I didn't catch that. Please say your street address.", input_kinds="speech")
    register_sensitive(turn.speech)
    turn.clear_failures("address")
    turn.session["booking"]["address"] = turn.speech
    turn.record_step("address")
    return read_back(turn)


def read_back(turn: Turn) -> Response:
    """Read the booking back and ask for confirmation."""
    booking = turn.session["booking"]
    register_sensitive(booking.get("name"), booking.get("address"))
    text = (f"Let me read that back. {booking['doctor_name']}, {spoken_when(turn, booking['start'])}, for {booking['name']}. "
            "Press 1 to confirm, or 2 to start over.")
    # While the caller listens, the tts service prepares the sentence a "yes" will play.
    turn.prompter.prefetch(booked_sentence(turn, booking["doctor_name"], booking["start"]))
    return turn.ask("/confirm-booking", text, num_digits=1, hints=YES_NO_HINTS, patient_data=True)


def booked_sentence(turn: Turn, doctor_name: str, start_iso: str) -> str:
    """What a caller hears when the booking is made (no patient data, so the clinic's voice can say it)."""
    return f"You're booked with {doctor_name} for {spoken_when(turn, start_iso)}."


def confirm_booking(turn: Turn) -> Response:
    """Book on yes, start over on no, ask again otherwise."""
    decision = caller_said_yes(turn)
    if decision is None:
        return turn.ask_again_or_transfer("confirm", lambda: read_back(turn))
    if decision is False:
        turn.say("No problem, let's start again.")
        return start_booking(turn)
    return book(turn)


def book(turn: Turn) -> Response:
    """Validate the details and ask calendly to book; a lost race offers the nearest free slots."""
    booking = turn.session["booking"]
    guest = turn.deps.client.call("POST", "receptionist_agent", "/agent/validate",
                                  json={"name": booking["name"], "phone": booking["phone"], "address": booking["address"]})
    if not guest.ok:
        fields = (guest.data or {}).get("fields", {})
        if "phone" in fields:
            if booking.pop("phone", None) == turn.caller:
                turn.session["caller_id_unusable"] = True
            return ask_phone(turn, "Sorry, that phone number doesn't look right.")
        booking.pop("name", None)
        return turn.ask("/capture-user-name", "Sorry, could you say your full name again?", input_kinds="speech")
    details = guest.data
    answer = turn.deps.client.call("POST", "calendly", "/calendly/appointments", json={
        "doctor_id": booking["doctor_id"], "start": booking["start"], "call_sid": turn.call_sid,
        "patient": {"name": details["name"], "phone": details["phone"], "address": details.get("address")},
    })
    if answer.status == 409:
        slots = nearest_free_starts(turn, booking["doctor_id"], booking["start"])
        booking.pop("start", None)
        if not slots:
            return ask_time(turn, "I'm sorry, that time was just taken.")
        return offer_slots(turn, slots, "I'm sorry, that time was just taken.")
    if answer.status == 422:
        booking.pop("start", None)
        return ask_time(turn, "I'm sorry, that time can no longer be booked.")
    if not answer.ok:
        raise ServiceCallError("calendly", "/calendly/appointments", answer.status, "booking refused")
    turn.record_step("booked")
    turn.session["appointment_id"] = answer.data["id"]
    # Two prompts: the fixed farewell is the same for every caller, so it plays from the audio cache.
    turn.say(booked_sentence(turn, booking["doctor_name"], answer.data["start"]))
    return turn.goodbye(
        f"We'll send you a text message to confirm. Thank you for calling {turn.clinic['name']}. Goodbye.",
        outcome="booked",
    )

