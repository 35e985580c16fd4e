"""Helpers for call-flow tests: a fixed clock every service sees (Monday 30 November 2026, just before
9 AM in Boston) and appointments booked directly through the calendly API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.clock import FakeClock
from tests.conftest import CALLER

MONDAY_9AM_BOSTON = datetime(2026, 11, 30, 13, 58, tzinfo=UTC)  # two minutes to spare


@pytest.fixture
def clock() -> FakeClock:
    """Just before 9 AM EST on Monday 30 November 2026, for every service of `system`."""
    return FakeClock(MONDAY_9AM_BOSTON)


def doctor_id(system, name: str, clinic: str = "riverside") -> int:
    """A demo doctor's id by name."""
    doctors = system.internal("GET", f"/kb/clinics/{clinic}/doctors").get_json()
    return next(doctor["id"] for doctor in doctors if doctor["name"] == name)


def book(system, doctor: str, start_utc: str, phone: str = CALLER, name: str = "Jane Doe",
         clinic: str = "riverside") -> dict[str, Any]:
    """Book an appointment through the internal API; returns its JSON."""
    response = system.internal("POST", "/calendly/appointments", json={
        "doctor_id": doctor_id(system, doctor, clinic), "start": start_utc,
        "patient": {"name": name, "phone": phone, "address": "12 Main Street"},
    })
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def appointments(system, phone: str = CALLER) -> list[dict[str, Any]]:
    """A phone number's appointments, as calendly lists them."""
    return system.internal("POST", "/calendly/appointments/search", json={"phone": phone}).get_json()


def texts(system, phone: str = CALLER) -> list[dict[str, Any]]:
    """The SMS messages queued for a number."""
    return system.internal("POST", "/messaging/sms/search", json={"to": phone}).get_json()


def recorded_call(system, call_sid: str) -> dict[str, Any]:
    """The call row as GET /twilio/calls lists it (today's calls at Riverside)."""
    listed = system.internal("GET", "/twilio/calls", query_string={"clinic": "riverside"}).get_json()
    return next(call for call in listed["calls"] if call["call_sid"] == call_sid)
