"""Whole conversations against the engine with in-memory ports: a Riverside-like clinic on a clock the
test sets (Monday 30 November 2026, 9 AM in Boston unless it says otherwise)."""

from __future__ import annotations

import pytest

from shared.clock import FakeClock
from tests.dialogue.fakes import Call, MemoryClinic, at, riverside


@pytest.fixture
def clinic() -> MemoryClinic:
    """An in-memory clinic, open 8 AM to 6 PM on weekdays; the clock reads Monday 9 AM."""
    return MemoryClinic(riverside(), FakeClock(at("2026-11-30T09:00")))


@pytest.fixture
def call(clinic) -> Call:
    """A call from the usual caller, already greeted."""
    call = Call(clinic)
    call.start()
    return call
