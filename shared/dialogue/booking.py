"""The booking flow: which doctor, when, the caller's name, the number to text, the address, a
read-back, and the booking. Each question is asked only while its answer is missing, in that order,
so whatever the caller already said is never asked again. The doctor and time questions are shared
with the availability and rescheduling flows.
"""

from __future__ import annotations

from shared.call_session import CallRequest, CallSession
from shared.dialogue.engine import (
    NOT_UNDERSTOOD,
    Accepts,
    Conversation,
    Flow,
    Input,
    Outcome,
    Reply,
    Retry,
    Row,
    Step,
    ask,
    last_four,
    yes_or_no,
)
from shared.dialogue.filling import doctor_from_reading, take_time
from shared.dialogue.handover import callback_number, hand_over
from shared.dialogue.identity import VERIFY_CODE, needs_code, send_code
from shared.dialogue.ports import Doctor, Reading
from shared.dialogue.slots import CHOOSE_SLOT, check_wanted, settle_time
from shared.phone_numbers import phone_from_keys
from shared.prompts import Spoken

ANYONE_KEY, EARLIEST_KEY = "0", "1"
CHANGE_DOCTOR_KEY, CHANGE_TIME_KEY, OTHER_NUMBER_KEY, START_OVER_KEY = "2", "3", "4", "0"
DAY_HINTS = ("today", "tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
             "next week", "morning", "afternoon", "noon", "half past", "quarter past", "quarter to", "o'clock",
             "AM", "PM", "the earliest")
MIN_ADDRESS_CHARS = 5


def short_names(doctors: list[Doctor]) -> dict[int, str]:
    """"Dr. Chen" for each doctor, or the full name where two doctors share a surname."""
    surnames = [doctor.surname for doctor in doctors]
    return {doctor.id: f"Dr. {doctor.surname}" if surnames.count(doctor.surname) == 1 else doctor.name
            for doctor in doctors}


def doctor_choices(doctors: list[Doctor], with_departments: bool) -> str:
    """"1 for Dr. Chen, General Practice; 2 for Dr. Okafor, Pediatrics" (the keypad order)."""
    names = short_names(doctors)
    return "; ".join(
        f"{index}{' for' if index == 1 else ','} {names[doctor.id]}"
        + (f", {doctor.department}" if with_departments and doctor.department else "")
        for index, doctor in enumerate(doctors, start=1)
    )


def _doctor_hints(conversation: Conversation) -> list[str]:
    doctors = conversation.doctors()
    departments = [doctor.department for doctor in doctors if doctor.department]
    return [alias for doctor in doctors for alias in (doctor.name, *doctor.aliases)] + departments + [
        "anyone", "whoever is free"]


