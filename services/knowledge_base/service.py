"""Clinic and doctor lookups, spoken aliases, and loading clinic definitions into the database."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from services.knowledge_base.models import Clinic, ClinicNumber, Doctor
from services.knowledge_base.schedule_versions import record_version
from shared.api import ApiError
from shared.db import transaction, utcnow
from shared.storage import ObjectStore

if TYPE_CHECKING:
    from services.knowledge_base.ingest import UploadLimits

DEMO_CLINICS_FILE = Path(__file__).with_name("demo_clinics.json")
_TITLES = re.compile(r"^(dr\.?|doctor)\s+|,?\s+(md|dds|dmd|do|phd)\.?$", re.IGNORECASE)


def bare_name(full_name: str) -> str:
    """A doctor's name without titles: "Dr. Sarah Chen, MD" -> "Sarah Chen"."""
    previous = None
    name = full_name.strip()
    while previous != name:
        previous, name = name, _TITLES.sub("", name).strip()
    return name


def derive_aliases(full_name: str) -> list[str]:
    """Ways a caller names a doctor: "Doctor Chen", "Dr. Chen", "Sarah Chen", "Chen", ..."""
    name = bare_name(full_name)
    parts = name.split()
    surname = parts[-1] if parts else name
    aliases = [f"Doctor {surname}", f"Dr. {surname}", name, surname, f"Doctor {name}"]
    if len(parts) > 1:
        aliases.append(parts[0])
    return list(dict.fromkeys(alias for alias in aliases if alias))


def clinic_json(clinic: Clinic) -> dict[str, Any]:
    """The clinic configuration other services use."""
    return {
        "id": clinic.id,
        "slug": clinic.slug,
        "name": clinic.name,
        "timezone": clinic.timezone,
        "staff_number": clinic.staff_number,
        "greeting": clinic.greeting,
        "voice": clinic.voice,
        "slot_minutes": clinic.slot_minutes,
        "min_lead_minutes": clinic.min_lead_minutes,
        "horizon_days": clinic.horizon_days,
        "booking_email": clinic.booking_email,
        "options": clinic.options,
        "opening_hours": clinic.opening_hours,
        "closures": clinic.closures,
        "country": clinic.country,
        "department_synonyms": clinic.department_synonyms,
        "schedule_version": clinic.schedule_version,
        "numbers": sorted(number.number for number in clinic.numbers),
    }


def doctor_json(doctor: Doctor, *, with_clinic: bool = False) -> dict[str, Any]:
    """A doctor's public record; with the clinic's scheduling settings when asked."""
    data = {
        "id": doctor.id,
        "clinic_id": doctor.clinic_id,
        "name": doctor.name,
        "department": doctor.department,
        "aliases": doctor.aliases,
        "weekly_hours": doctor.weekly_hours,
        "exceptions": doctor.exceptions,
        "calendly_event_type": doctor.calendly_event_type,
        "active": doctor.active,
    }
    if with_clinic:
        data["clinic"] = clinic_json(doctor.clinic)
    return data


def find_clinic_by_number(*, db: Session, number: str) -> Clinic | None:
    """The clinic a dialled number belongs to, or None."""
    statement = (
        select(Clinic).join(ClinicNumber).where(ClinicNumber.number == number).options(selectinload(Clinic.numbers))
    )
    return db.scalars(statement).first()


def get_clinic(*, db: Session, slug: str) -> Clinic:
    """A clinic by slug; 404 when unknown."""
    clinic = db.scalars(select(Clinic).where(Clinic.slug == slug).options(selectinload(Clinic.numbers))).first()
    if clinic is None:
        raise ApiError(404, "clinic_not_found", f"no clinic with slug {slug!r}")
    return clinic


def list_doctors(*, db: Session, slug: str) -> list[Doctor]:
    """A clinic's active doctors in a stable order."""
    clinic = get_clinic(db=db, slug=slug)
    return list(
        db.scalars(select(Doctor).where(Doctor.clinic_id == clinic.id, Doctor.active.is_(True)).order_by(Doctor.id))
    )


