"""Schedule PDF uploads: store the file under its sha256, extract doctors, and update the clinic's
doctors in one transaction; failures are recorded on the document and change no doctor.

Appointments belong to the calendly service; to report the ones a new schedule leaves outside a
doctor's hours, this module reads the appointments table with one read-only SELECT (simpler than
a new internal endpoint, and it never writes there).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import column, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.knowledge_base.models import Clinic, Doctor, Document
from services.knowledge_base.pdf_schedule import extract_schedule
from services.knowledge_base.pdf_text import PdfProblem, looks_like_pdf
from services.knowledge_base.schedule_parser import ExtractedSchedule
from services.knowledge_base.service import bare_name, derive_aliases, get_clinic
from shared.api import ApiError
from shared.db import UTCDateTime, transaction, utcnow
from shared.storage import ObjectStore
from shared.working_hours import is_within

log = logging.getLogger(__name__)

PARSED, FAILED = "parsed", "failed"
_APPOINTMENTS = table("appointments", column("id"), column("clinic_id"), column("doctor_id"),
                      column("starts_at", UTCDateTime()), column("ends_at", UTCDateTime()), column("status"))


@dataclass(frozen=True)
class Upload:
    """One uploaded file for one clinic."""

    clinic_slug: str
    filename: str | None
    data: bytes
    replace: bool = False


@dataclass(frozen=True)
class UploadLimits:
    """How big a document may be."""

    max_bytes: int
    max_pages: int


def storage_key(sha256: str) -> str:
    """Where a document's bytes live in object storage."""
    return f"documents/{sha256}.pdf"


def document_json(document: Document) -> dict[str, Any]:
    """A document record as the API shows it."""
    return {
        "id": document.id,
        "filename": document.filename,
        "sha256": document.sha256,
        "storage_key": document.storage_key,
        "status": document.status,
        "page_count": document.page_count,
        "errors": document.errors,
        "created_at": document.created_at.isoformat() if document.created_at else None,
        "updated_at": document.updated_at.isoformat() if document.updated_at else None,
    }


def list_documents(*, db: Session, slug: str) -> list[Document]:
    """A clinic's documents, newest first."""
    clinic = get_clinic(db=db, slug=slug)
    return list(db.scalars(select(Document).where(Document.clinic_id == clinic.id)
                           .order_by(Document.created_at.desc(), Document.id.desc())))


def ingest_document(*, db: sessionmaker[Session], objects: ObjectStore, limits: UploadLimits, upload: Upload,
                    now: datetime | None = None) -> tuple[int, dict[str, Any]]:
    """Process one upload; returns (HTTP status, answer) or raises ApiError with nothing changed."""
    now = now or utcnow()
    with transaction(db) as session:
        clinic = get_clinic(db=session, slug=upload.clinic_slug)
        clinic_id, zone = clinic.id, clinic.timezone
        known_names = [bare_name(doctor.name) for doctor in clinic.doctors]
    _check_file(upload.data, limits)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    with transaction(db) as session:
        existing = _find_document(session, clinic_id, sha256)
        if existing is not None and existing.status == PARSED:
            return 200, _unchanged(existing)
    key = storage_key(sha256)
    if not objects.exists(key):
        objects.put(key, upload.data, "application/pdf")
    try:
        extracted = extract_schedule(upload.data, max_pages=limits.max_pages,
                                     today=now.astimezone(ZoneInfo(zone)).date(), known_names=known_names)
    except PdfProblem as problem:
        _record_failure(db, clinic_id, sha256, upload.filename, problem.code, problem.message, problem.page_count)
    except Exception:  # noqa: BLE001 - a parser defect must fail this document, never the worker
        log.exception("schedule extraction failed", extra={"clinic_id": clinic_id})
        _record_failure(db, clinic_id, sha256, upload.filename, "extraction_failed",
                        "the schedule could not be extracted; the error has been logged", None)
    try:
        with transaction(db) as session:
            answer = _apply(session, clinic_id, zone, sha256, upload, extracted.schedule, extracted.page_count, now)
    except IntegrityError:
        # The same file was processed concurrently; the other upload's transaction won.
        with transaction(db) as session:
            existing = _find_document(session, clinic_id, sha256)
            if existing is None:
                raise
            return 200, _unchanged(existing)
    return (200 if answer["unchanged"] else 201), answer


def _check_file(data: bytes, limits: UploadLimits) -> None:
    if len(data) > limits.max_bytes:
        raise ApiError(413, "file_too_large", f"the file is larger than the {limits.max_bytes}-byte limit",
                       limit_bytes=limits.max_bytes)
    if not data.strip():
        raise ApiError(422, "empty_file", "the file is empty")
    if not looks_like_pdf(data):
        raise ApiError(415, "not_a_pdf", "the file is not a PDF; upload the schedule as a PDF document")


def _find_document(session: Session, clinic_id: int, sha256: str) -> Document | None:
    return session.scalars(select(Document).where(Document.clinic_id == clinic_id, Document.sha256 == sha256)).first()


def _unchanged(document: Document) -> dict[str, Any]:
    return {"unchanged": True, "message": "this file was already processed; nothing changed",
            "document": document_json(document)}


def _record_failure(db: sessionmaker[Session], clinic_id: int, sha256: str, filename: str | None, code: str,
                    message: str, page_count: int | None) -> None:
    with transaction(db) as session:
        document = _find_document(session, clinic_id, sha256) or Document(
            clinic_id=clinic_id, sha256=sha256, storage_key=storage_key(sha256))
        document.filename = filename
        document.status = FAILED
        document.page_count = page_count
        document.errors = [{"code": code, "message": message}]
        session.add(document)
        session.flush()
        record = document_json(document)
    raise ApiError(422, code, message, document=record)


