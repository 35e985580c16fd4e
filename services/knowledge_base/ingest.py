"""Schedule PDF uploads and the review around them.

An upload stores the file under its sha256 and extracts the doctors. A plain upload (scripts) applies
the result at once as a new schedule version; with `preview` nothing changes: the document keeps the
doctors it would leave the clinic with and a report of what would change, until staff apply it
(refused once the clinic's schedule has moved on) or reject it. Every applied schedule is kept and
any earlier one can be restored as a new version. Failures are recorded on the document and change
no doctor.

Appointments belong to calendly: the ones a schedule leaves outside a doctor's hours are asked of it
over HTTP (appointments.py) and reported, never changed; when calendly cannot answer, the report says
so instead of listing none.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.knowledge_base.appointments import BookedAppointments, outside_hours
from services.knowledge_base.extraction import Extractor
from services.knowledge_base.models import Clinic, Document
from services.knowledge_base.pdf_schedule import PdfSchedule, extract_schedule
from services.knowledge_base.pdf_text import PdfProblem, looks_like_pdf
from services.knowledge_base.schedule_plan import changes, plan_upload
from services.knowledge_base.schedule_versions import (
    Snapshot,
    already_is,
    apply_snapshot,
    current_document_id,
    current_snapshot,
    list_versions,
    lock_clinic,
    version_json,
    version_of_document,
)
from services.knowledge_base.service import bare_name, get_clinic
from shared.api import ApiError
from shared.db import transaction, utcnow
from shared.service_client import ServiceCallError
from shared.storage import ObjectStore

log = logging.getLogger(__name__)

PARSED, FAILED, PENDING, REJECTED = "parsed", "failed", "pending_review", "rejected"


@dataclass(frozen=True)
class Upload:
    """One uploaded file for one clinic; `staff` is who uploaded it, as the staff console says."""

    clinic_slug: str
    filename: str | None
    data: bytes
    replace: bool = False
    preview: bool = False
    staff: str | None = None


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
        "clinic_id": document.clinic_id,
        "filename": document.filename,
        "sha256": document.sha256,
        "storage_key": document.storage_key,
        "status": document.status,
        "page_count": document.page_count,
        "errors": document.errors,
        "base_version": document.base_version,
        "uploaded_by": document.uploaded_by,
        "reviewed_by": document.reviewed_by,
        "reviewed_at": document.reviewed_at.isoformat() if document.reviewed_at else None,
        "created_at": document.created_at.isoformat() if document.created_at else None,
        "updated_at": document.updated_at.isoformat() if document.updated_at else None,
    }


def list_documents(*, db: Session, slug: str) -> list[Document]:
    """A clinic's documents, newest first."""
    clinic = get_clinic(db=db, slug=slug)
    return list(db.scalars(select(Document).where(Document.clinic_id == clinic.id)
                           .order_by(Document.created_at.desc(), Document.id.desc())))


def get_document(*, db: Session, document_id: int) -> Document:
    """A document by id; 404 when unknown."""
    document = db.get(Document, document_id)
    if document is None:
        raise ApiError(404, "document_not_found", f"no document with id {document_id}")
    return document


