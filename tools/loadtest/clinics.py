"""More clinics for the load test: copies of the demo clinics (same doctors, hours and settings) on
numbers of their own, so a thousand callers spread over many clinics as they would in production,
instead of queueing for the five demo doctors' few slots."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.knowledge_base.models import Clinic, ClinicNumber, Doctor
from shared.db import make_engine, make_session_factory, transaction

NUMBER_PREFIX = "+1800555"


def add_clinic_copies(url: str, count: int) -> list[str]:
    """Add `count` copies of the loaded clinics, taking them in turn; returns every clinic number."""
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as db:
            templates = db.scalars(select(Clinic).order_by(Clinic.id).options(
                selectinload(Clinic.doctors), selectinload(Clinic.numbers))).all()
            numbers = [number.number for clinic in templates for number in clinic.numbers]
            for index in range(count):
                numbers.append(_copy(db, templates[index % len(templates)], index + 1))
            return numbers
    finally:
        engine.dispose()


def _copy(db, template: Clinic, index: int) -> str:
    number = f"{NUMBER_PREFIX}{index:04d}"
    clinic = Clinic(slug=f"{template.slug}-{index}", name=f"{template.name} {index}", timezone=template.timezone,
                    staff_number=template.staff_number, greeting=None, voice=dict(template.voice or {}),
                    slot_minutes=template.slot_minutes, min_lead_minutes=template.min_lead_minutes,
                    horizon_days=template.horizon_days, options=dict(template.options or {}))
    clinic.numbers = [ClinicNumber(number=number)]
    clinic.doctors = [Doctor(name=doctor.name, department=doctor.department, aliases=list(doctor.aliases or []),
                             weekly_hours=list(doctor.weekly_hours or []), exceptions=list(doctor.exceptions or []))
                      for doctor in template.doctors if doctor.active]
    db.add(clinic)
    return number
