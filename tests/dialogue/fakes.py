"""In-memory implementations of the conversation's ports, and a caller who talks to the engine directly:
whole conversations without Flask, HTTP or a database.

Free times come from the same pure slot arithmetic calendly uses (services/calendly/scheduling.py);
words are read by receptionist_agent's interpreter itself (it is pure), so what these tests prove
about understanding holds for the running system.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.calendly.scheduling import Schedule, bookable_window, free_slots, nearest, slot_problem
from services.receptionist_agent.utterance import interpret_utterance
from shared.call_session import AppointmentRef, CallSession, ClinicInfo, Slot
from shared.clock import FakeClock
from shared.conversation import reading_from
from shared.dialogue import runner
from shared.dialogue.engine import Conversation, Input, Reply
from shared.dialogue.ports import Booked, Changed, Doctor, FreeSlots, Ports, Reading, TimeCheck
from shared.prompts import PROMPTS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALLER = "+16175550123"


def riverside() -> ClinicInfo:
    """A clinic like the demo's Riverside Family Clinic (Boston, open 8 to 6 on weekdays)."""
    return ClinicInfo(
        id=1, slug="riverside", name="Riverside Family Clinic", timezone="America/New_York",
        staff_number="+16175550199", country="US",
        opening_hours=[{"day": day, "start": "08:00", "end": "18:00"} for day in WEEKDAYS],
        closures=[{"date": "2026-12-25"}],
    )


RIVERSIDE_DOCTORS = [
    (Doctor(1, "Dr. Sarah Chen", "General Practice", ("Doctor Chen", "Chen", "Sarah Chen")),
     [{"day": day, "start": "09:00", "end": "17:00"} for day in WEEKDAYS]),
    (Doctor(2, "Dr. James Okafor", "Pediatrics", ("Doctor Okafor", "Okafor", "James Okafor")),
     [{"day": day, "start": "08:00", "end": "12:00"} for day in ("mon", "wed", "fri")]),
    (Doctor(3, "Dr. Maria Lopez", "Cardiology", ("Doctor Lopez", "Lopez", "Maria Lopez")),
     [{"day": day, "start": "13:00", "end": "18:00"} for day in ("tue", "thu")]),
]


@dataclass
class Appointment:
    """A booked (or cancelled) appointment in memory."""

    id: int
    doctor_id: int
    start: datetime
    phone: str
    name: str
    status: str = "booked"
    call_sid: str = ""