def ingest_document(*, db: sessionmaker[Session], objects: ObjectStore, limits: UploadLimits, upload: Upload,
                    appointments: BookedAppointments | None, now: datetime | None = None,
                    extractor: Extractor | None = None) -> tuple[int, dict[str, Any]]:
    """Process one upload; returns (HTTP status, answer) or raises ApiError with nothing changed.
    `appointments` is None only where no calendly runs (loading demo data); without an `extractor`
    the file is read in this thread, which only the project's own demo files may be."""
    now = now or utcnow()
    with transaction(db) as session:
        clinic = get_clinic(db=session, slug=upload.clinic_slug)
        clinic_id, zone = clinic.id, clinic.timezone
        known_names = [bare_name(doctor.name) for doctor in clinic.doctors]
    _check_file(upload.data, limits)
    sha256 = hashlib.sha256(upload.data).hexdigest()
    with transaction(db) as session:
        if _is_current(session, clinic_id, sha256):
            return 200, _unchanged(_find_document(session, clinic_id, sha256))
    key = storage_key(sha256)
    if not objects.exists(key):
        objects.put(key, upload.data, "application/pdf")
    try:
        read = extractor.extract if extractor is not None else extract_schedule
        extracted = read(upload.data, max_pages=limits.max_pages, today=now.astimezone(ZoneInfo(zone)).date(),
                         known_names=known_names)
    except PdfProblem as problem:
        _record_failure(db, clinic_id, sha256, upload, problem.code, problem.message, problem.page_count)
    except ApiError:
        raise  # no reading slot free (503): the document was never read, so it has not failed
    except Exception:  # noqa: BLE001 - a parser defect must fail this document, never the worker
        log.exception("schedule extraction failed", extra={"clinic_id": clinic_id})
        _record_failure(db, clinic_id, sha256, upload, "extraction_failed",
                        "the schedule could not be extracted; the error has been logged", None)
    if upload.preview:
        return 201, _preview(db, appointments, clinic_id, zone, sha256, upload, extracted, now)
    try:
        with transaction(db) as session:
            answer, affected = _apply_upload(session, clinic_id, sha256, upload, extracted, now)
    except IntegrityError:
        # The same file was processed concurrently; the other upload's transaction won.
        with transaction(db) as session:
            existing = _find_document(session, clinic_id, sha256)
            if existing is None:
                raise
            return 200, _unchanged(existing)
    if answer["unchanged"]:
        return 200, answer
    answer.update(_appointments_report(appointments, affected, zone, now))
    return 201, answer


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


def _is_current(session: Session, clinic_id: int, sha256: str) -> bool:
    """Whether this file is what the clinic's current schedule was applied from."""
    document = _find_document(session, clinic_id, sha256)
    clinic = session.get(Clinic, clinic_id)
    return document is not None and document.status == PARSED and current_document_id(session, clinic) == document.id


def _unchanged(document: Document) -> dict[str, Any]:
    return {"unchanged": True, "message": "this file is the clinic's current schedule; nothing changed",
            "document": document_json(document)}


def _record_failure(db: sessionmaker[Session], clinic_id: int, sha256: str, upload: Upload, code: str,
                    message: str, page_count: int | None) -> None:
    try:
        record = _store_failure(db, clinic_id, sha256, upload, code, message, page_count)
    except IntegrityError:
        # The same file failed in a concurrent upload that stored its record first: update that one.
        record = _store_failure(db, clinic_id, sha256, upload, code, message, page_count)
    raise ApiError(422, code, message, document=record)


def _store_failure(db: sessionmaker[Session], clinic_id: int, sha256: str, upload: Upload, code: str,
                   message: str, page_count: int | None) -> dict[str, Any]:
    with transaction(db) as session:
        document = _find_document(session, clinic_id, sha256) or Document(
            clinic_id=clinic_id, sha256=sha256, storage_key=storage_key(sha256))
        document.filename = upload.filename
        document.status = FAILED
        document.page_count = page_count
        document.errors = [{"code": code, "message": message}]
        document.uploaded_by = upload.staff
        session.add(document)
        session.flush()
        return document_json(document)


def _stored_document(session: Session, clinic_id: int, sha256: str, upload: Upload, extracted: PdfSchedule,
                     status: str) -> Document:
    document = _find_document(session, clinic_id, sha256) or Document(
        clinic_id=clinic_id, sha256=sha256, storage_key=storage_key(sha256))
    document.filename = upload.filename
    document.status = status
    document.page_count = extracted.page_count
    document.errors = [{"code": "unread_line", **warning} for warning in extracted.schedule.warnings]
    document.uploaded_by = upload.staff
    document.reviewed_by = document.reviewed_at = None
    session.add(document)
    return document


def _document_facts(extracted: PdfSchedule) -> dict[str, Any]:
    """What the document itself says beyond each doctor's row: closures and the lines not understood."""
    schedule = extracted.schedule
    return {
        "closures": schedule.closures,
        "warnings": schedule.warnings,
        "doctors_with_unread_lines": sorted({warning["doctor"] for warning in schedule.warnings
                                             if "doctor" in warning}),
    }


