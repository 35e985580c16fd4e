"""The state of one phone call between Twilio requests: one typed model, stored as versioned JSON.

`CallSession.load` reads what any release wrote: the current schema, and the untyped dict of the
first release (schema 1), converted field by field, so calls in progress survive a deploy.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

SCHEMA_VERSION = 2
FlowName = Literal["menu", "book", "cancel", "reschedule", "availability", "handover"]
Outcome = Literal["booked", "cancelled", "rescheduled", "enquiry_only", "no_slots", "callback_requested",
                  "transferred", "emergency", "hung_up"]


class ClinicInfo(BaseModel):
    """What a call needs to know about its clinic, copied at the start of the call."""

    id: int
    slug: str
    name: str
    timezone: str
    staff_number: str | None = None
    greeting: str | None = None
    slot_minutes: int = 30
    horizon_days: int = 60
    country: str = "US"
    opening_hours: list[dict[str, Any]] = Field(default_factory=list)
    closures: list[dict[str, Any]] = Field(default_factory=list)
    department_synonyms: dict[str, list[str]] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)


class Slot(BaseModel):
    """A free time of one doctor, as offered to the caller."""

    doctor_id: int
    doctor_name: str
    start: AwareDatetime


class AppointmentRef(BaseModel):
    """An appointment of the caller's, as the cancel and reschedule flows handle it (no patient data)."""

    id: int
    doctor_id: int
    doctor_name: str
    start: AwareDatetime


class CallRequest(BaseModel):
    """What the caller asked for so far: filled in any order, asked for in a fixed one."""

    doctor_id: int | None = None
    doctor_name: str | None = None
    doctor_unconfirmed: bool = False
    # Whoever is free, optionally among one department's doctors (empty: the whole clinic).
    any_doctor: bool = False
    department: str | None = None
    group: list[int] = Field(default_factory=list)
    # The time the caller named but nobody has checked yet; `start` is a checked, free slot.
    wanted: AwareDatetime | None = None
    wanted_day: date | None = None
    earliest: bool = False
    earliest_shown: bool = False
    start: AwareDatetime | None = None
    name: str | None = None
    phone: str | None = None
    phone_declined: bool = False
    address: str | None = None
    confirmed: bool = False
    # Cancel and reschedule: the appointment being changed, and how it was looked up.
    appointment: AppointmentRef | None = None
    lookup_done: bool = False
    lookup_phone: str | None = None
    verification_id: int | None = None

    def choose_doctor(self, doctor_id: int, doctor_name: str) -> None:
        """One doctor: forget any group or earlier slot check."""
        self.doctor_id, self.doctor_name, self.doctor_unconfirmed = doctor_id, doctor_name, False
        self.any_doctor, self.department, self.group = False, None, []
        self.start, self.confirmed = None, False

    def choose_group(self, doctor_ids: list[int], department: str | None) -> None:
        """Whoever is free among these doctors."""
        self.doctor_id, self.doctor_name, self.doctor_unconfirmed = None, None, False
        self.any_doctor, self.department, self.group = True, department, list(doctor_ids)
        self.start, self.confirmed = None, False

    def take_slot(self, slot: Slot) -> None:
        """A checked free slot: doctor and time are settled."""
        self.doctor_id, self.doctor_name, self.start = slot.doctor_id, slot.doctor_name, slot.start
        self.doctor_unconfirmed, self.confirmed = False, False
        self.wanted, self.wanted_day, self.earliest = None, None, False

    def forget_doctor(self) -> None:
        """Ask for the doctor again (a time already settled is kept as the time wanted)."""
        if self.start is not None:
            self.wanted = self.start
        self.doctor_id, self.doctor_name, self.doctor_unconfirmed = None, None, False
        self.any_doctor, self.department, self.group = False, None, []
        self.start, self.confirmed = None, False

    def forget_time(self) -> None:
        """Ask for the time again."""
        self.start, self.wanted, self.wanted_day, self.earliest, self.confirmed = None, None, None, False, False

    @property
    def has_doctor(self) -> bool:
        """A doctor, or a group of doctors to choose the earliest from."""
        return self.doctor_id is not None or self.any_doctor