@dataclass
class MemoryClinic:
    """Doctors, schedules and appointments of one clinic; implements the doctors, availability and
    appointments ports."""

    clinic: ClinicInfo
    clock: FakeClock
    doctors_and_hours: list[tuple[Doctor, list[dict[str, str]]]] = field(default_factory=lambda: RIVERSIDE_DOCTORS)
    exceptions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    appointments: list[Appointment] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    # one-time codes texted: verification id -> (phone, code or None when nothing was sent, tries)
    codes: dict[int, list] = field(default_factory=dict)
    texts: list[tuple[str, str]] = field(default_factory=list)

    def doctors(self, clinic: ClinicInfo) -> list[Doctor]:
        """The clinic's doctors, in keypad order."""
        return [doctor for doctor, _ in self.doctors_and_hours]

    def schedule(self, doctor_id: int) -> Schedule:
        """The slot rules of one doctor."""
        hours = next(hours for doctor, hours in self.doctors_and_hours if doctor.id == doctor_id)
        return Schedule(self.clinic.timezone, self.clinic.slot_minutes, hours, self.exceptions.get(doctor_id, []),
                        min_lead_minutes=120, horizon_days=self.clinic.horizon_days)

    def _free(self, doctor: Doctor, start: datetime, end: datetime) -> list[Slot]:
        booked = [(item.start, item.start + timedelta(minutes=30)) for item in self.appointments
                  if item.doctor_id == doctor.id and item.status == "booked"]
        return [Slot(doctor_id=doctor.id, doctor_name=doctor.name, start=slot.start)
                for slot in free_slots(self.schedule(doctor.id), booked, start, end, self.clock.now())]

    def check(self, *, doctor: Doctor, start: datetime, limit: int) -> TimeCheck:
        """Free at `start`? Why not, and the nearest free times."""
        self.calls.append("check")
        schedule = self.schedule(doctor.id)
        problem = slot_problem(schedule, start, self.clock.now())
        earliest, latest = bookable_window(schedule, self.clock.now())
        centre = min(max(start, earliest), latest)
        window = self._free(doctor, centre - timedelta(days=14), centre + timedelta(days=14))
        free = problem is None and any(slot.start == start for slot in window)
        code = None if free else problem.code if problem else "taken"
        return TimeCheck(free, code, nearest(window, start, limit), self.clinic.horizon_days)

    def earliest(self, *, doctors: list[Doctor], limit: int, after: datetime | None = None) -> FreeSlots:
        """The earliest free slots across doctors."""
        self.calls.append("earliest")
        now = self.clock.now()
        start = max(after or now, now)
        slots = [slot for doctor in doctors
                 for slot in self._free(doctor, start, now + timedelta(days=self.clinic.horizon_days))[:limit]]
        order = {doctor.id: index for index, doctor in enumerate(doctors)}
        return FreeSlots(sorted(slots, key=lambda slot: (slot.start, order[slot.doctor_id]))[:limit],
                         self.clinic.horizon_days)

    def upcoming(self, *, clinic_id: int, phone: str) -> list[AppointmentRef]:
        """The number's booked appointments to come."""
        names = {doctor.id: doctor.name for doctor, _ in self.doctors_and_hours}
        return [AppointmentRef(id=item.id, doctor_id=item.doctor_id, doctor_name=names[item.doctor_id],
                               start=item.start)
                for item in sorted(self.appointments, key=lambda item: item.start)
                if item.phone == phone and item.status == "booked" and item.start > self.clock.now()]

    def book(self, *, call_sid: str, doctor_id: int, start: datetime, name: str, phone: str, address: str,
             language: str) -> Booked:
        """Book when the slot is free."""
        doctor = next(doctor for doctor, _ in self.doctors_and_hours if doctor.id == doctor_id)
        if slot_problem(self.schedule(doctor_id), start, self.clock.now()):
            return Booked("not_bookable")
        if not any(slot.start == start for slot in self._free(doctor, start, start + timedelta(minutes=1))):
            return Booked("taken")
        if len(self.upcoming(clinic_id=self.clinic.id, phone=phone)) >= 3:
            return Booked("phone_limit")
        if any(item.call_sid == call_sid and item.status == "booked" for item in self.appointments):
            return Booked("call_limit")
        appointment = Appointment(len(self.appointments) + 1, doctor_id, start, phone, name, call_sid=call_sid)
        self.appointments.append(appointment)
        return Booked("booked", appointment.id, start)

    def cancel(self, *, appointment_id: int) -> Changed:
        """Cancel."""
        self.appointments[appointment_id - 1].status = "cancelled"
        return Changed("done")

    def move(self, *, appointment_id: int, start: datetime) -> Changed:
        """Move when the new slot is free."""
        appointment = self.appointments[appointment_id - 1]
        doctor = next(doctor for doctor, _ in self.doctors_and_hours if doctor.id == appointment.doctor_id)
        if not any(slot.start == start for slot in self._free(doctor, start, start + timedelta(minutes=1))):
            return Changed("taken")
        appointment.start = start
        return Changed("done", start)

    def send_code(self, *, clinic: ClinicInfo, phone: str, caller: str, call_sid: str, purpose: str) -> int | None:
        """A code to the number when it has appointments or for a booking (three per number, as calendly)."""
        if sum(1 for number, *_ in self.codes.values() if number == phone) >= 3:
            return None
        texted = purpose == "booking" or self.upcoming(clinic_id=clinic.id, phone=phone)
        code = f"{len(self.codes) + 123456}" if texted else None
        self.codes[len(self.codes) + 1] = [phone, code, 0]
        if code:
            self.texts.append((phone, code))
        return len(self.codes)

    def check_code(self, *, verification_id: int, call_sid: str, code: str):
        """Right, wrong, or too many tries."""
        entry = self.codes[verification_id]
        if entry[2] >= 3:
            return "too_many_tries"
        entry[2] += 1
        return "verified" if entry[1] is not None and code == entry[1] else "wrong_code"

    def add_appointment(self, doctor_id: int, start: datetime, phone: str = CALLER) -> Appointment:
        """An appointment booked earlier."""
        appointment = Appointment(len(self.appointments) + 1, doctor_id, start, phone, "Jane Doe")
        self.appointments.append(appointment)
        return appointment