def _apply_upload(session: Session, clinic_id: int, sha256: str, upload: Upload, extracted: PdfSchedule,
                  now: datetime) -> tuple[dict[str, Any], Snapshot]:
    clinic = lock_clinic(session, clinic_id)
    # The same file may have been applied while this upload waited for the lock.
    if _is_current(session, clinic_id, sha256):
        return _unchanged(_find_document(session, clinic_id, sha256)), []
    before = current_snapshot(session, clinic_id)
    target = plan_upload(current=before, schedule=extracted.schedule, replace=upload.replace)
    document = _stored_document(session, clinic_id, sha256, upload, extracted, PARSED)
    document.plan, document.report, document.base_version = None, None, clinic.schedule_version
    session.flush()
    version = apply_snapshot(session, clinic=clinic, snapshot=target, source="upload", now=now,
                             document_id=document.id, staff=upload.staff)
    log.info("schedule document applied", extra={"clinic_id": clinic_id, "document_id": document.id,
                                                 "version": version.number,
                                                 "warnings": len(extracted.schedule.warnings)})
    report = changes(before=before, after=version.doctors, schedule=extracted.schedule)
    answer = {"unchanged": False, "document": document_json(document), "version": version_json(version),
              **report, **_document_facts(extracted)}
    return answer, _affected(before, version.doctors)


def _preview(db: sessionmaker[Session], appointments: BookedAppointments | None, clinic_id: int, zone: str,
             sha256: str, upload: Upload, extracted: PdfSchedule, now: datetime) -> dict[str, Any]:
    with transaction(db) as session:
        base_version = session.get(Clinic, clinic_id).schedule_version
        before = current_snapshot(session, clinic_id)
    target = plan_upload(current=before, schedule=extracted.schedule, replace=upload.replace)
    report = {"base_version": base_version, "replace": upload.replace,
              **changes(before=before, after=target, schedule=extracted.schedule), **_document_facts(extracted),
              **_appointments_report(appointments, _affected(before, target), zone, now)}
    with transaction(db) as session:
        document = _stored_document(session, clinic_id, sha256, upload, extracted, PENDING)
        document.plan, document.report, document.base_version = target, report, base_version
        session.flush()
        log.info("schedule document previewed", extra={"clinic_id": clinic_id, "document_id": document.id})
        return {"preview": True, "document": document_json(document), **report}


def _affected(before: Snapshot, after: Snapshot) -> Snapshot:
    """The stored doctors whose hours, exceptions or status the change touches."""
    earlier = {entry["id"]: entry for entry in before}

    def hours(entry: dict[str, Any]) -> tuple:
        return entry["weekly_hours"], entry["exceptions"], entry["active"]

    return [entry for entry in after if entry["id"] in earlier and hours(earlier[entry["id"]]) != hours(entry)]


def _appointments_report(appointments: BookedAppointments | None, doctors: Snapshot, zone: str,
                         now: datetime) -> dict[str, Any]:
    """The booked appointments `doctors` (their new state) would leave outside their hours."""
    if appointments is None or not doctors:
        return {"appointments_outside_hours": []}
    try:
        booked = appointments.upcoming(doctor_ids=[entry["id"] for entry in doctors], after=now)
    except ServiceCallError as error:
        log.warning("booked appointments could not be checked: %s", error.message)
        return {"appointments_outside_hours": None,
                "appointments_error": "calendly could not be reached, so the appointments these hours would "
                                      "leave out are not known; check GET .../stranded-appointments later"}
    return {"appointments_outside_hours": outside_hours(
        appointments=booked, doctors={entry["id"]: entry for entry in doctors}, zone=zone)}


def apply_preview(*, db: sessionmaker[Session], appointments: BookedAppointments | None, document_id: int,
                  staff: str | None, now: datetime) -> dict[str, Any]:
    """Apply exactly what a preview showed; 409 when it is not pending or the schedule moved on since."""
    with transaction(db) as session:
        document = get_document(db=session, document_id=document_id)
        clinic = lock_clinic(session, document.clinic_id)
        _require_pending(document)
        if clinic.schedule_version != document.base_version:
            raise ApiError(409, "schedule_changed", "the clinic's schedule changed after this preview was made; "
                           "upload the file again with preview=true to see what it would change now",
                           base_version=document.base_version, schedule_version=clinic.schedule_version)
        before = current_snapshot(session, clinic.id)
        version = apply_snapshot(session, clinic=clinic, snapshot=document.plan, source="upload", now=now,
                                 document_id=document.id, staff=staff)
        document.status, document.reviewed_by, document.reviewed_at = PARSED, staff, now
        session.flush()
        log.info("schedule preview applied", extra={"clinic_id": clinic.id, "document_id": document.id,
                                                   "version": version.number})
        answer = {"applied": True, "document": document_json(document), "version": version_json(version),
                  "preview": document.report}
        affected, zone = _affected(before, version.doctors), clinic.timezone
    return {**answer, **_appointments_report(appointments, affected, zone, now)}