def _read_doctor(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    request, doctors = conversation.request, conversation.doctors()
    if given.key == ANYONE_KEY:
        request.choose_group([doctor.id for doctor in doctors], None)
        return None
    if given.digits:
        if not given.key.isdigit() or not 1 <= int(given.key) <= len(doctors):
            return NOT_UNDERSTOOD
        chosen = doctors[int(given.key) - 1]
        request.choose_doctor(chosen.id, chosen.name)
        return None
    if reading is not None and doctor_from_reading(conversation, reading, expected=True):
        return None
    return NOT_UNDERSTOOD


DOCTOR = Step(
    name="doctor", route="/capture-doctor-name", accepts=Accepts.BOTH, expects="doctor",
    question=lambda c: [c.text("doctor.question", choices=doctor_choices(c.doctors(), with_departments=True))],
    retry=lambda c: [c.text("doctor.retry", keys=doctor_choices(c.doctors(), with_departments=False))],
    read=_read_doctor, hints=_doctor_hints, handover_reason="doctor",
)


def _read_doctor_confirmation(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    request = conversation.request
    decision = yes_or_no(given, reading)
    if decision is None:
        return NOT_UNDERSTOOD
    if decision:
        request.doctor_unconfirmed = False
    else:
        request.forget_doctor()
    return None


CONFIRM_DOCTOR = Step(
    name="confirm_doctor", route="/confirm-doctor", accepts=Accepts.BOTH, expects="yes_no",
    question=lambda c: [c.text("doctor.confirm", doctor=c.request.doctor_name)],
    retry=lambda c: [c.text("doctor.confirm_retry", doctor=c.request.doctor_name)],
    read=_read_doctor_confirmation, hints=lambda c: ("yes", "no"), handover_reason="doctor",
)


def _time_question(conversation: Conversation) -> list:
    session, request = conversation.session, conversation.request
    if session.flow == "reschedule" and request.appointment is not None:
        appointment = request.appointment
        return [conversation.text("reschedule.current",
                                  appointment=f"{appointment.doctor_name}, {conversation.when(appointment.start)}"),
                conversation.text("time.question_move")]
    if request.doctor_id is not None:
        doctors = conversation.doctors()
        name = short_names(doctors).get(request.doctor_id, request.doctor_name)
        return [conversation.text("time.question", doctor=name)]
    return [conversation.text("time.question_group")]


def _read_time(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    request = conversation.request
    if given.digits:
        if given.key != EARLIEST_KEY:
            return NOT_UNDERSTOOD
        request.forget_time()
        request.earliest = True
        return None
    if reading is None:
        return NOT_UNDERSTOOD
    if take_time(conversation, reading):
        return None
    if reading.earliest:
        request.forget_time()
        request.earliest = True
        return None
    if reading.when_problem in ("past", "beyond_horizon"):
        return Retry(f"time.{reading.when_problem}", {"days": conversation.clinic.horizon_days})
    return NOT_UNDERSTOOD


TIME = Step(
    name="time", route="/capture-appointment-time", accepts=Accepts.BOTH, expects="time",
    question=_time_question, retry=lambda c: [c.text("time.retry")],
    read=_read_time, hints=lambda c: DAY_HINTS, handover_reason="time",
)


def _read_name(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    if reading is None or not reading.name:
        return NOT_UNDERSTOOD
    conversation.request.name = reading.name
    return None


NAME = Step(
    name="name", route="/capture-user-name", accepts=Accepts.SPEECH, expects="name",
    question=lambda c: [c.text("name.question")], retry=lambda c: [c.text("name.retry")],
    read=_read_name, num_digits=None, handover_reason="details",
)


def settle_phone(conversation: Conversation) -> None:
    """Text the caller ID unless the caller asked for another number or it proved unusable; the
    read-back says its last four digits and offers another number."""
    session, request = conversation.session, conversation.request
    if not request.phone and not request.phone_declined and _caller_id_usable(session):
        request.phone = session.caller
    return None


def _caller_id_usable(session: CallSession) -> bool:
    return bool(callback_number(session)) and len(session.caller) >= 8 and not session.callback_number


def _read_phone_entry(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    """A typed number gets the confirmation only once the caller proves it is theirs (a texted code)."""
    phone = phone_from_keys(given.digits, conversation.clinic.country) if given.digits else (
        reading.phone if reading else None)
    if not phone:
        return NOT_UNDERSTOOD
    return send_code(conversation, phone)


PHONE_ENTRY = Step(
    name="phone_entry", route="/capture-phone-number", accepts=Accepts.BOTH, expects="phone",
    question=lambda c: [c.text("phone.entry")], retry=lambda c: [c.text("phone.entry_retry")],
    read=_read_phone_entry, num_digits=None, finish_on_key="#",
    hints=lambda c: ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    handover_reason="details",
)


def _read_address(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    if len(given.speech) < MIN_ADDRESS_CHARS:
        return NOT_UNDERSTOOD
    conversation.request.address = given.speech
    return None


ADDRESS = Step(
    name="address", route="/capture-user-address", accepts=Accepts.SPEECH, expects="address",
    question=lambda c: [c.text("address.question")], retry=lambda c: [c.text("address.retry")],
    read=_read_address, num_digits=None, handover_reason="details",
)


def _read_back(conversation: Conversation) -> list:
    request = conversation.request
    return [conversation.text("booking.read_back", doctor=request.doctor_name, when=conversation.when(request.start),
                              name=request.name, last4=last_four(request.phone or ""))] if request.start else []


def _corrections(conversation: Conversation, reading: Reading) -> bool:
    """"No, Thursday", "no, with Dr. Lopez", "my name is ...": change only what was named."""
    request = conversation.request
    changed = False
    previous = request.start
    if reading.doctor_id is not None or reading.department or reading.any_doctor:
        request.forget_doctor()
        changed = doctor_from_reading(conversation, reading, expected=True)
    if reading.when is not None:
        changed = take_time(conversation, reading, previous) or changed
    if reading.name and reading.name != request.name:
        request.name, changed = reading.name, True
    if changed:
        request.confirmed = False
    return changed


def _read_confirmation(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    request = conversation.request
    if given.key == CHANGE_TIME_KEY:
        request.forget_time()
        return None
    if given.key == CHANGE_DOCTOR_KEY:
        request.forget_doctor()
        return None
    if given.key == OTHER_NUMBER_KEY or (reading is not None and reading.other_number):
        request.phone, request.phone_declined, request.confirmed = None, True, False
        return None
    if given.key == START_OVER_KEY:
        conversation.say("booking.start_over")
        conversation.session.request = CallRequest()
        return None
    if reading is not None and _corrections(conversation, reading):
        return None
    decision = yes_or_no(given, reading)
    if decision is True:
        request.confirmed = True
        return None
    if decision is False:
        return ask(conversation, CONFIRM_BOOKING, prompts=[conversation.text("booking.change_what")])
    return NOT_UNDERSTOOD


def _prefetch_booked(conversation: Conversation) -> list[Spoken]:
    """While the caller hears the read-back, the voice can prepare the sentence a yes will play."""
    request = conversation.request
    if request.start is None:
        return []
    return [conversation.text("booking.booked", doctor=request.doctor_name, when=conversation.when(request.start))]


CONFIRM_BOOKING = Step(
    name="confirm", route="/confirm-booking", accepts=Accepts.BOTH, expects="confirm",
    question=_read_back, retry=lambda c: [c.text("booking.read_back_retry")],
    read=_read_confirmation, hints=lambda c: ("yes", "no", "change the time", "start over"),
    handover_reason="confirm", prefetch=_prefetch_booked,
)


def book(conversation: Conversation) -> Reply | None:
    """Book what was read back; a time lost meanwhile offers the nearest ones, bad details are asked again."""
    session, request = conversation.session, conversation.request
    start = request.start
    if request.doctor_id is None or start is None:
        return None
    booked = conversation.ports.appointments.book(
        call_sid=session.call_sid, doctor_id=request.doctor_id, start=start, name=request.name or "",
        phone=request.phone or "", address=request.address or "", language=session.language)
    if booked.status == "booked":
        session.record_step("booked")
        session.appointment_id = booked.appointment_id
        conversation.say("booking.booked", doctor=request.doctor_name, when=conversation.when(booked.start or start))
        return conversation.goodbye("booking.farewell", "booked")
    request.confirmed = False
    if booked.status == "taken":
        conversation.say("time.just_taken")
        request.wanted, request.start = request.start, None
        return check_wanted(conversation)
    if booked.status in ("phone_limit", "call_limit"):
        conversation.say(f"booking.{booked.status}")
        return hand_over(conversation, "booking_limit")
    if booked.status == "not_bookable":
        conversation.say("time.gone")
        request.forget_time()
    elif booked.status == "invalid_phone":
        conversation.say("phone.invalid")
        if request.phone == session.caller:
            session.caller_id_unusable = True
        request.phone = None
    else:
        conversation.say("name.invalid")
        request.name = None
    return None


BOOKING = Flow(
    name="book",
    rows=(
        Row(DOCTOR, lambda s: not s.request.has_doctor),
        Row(CONFIRM_DOCTOR, lambda s: s.request.doctor_unconfirmed),
        Row(CHOOSE_SLOT, lambda s: bool(s.offered)),
        Row(TIME, lambda s: s.request.start is None),
        Row(NAME, lambda s: not s.request.name),
        Row(PHONE_ENTRY, lambda s: not s.request.phone and s.request.verification_id is None),
        Row(VERIFY_CODE, needs_code),
        Row(ADDRESS, lambda s: not s.request.address),
        Row(CONFIRM_BOOKING, lambda s: not s.request.confirmed),
    ),
    settle=(settle_time, settle_phone),
    finish=book,
)