class CallSession(BaseModel):
    """Everything the system remembers about one call."""

    schema_version: int = SCHEMA_VERSION
    call_sid: str
    clinic: ClinicInfo
    caller: str = ""
    language: str = "en"
    flow: FlowName = "menu"
    request: CallRequest = Field(default_factory=CallRequest)
    offered: list[Slot] = Field(default_factory=list)
    offer_kind: str | None = None
    appointments: list[AppointmentRef] = Field(default_factory=list)
    failures: dict[str, int] = Field(default_factory=dict)
    steps: list[str] = Field(default_factory=lambda: ["greeting"])
    outcome: Outcome | None = None
    outcome_reason: str | None = None
    appointment_id: int | None = None
    caller_id_unusable: bool = False
    # Identity (shared/dialogue/identity.py): whether the caller ID may stand for the caller, and the
    # number whose appointments this caller has been verified for.
    caller_id_trusted: bool = True
    verified_phone: str | None = None
    # Why the call is being handed over, and the number a caller without caller ID typed for a callback.
    handover_reason: str | None = None
    callback_number: str | None = None

    def record_step(self, step: str) -> None:
        """Append a step to the call's history, once per consecutive repeat."""
        if not self.steps or self.steps[-1] != step:
            self.steps.append(step)

    def count_failure(self, step: str) -> int:
        """One more failed answer at a step; returns the count."""
        self.failures[step] = self.failures.get(step, 0) + 1
        return self.failures[step]

    def clear_failures(self, step: str) -> None:
        """Forget a step's failures once it has been answered."""
        self.failures.pop(step, None)

    def end(self, outcome: Outcome, reason: str | None = None) -> None:
        """Set how the call ended (the last word wins) and why."""
        self.outcome = outcome
        self.outcome_reason = reason

    def dump(self) -> dict[str, Any]:
        """JSON-ready data to store."""
        return self.model_dump(mode="json")

    @classmethod
    def load(cls, data: dict[str, Any]) -> CallSession:
        """Read stored data of any schema version."""
        if data.get("schema_version") is None:
            data = _from_schema_1(data)
        return cls.model_validate(data)


def _iso(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _from_schema_1(old: dict[str, Any]) -> dict[str, Any]:
    """The first release's untyped session: `booking`, `offered_slots`, `available_slots`, `manage`."""
    booking = old.get("booking") or {}
    manage = old.get("manage") or {}
    chosen = manage.get("chosen")
    request: dict[str, Any] = {
        "doctor_id": booking.get("doctor_id") or (chosen or {}).get("doctor_id"),
        "doctor_name": booking.get("doctor_name") or (chosen or {}).get("doctor"),
        "start": _iso(booking.get("start") or manage.get("new_start")),
        "name": booking.get("name"), "phone": booking.get("phone"), "address": booking.get("address"),
        "lookup_done": bool(manage),
    }
    if chosen:
        request["appointment"] = _appointment_1(chosen)
    offered: list[dict[str, Any]] = []
    for start in old.get("offered_slots") or manage.get("offered") or []:
        offered.append({"doctor_id": request["doctor_id"], "doctor_name": request["doctor_name"], "start": start})
    offered += [dict(slot) for slot in old.get("available_slots") or []]
    flow = manage.get("action") or ("availability" if old.get("available_slots") else "book" if booking else "menu")
    return {
        "schema_version": SCHEMA_VERSION,
        "call_sid": old["call_sid"],
        "clinic": old["clinic"],
        "caller": old.get("caller") or "",
        "flow": flow,
        "request": request,
        "offered": offered,
        "appointments": [_appointment_1(item) for item in manage.get("appointments") or []],
        "failures": old.get("failures") or {},
        "steps": old.get("steps") or ["greeting"],
        "outcome": old.get("outcome"),
        "appointment_id": old.get("appointment_id"),
        "caller_id_unusable": bool(old.get("caller_id_unusable")),
    }


def _appointment_1(item: dict[str, Any]) -> dict[str, Any]:
    return {"id": item["id"], "doctor_id": item["doctor_id"], "doctor_name": item["doctor"], "start": item["start"]}