def reject_preview(*, db: sessionmaker[Session], document_id: int, staff: str | None, now: datetime) -> dict[str, Any]:
    """Discard a preview: the document stays on record as rejected and changes nothing."""
    with transaction(db) as session:
        document = get_document(db=session, document_id=document_id)
        lock_clinic(session, document.clinic_id)
        _require_pending(document)
        document.status, document.reviewed_by, document.reviewed_at = REJECTED, staff, now
        document.plan = None
        session.flush()
        return {"rejected": True, "document": document_json(document)}


def _require_pending(document: Document) -> None:
    if document.status != PENDING:
        raise ApiError(409, "not_pending", f"document {document.id} is {document.status}, not waiting for review",
                       document_status=document.status)


def restore_schedule(*, db: sessionmaker[Session], appointments: BookedAppointments | None, slug: str,
                     document_id: int, staff: str | None, now: datetime) -> tuple[int, dict[str, Any]]:
    """Bring back the schedule a document gave the clinic, as a new version; 404 when it never applied."""
    with transaction(db) as session:
        clinic = lock_clinic(session, get_clinic(db=session, slug=slug).id)
        earlier = version_of_document(session, clinic.id, document_id)
        if earlier is None:
            raise ApiError(404, "version_not_found",
                           f"document {document_id} was never applied to {slug}'s schedule, so it cannot be restored")
        before = current_snapshot(session, clinic.id)
        if already_is(before, earlier.doctors):
            return 200, {"unchanged": True, "message": "the clinic's schedule already is this version's",
                         "restored_from": version_json(earlier)}
        version = apply_snapshot(session, clinic=clinic, snapshot=earlier.doctors, source="restore", now=now,
                                 document_id=document_id, staff=staff, restored_from=earlier.number)
        log.info("schedule restored", extra={"clinic_id": clinic.id, "version": version.number,
                                            "restored_from": earlier.number})
        answer = {"restored": True, "version": version_json(version), "restored_from": version_json(earlier),
                  **changes(before=before, after=version.doctors)}
        affected, zone = _affected(before, version.doctors), clinic.timezone
    return 201, {**answer, **_appointments_report(appointments, affected, zone, now)}


def clinic_versions(*, db: Session, slug: str) -> dict[str, Any]:
    """A clinic's schedule versions, newest first."""
    clinic = get_clinic(db=db, slug=slug)
    return {"clinic": slug, "schedule_version": clinic.schedule_version,
            "versions": [version_json(version, document, current=version.id == clinic.schedule_version)
                         for version, document in list_versions(db, clinic.id)]}


def stranded_appointments(*, db: sessionmaker[Session], appointments: BookedAppointments, slug: str,
                          now: datetime) -> dict[str, Any]:
    """Booked appointments, not yet over, that the clinic's current schedule leaves outside their
    doctor's hours: kept as booked for staff to move or cancel with the patient."""
    with transaction(db) as session:
        clinic = get_clinic(db=session, slug=slug)
        doctors, zone = current_snapshot(session, clinic.id), clinic.timezone
    try:
        booked = appointments.upcoming(doctor_ids=[entry["id"] for entry in doctors], after=now)
    except ServiceCallError as error:
        raise ApiError(503, "calendly_unavailable",
                       f"the appointments could not be read from calendly: {error.message}") from error
    return {"clinic": slug, "timezone": zone, "checked_at": now.isoformat(),
            "appointments": outside_hours(appointments=booked, doctors={entry["id"]: entry for entry in doctors},
                                          zone=zone)}