def _apply(session: Session, clinic_id: int, zone: str, sha256: str, upload: Upload, schedule: ExtractedSchedule,
           page_count: int, now: datetime) -> dict[str, Any]:
    # Locking the clinic row serialises concurrent uploads for one clinic; the same file may have
    # been applied while this one waited.
    session.scalars(select(Clinic).where(Clinic.id == clinic_id).with_for_update()).one()
    document = _find_document(session, clinic_id, sha256)
    if document is not None and document.status == PARSED:
        return _unchanged(document)
    existing = {bare_name(doctor.name).casefold(): doctor
                for doctor in session.scalars(select(Doctor).where(Doctor.clinic_id == clinic_id).order_by(Doctor.id))}
    extracted_rows, touched = [], []
    for entry in schedule.doctors:
        doctor = existing.pop(entry["bare_name"].casefold(), None)
        change = _update_doctor(session, clinic_id, doctor, entry)
        doctor = doctor or session.scalars(select(Doctor).where(Doctor.clinic_id == clinic_id,
                                                                Doctor.name == entry["name"])).one()
        extracted_rows.append((doctor, change))
        if change != "unchanged":
            touched.append(doctor)
    kept, deactivated = [], []
    leave_only = {entry["bare_name"].casefold(): entry["exceptions"] for entry in schedule.leave_only}
    for key, doctor in existing.items():
        if upload.replace and doctor.active:
            doctor.active = False
            deactivated.append(doctor)
        elif doctor.active:
            merged = _merge_exceptions(doctor.exceptions, [*leave_only.get(key, []), *schedule.closures])
            if merged != doctor.exceptions:
                doctor.exceptions = merged
                touched.append(doctor)
            kept.append(doctor)
    document = document or Document(clinic_id=clinic_id, sha256=sha256, storage_key=storage_key(sha256))
    document.filename = upload.filename
    document.status = PARSED
    document.page_count = page_count
    document.errors = [{"code": "unread_line", **warning} for warning in schedule.warnings]
    session.add(document)
    session.flush()
    log.info("schedule document parsed", extra={"clinic_id": clinic_id, "document_id": document.id,
                                                "doctors": len(extracted_rows), "warnings": len(schedule.warnings)})
    return {
        "unchanged": False,
        "document": document_json(document),
        "doctors": [{**_doctor_summary(doctor), "department": doctor.department, "weekly_hours": doctor.weekly_hours,
                     "exceptions": doctor.exceptions, "change": change} for doctor, change in extracted_rows],
        "kept": [_doctor_summary(doctor) for doctor in kept],
        "deactivated": [_doctor_summary(doctor) for doctor in deactivated],
        "closures": schedule.closures,
        "warnings": schedule.warnings,
        "appointments_outside_hours": _appointments_outside_hours(session, clinic_id, zone, touched, deactivated, now),
    }


def _update_doctor(session: Session, clinic_id: int, doctor: Doctor | None, entry: dict[str, Any]) -> str:
    if doctor is None:
        session.add(Doctor(clinic_id=clinic_id, name=entry["name"], department=entry["department"],
                           aliases=derive_aliases(entry["name"]), weekly_hours=entry["weekly_hours"],
                           exceptions=entry["exceptions"], active=True))
        session.flush()
        return "created"
    before = (doctor.department, doctor.weekly_hours, doctor.exceptions, doctor.active)
    doctor.department = entry["department"] or doctor.department
    doctor.weekly_hours = entry["weekly_hours"]
    doctor.exceptions = entry["exceptions"]
    was_active, doctor.active = doctor.active, True
    if not doctor.aliases:
        doctor.aliases = derive_aliases(doctor.name)
    if not was_active:
        return "reactivated"
    return "unchanged" if before == (doctor.department, doctor.weekly_hours, doctor.exceptions, True) else "updated"


def _merge_exceptions(current: list[dict[str, Any]], closures: list[dict[str, str]]) -> list[dict[str, Any]]:
    spans = {(entry.get("start_date"), entry.get("end_date")) for entry in current}
    added = [closure for closure in closures if (closure["start_date"], closure["end_date"]) not in spans]
    return [*current, *added] if added else current


def _doctor_summary(doctor: Doctor) -> dict[str, Any]:
    return {"id": doctor.id, "name": doctor.name, "active": doctor.active}


def _appointments_outside_hours(session: Session, clinic_id: int, zone: str, touched: list[Doctor],
                                deactivated: list[Doctor], now: datetime) -> list[dict[str, Any]]:
    doctors = {doctor.id: doctor for doctor in [*touched, *deactivated]}
    if not doctors:
        return []
    rows = session.execute(
        select(_APPOINTMENTS.c.id, _APPOINTMENTS.c.doctor_id, _APPOINTMENTS.c.starts_at, _APPOINTMENTS.c.ends_at)
        .where(_APPOINTMENTS.c.clinic_id == clinic_id, _APPOINTMENTS.c.status == "booked",
               _APPOINTMENTS.c.doctor_id.in_(list(doctors)), _APPOINTMENTS.c.ends_at > now)
        .order_by(_APPOINTMENTS.c.starts_at)
    ).all()
    report = []
    for appointment_id, doctor_id, starts_at, ends_at in rows:
        doctor = doctors[doctor_id]
        if doctor.active and is_within(doctor.weekly_hours, doctor.exceptions, zone, starts_at, ends_at):
            continue
        report.append({"appointment_id": appointment_id, "doctor_id": doctor_id, "doctor": doctor.name,
                       "start": starts_at.isoformat(), "end": ends_at.isoformat(),
                       "reason": "doctor deactivated" if not doctor.active else "outside the doctor's new hours"})
    return report