class InterpreterUnderstanding:
    """receptionist_agent's utterance interpreter, called in process."""

    def read(self, *, text: str, expect: str, clinic: ClinicInfo, doctors: list[Doctor], now: datetime) -> Reading:
        """One reading of everything said."""
        answer = interpret_utterance(
            text, expect=expect, timezone=clinic.timezone, now=now, region=clinic.country,
            synonyms=clinic.department_synonyms,
            doctors=[{"id": doctor.id, "name": doctor.name, "aliases": list(doctor.aliases),
                      "department": doctor.department} for doctor in doctors])
        return reading_from(answer)


def ports_for(clinic: MemoryClinic) -> Ports:
    """Ports over one in-memory clinic."""
    return Ports(doctors=clinic, availability=clinic, appointments=clinic, understanding=InterpreterUnderstanding(),
                 prompts=PROMPTS, clock=clinic.clock)


class Call:
    """One call, driven turn by turn against the engine: what a caller hears and does."""

    def __init__(self, clinic: MemoryClinic, caller: str = CALLER):
        self.clinic = clinic
        self.ports = ports_for(clinic)
        self.session = CallSession(call_sid="CA" + "0" * 32, clinic=clinic.clinic, caller=caller)
        self.replies: list[Reply] = []

    def _turn(self, produce) -> Reply:
        conversation = Conversation(self.session, self.ports)
        reply = produce(conversation)
        # the session goes through its stored form every turn, as between real Twilio requests
        self.session = CallSession.load(self.session.dump())
        self.replies.append(reply)
        return reply

    def start(self) -> Reply:
        """Dial in."""
        return self._turn(runner.greet)

    def answer(self, digits: str = "", speech: str = "") -> Reply:
        """Answer the pending question."""
        question = self.replies[-1].question
        assert question is not None, f"nothing is asked; last heard: {self.heard}"
        step = runner.STEP_BY_ROUTE[question.action]
        return self._turn(lambda conversation: runner.answer(conversation, step, Input.of(digits, speech)))

    def press(self, digits: str) -> Reply:
        """Keys."""
        return self.answer(digits=digits)

    def say(self, words: str) -> Reply:
        """Words."""
        return self.answer(speech=words)

    @property
    def last(self) -> Reply:
        """The last reply."""
        return self.replies[-1]

    @property
    def heard(self) -> str:
        """Everything the last reply said, question included."""
        return text_of(self.last)

    @property
    def asked(self) -> str | None:
        """The step the call waits on."""
        return self.last.question.step if self.last.question else None

    @property
    def turns(self) -> int:
        """Caller turns so far (answers, not the dial-in)."""
        return len(self.replies) - 1

    @property
    def words(self) -> int:
        """Words the receptionist said in the whole call."""
        return sum(len(text_of(reply).split()) for reply in self.replies)


def text_of(reply: Reply) -> str:
    """All the words of one reply."""
    spoken = [*reply.spoken, *(reply.question.prompts if reply.question else [])]
    return " ".join(item.text for item in spoken)


def at(clinic_local: str, tz: str = "America/New_York") -> datetime:
    """An instant from a local ISO time at the clinic: at("2026-11-30T09:00")."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(clinic_local).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