def get_doctor(*, db: Session, doctor_id: int) -> Doctor:
    """A doctor by id with its clinic; 404 when unknown."""
    doctor = next(iter(get_doctors(db=db, doctor_ids=[doctor_id])), None)
    if doctor is None:
        raise ApiError(404, "doctor_not_found", f"no doctor with id {doctor_id}")
    return doctor


def get_doctors(*, db: Session, doctor_ids: list[int]) -> list[Doctor]:
    """Doctors by id with their clinics, in the order asked; unknown ids are left out."""
    statement = (select(Doctor).where(Doctor.id.in_(doctor_ids))
                 .options(selectinload(Doctor.clinic).selectinload(Clinic.numbers)))
    found = {doctor.id: doctor for doctor in db.scalars(statement)}
    return [found[doctor_id] for doctor_id in doctor_ids if doctor_id in found]


def upsert_clinic(*, db: Session, definition: dict[str, Any]) -> Clinic:
    """Create or update a clinic, its numbers and doctors from a definition (fixture format)."""
    clinic = (db.scalars(select(Clinic).where(Clinic.slug == definition["slug"])).first()
              or Clinic(slug=definition["slug"]))
    for field in ("name", "timezone", "staff_number", "greeting", "slot_minutes", "min_lead_minutes",
                  "horizon_days", "booking_email", "opening_hours", "closures", "country", "department_synonyms"):
        if field in definition:
            setattr(clinic, field, definition[field])
    clinic.voice = definition.get("voice", clinic.voice or {})
    clinic.options = definition.get("options", clinic.options or {})
    db.add(clinic)
    db.flush()
    existing_numbers = {number.number for number in clinic.numbers}
    for number in definition.get("numbers", []):
        if number not in existing_numbers:
            clinic.numbers.append(ClinicNumber(number=number))
    for entry in definition.get("doctors", []):
        doctor = db.scalars(select(Doctor).where(Doctor.clinic_id == clinic.id, Doctor.name == entry["name"])).first()
        doctor = doctor or Doctor(clinic_id=clinic.id, name=entry["name"])
        doctor.department = entry.get("department")
        doctor.weekly_hours = entry.get("weekly_hours", [])
        doctor.exceptions = entry.get("exceptions", [])
        doctor.aliases = entry.get("aliases") or derive_aliases(entry["name"])
        doctor.calendly_event_type = entry.get("calendly_event_type")
        db.add(doctor)
    db.flush()
    if definition.get("doctors"):
        record_version(db, clinic=clinic, source="definition", now=utcnow())
    return clinic


def load_demo_clinics(*, db: sessionmaker[Session], objects: ObjectStore, limits: UploadLimits | None = None,
                      path: Path = DEMO_CLINICS_FILE) -> list[str]:
    """Load (idempotently) the demo clinics: metadata from the JSON file, doctors from each clinic's PDF."""
    from services.knowledge_base.ingest import Upload, UploadLimits, ingest_document

    limits = limits or UploadLimits(max_bytes=10 * 1024 * 1024, max_pages=50)
    slugs = []
    for definition in json.loads(path.read_text())["clinics"]:
        with transaction(db) as session:
            slugs.append(upsert_clinic(db=session, definition=definition).slug)
        if definition.get("schedule_pdf"):
            pdf = path.parent / definition["schedule_pdf"]
            # Demo data goes into a database with no appointments yet: there are none to check.
            ingest_document(db=db, objects=objects, limits=limits, appointments=None,
                            upload=Upload(definition["slug"], pdf.name, pdf.read_bytes()))
    return slugs


def schedule_versions_after(*, db: Session, after: int) -> dict[str, Any]:
    """Clinics whose schedule version is newer than `after`, and the newest version of all (the cheap
    check other services' caches make to see which clinics changed)."""
    rows = db.execute(select(Clinic.slug, Clinic.schedule_version).where(Clinic.schedule_version > after)).all()
    return {"latest": max([after, *(version for _, version in rows)]), "clinics": dict(rows)}
