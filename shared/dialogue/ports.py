"""What a conversation needs from the rest of the system, as typed ports: the clinic's doctors, free
times, the caller's appointments, what the caller's words mean, the prompt catalogue and the clock.

The running services implement them over HTTP (shared/conversation.py); tests implement them in
memory (tests/dialogue/fakes.py) and drive whole conversations without Flask or a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from shared.call_session import AppointmentRef, ClinicInfo, Slot
from shared.clock import Clock
from shared.prompts import PromptCatalogue


@dataclass(frozen=True)
class Doctor:
    """One of the clinic's doctors as callers choose them."""

    id: int
    name: str
    department: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def surname(self) -> str:
        """The last word of the name without titles: "Dr. Sarah Chen" -> "Chen"."""
        words = [word for word in self.name.replace(",", " ").split() if word.rstrip(".").lower() not in
                 ("dr", "doctor", "md", "dds", "dmd", "do", "phd")]
        return words[-1] if words else self.name


TimeProblem = Literal["past", "too_soon", "beyond_horizon", "day_off", "off_grid", "taken"]


@dataclass(frozen=True)
class TimeCheck:
    """Whether one doctor is free at one time, why not, and the free times nearest to it."""

    free: bool
    problem: TimeProblem | None
    nearest: list[Slot]
    horizon_days: int | None = None


@dataclass(frozen=True)
class FreeSlots:
    """The earliest free slots of some doctors, soonest first, and the booking horizon in days."""

    slots: list[Slot]
    horizon_days: int | None = None


@dataclass(frozen=True)
class Booked:
    """What booking an appointment came to."""

    status: Literal["booked", "taken", "not_bookable", "invalid_phone", "invalid_name", "phone_limit", "call_limit"]
    appointment_id: int | None = None
    start: datetime | None = None


@dataclass(frozen=True)
class Changed:
    """What cancelling or moving an appointment came to."""

    status: Literal["done", "taken", "not_bookable", "not_changeable"]
    start: datetime | None = None


CodeCheck = Literal["verified", "wrong_code", "expired", "too_many_tries", "already_used", "not_found"]


@dataclass
class Reading:
    """Everything one spoken turn said (receptionist_agent's utterance reading)."""

    emergency: bool = False
    staff: bool = False
    callback: bool = False
    repeat: bool = False
    intent: str | None = None
    doctor_id: int | None = None
    doctor_confidence: float = 0.0
    any_doctor: bool = False
    department: str | None = None
    department_doctor_ids: list[int] = field(default_factory=list)
    when: datetime | None = None
    date_given: bool = False
    time_given: bool = False
    when_problem: str | None = None
    earliest: bool = False
    other_time: bool = False
    other_number: bool = False
    later: bool = False
    name: str | None = None
    phone: str | None = None
    digits: str = ""
    yes_no: bool | None = None
    choice: int | None = None


class DoctorsPort(Protocol):
    """The clinic's active doctors in a stable order (the keypad order)."""

    def doctors(self, clinic: ClinicInfo) -> list[Doctor]:
        """Every doctor a caller may choose."""
        ...


class AvailabilityPort(Protocol):
    """Free times, as the appointments' system of record computes them."""

    def check(self, *, doctor: Doctor, start: datetime, limit: int) -> TimeCheck:
        """Is the doctor free at `start`; if not, why, and the `limit` free times nearest to it."""
        ...

    def earliest(self, *, doctors: list[Doctor], limit: int, after: datetime | None = None) -> FreeSlots:
        """The `limit` earliest free slots among the doctors (after a moment, for "later times")."""
        ...


class AppointmentsPort(Protocol):
    """The caller's appointments: find, book, cancel, move."""

    def upcoming(self, *, clinic_id: int, phone: str) -> list[AppointmentRef]:
        """Booked appointments still to come for a phone number at the clinic, soonest first."""
        ...

    def book(self, *, call_sid: str, doctor_id: int, start: datetime, name: str, phone: str,
             address: str, language: str) -> Booked:
        """Check the guest's details and book; never books twice for one call and time."""
        ...

    def cancel(self, *, appointment_id: int) -> Changed:
        """Cancel (repeat-safe)."""
        ...

    def move(self, *, appointment_id: int, start: datetime) -> Changed:
        """Move to another free time."""
        ...

    def send_code(self, *, clinic: ClinicInfo, phone: str, caller: str, call_sid: str, purpose: str) -> int | None:
        """Text a one-time code to the number (for `appointments`: only if it has upcoming appointments
        here); the verification's id either way, None when too many codes were asked for."""
        ...

    def check_code(self, *, verification_id: int, call_sid: str, code: str) -> CodeCheck:
        """Whether the code the caller typed is the one texted."""
        ...


class UnderstandingPort(Protocol):
    """What the caller's words mean."""

    def read(self, *, text: str, expect: str, clinic: ClinicInfo, doctors: list[Doctor], now: datetime) -> Reading:
        """Every slot one utterance fills, `expect` being the one the question asked about."""
        ...


@dataclass(frozen=True)
class Ports:
    """Everything a conversation may touch outside its own session."""

    doctors: DoctorsPort
    availability: AvailabilityPort
    appointments: AppointmentsPort
    understanding: UnderstandingPort
    prompts: PromptCatalogue
    clock: Clock
