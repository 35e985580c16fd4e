"""knowledge_base routes: thin views over service functions. Staff routes take the staff member's
identity from the `X-Staff-User` header (set by the staff console) and record it."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.knowledge_base import ingest, service
from services.knowledge_base.availability import expand
from shared.api import ApiError, DatabaseId, parse_json_body, parse_query, staff_user
from shared.clock import now as clock_now
from shared.db import transaction
from shared.routes import MAX_DOCTOR_IDS
from shared.wiring import dependencies


class AvailabilityQuery(BaseModel):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, local dates of the clinic, both inclusive."""

    model_config = ConfigDict(populate_by_name=True)

    first: date | None = Field(None, alias="from")
    last: date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> AvailabilityQuery:
        if self.first and self.last and self.last < self.first:
            raise ValueError("'to' must not be before 'from'")
        return self


class DoctorsQuery(BaseModel):
    """?ids=1,2,3: doctor ids, comma-separated, at most MAX_DOCTOR_IDS (repeats count once)."""

    ids: list[DatabaseId] = Field(min_length=1, max_length=MAX_DOCTOR_IDS)

    @field_validator("ids", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("ids")
    @classmethod
    def _once_each(cls, value: list[int]) -> list[int]:
        return list(dict.fromkeys(value))


class RestoreRequest(BaseModel):
    """POST /kb/clinics/<slug>/schedule/restore."""

    document_id: int = Field(description="the document whose applied schedule comes back")


class VersionsQuery(BaseModel):
    """GET /kb/schedule-versions?after=N."""

    after: int = Field(0, ge=0)


_TRUE = ("1", "true", "yes", "on")


def list_clinics():
    """GET /kb/clinics?number=+1...: the clinic a number rings (a list of zero or one)."""
    number = request.args.get("number", "").strip()
    if not number:
        raise ApiError(400, "missing_number", "query parameter 'number' (E.164) is required")
    with transaction(dependencies().db) as db:
        clinic = service.find_clinic_by_number(db=db, number=number)
        return jsonify([service.clinic_json(clinic)] if clinic else [])


def get_clinic(slug: str):
    """GET /kb/clinics/<slug>: one clinic's configuration."""
    with transaction(dependencies().db) as db:
        return jsonify(service.clinic_json(service.get_clinic(db=db, slug=slug)))


def list_clinic_doctors(slug: str):
    """GET /kb/clinics/<slug>/doctors: the clinic's doctors with aliases and hours."""
    with transaction(dependencies().db) as db:
        return jsonify([service.doctor_json(doctor) for doctor in service.list_doctors(db=db, slug=slug)])


def get_doctor(doctor_id: int):
    """GET /kb/doctors/<id>: a doctor with the clinic's scheduling settings."""
    with transaction(dependencies().db) as db:
        return jsonify(service.doctor_json(service.get_doctor(db=db, doctor_id=doctor_id), with_clinic=True))


def list_doctors_by_id():
    """GET /kb/doctors?ids=1,2,3: those doctors with their clinics' settings, in the order asked; unknown
    ids are left out (one request instead of one per doctor, for batch jobs such as reminders)."""
    query = parse_query(DoctorsQuery)
    with transaction(dependencies().db) as db:
        return jsonify([service.doctor_json(doctor, with_clinic=True)
                        for doctor in service.get_doctors(db=db, doctor_ids=query.ids)])


def doctor_availability(doctor_id: int):
    """GET /kb/doctors/<id>/availability?from=&to=: working intervals in the clinic's timezone."""
    query = parse_query(AvailabilityQuery)
    deps = dependencies()
    with transaction(deps.db) as db:
        doctor = service.get_doctor(db=db, doctor_id=doctor_id)
        zone = doctor.clinic.timezone
        first = query.first or clock_now().astimezone(ZoneInfo(zone)).date()
        last = query.last or first + timedelta(days=6)
        if (last - first).days + 1 > deps.settings.max_availability_days:
            raise ApiError(422, "range_too_long", f"ask for at most {deps.settings.max_availability_days} days")
        return jsonify({"doctor_id": doctor.id, "doctor": doctor.name, "timezone": zone, "active": doctor.active,
                        "from": first.isoformat(), "to": last.isoformat(),
                        "intervals": expand(doctor.weekly_hours, doctor.exceptions, zone, first, last)
                        if doctor.active else []})


def upload_document():
    """POST /kb/documents (multipart file, clinic, replace, preview): ingest a schedule PDF; with
    preview=true, answer what it would change and change nothing."""
    deps = dependencies()
    clinic = request.form.get("clinic", "").strip()
    upload = request.files.get("file")
    if not clinic:
        raise ApiError(422, "missing_clinic", "form field 'clinic' (the clinic's slug) is required")
    if upload is None:
        raise ApiError(422, "missing_file", "form field 'file' (the schedule PDF) is required")
    limits = ingest.UploadLimits(deps.settings.max_upload_bytes, deps.settings.max_pdf_pages)
    status, answer = ingest.ingest_document(
        db=deps.db, objects=deps.objects, limits=limits, appointments=deps.appointments, now=clock_now(),
        extractor=deps.extractor,
        upload=ingest.Upload(clinic, (upload.filename or "")[:300] or None, upload.stream.read(limits.max_bytes + 1),
                             replace=request.form.get("replace", "").strip().lower() in _TRUE,
                             preview=request.form.get("preview", "").strip().lower() in _TRUE, staff=staff_user()),
    )
    return jsonify(answer), status


def get_document(document_id: int):
    """GET /kb/documents/<id>: a document with its preview (what it would change) while one is kept."""
    with transaction(dependencies().db) as db:
        document = ingest.get_document(db=db, document_id=document_id)
        return jsonify({**ingest.document_json(document), "preview": document.report})


def apply_document(document_id: int):
    """POST /kb/documents/<id>/apply: apply exactly what the preview showed (409 when the schedule moved on)."""
    deps = dependencies()
    return jsonify(ingest.apply_preview(db=deps.db, appointments=deps.appointments, document_id=document_id,
                                        staff=staff_user(), now=clock_now()))


def reject_document(document_id: int):
    """POST /kb/documents/<id>/reject: discard a preview."""
    return jsonify(ingest.reject_preview(db=dependencies().db, document_id=document_id, staff=staff_user(),
                                         now=clock_now()))


def list_clinic_documents(slug: str):
    """GET /kb/clinics/<slug>/documents: uploaded schedules with status, page count and errors."""
    with transaction(dependencies().db) as db:
        return jsonify([ingest.document_json(document) for document in ingest.list_documents(db=db, slug=slug)])


def list_schedule_versions(slug: str):
    """GET /kb/clinics/<slug>/schedule/versions: every schedule the clinic has had, newest first."""
    with transaction(dependencies().db) as db:
        return jsonify(ingest.clinic_versions(db=db, slug=slug))


def restore_schedule(slug: str):
    """POST /kb/clinics/<slug>/schedule/restore {"document_id"}: bring an earlier schedule back as a new version."""
    body = parse_json_body(RestoreRequest)
    deps = dependencies()
    status, answer = ingest.restore_schedule(db=deps.db, appointments=deps.appointments, slug=slug,
                                             document_id=body.document_id, staff=staff_user(), now=clock_now())
    return jsonify(answer), status


def stranded_appointments(slug: str):
    """GET /kb/clinics/<slug>/stranded-appointments: booked appointments outside their doctor's current hours."""
    deps = dependencies()
    return jsonify(ingest.stranded_appointments(db=deps.db, appointments=deps.appointments, slug=slug, now=clock_now()))


def schedule_versions():
    """GET /kb/schedule-versions?after=N: clinics whose schedule changed since version N (cache revalidation)."""
    query = parse_query(VersionsQuery)
    with transaction(dependencies().db) as db:
        return jsonify(service.schedule_versions_after(db=db, after=query.after))


VIEWS = {
    "/kb/clinics": list_clinics,
    "/kb/clinics/<slug>": get_clinic,
    "/kb/clinics/<slug>/doctors": list_clinic_doctors,
    "/kb/doctors": list_doctors_by_id,
    "/kb/doctors/<int:doctor_id>": get_doctor,
    "/kb/doctors/<int:doctor_id>/availability": doctor_availability,
    "/kb/documents": upload_document,
    "/kb/documents/<int:document_id>": get_document,
    "/kb/documents/<int:document_id>/apply": apply_document,
    "/kb/documents/<int:document_id>/reject": reject_document,
    "/kb/clinics/<slug>/documents": list_clinic_documents,
    "/kb/clinics/<slug>/schedule/versions": list_schedule_versions,
    "/kb/clinics/<slug>/schedule/restore": restore_schedule,
    "/kb/clinics/<slug>/stranded-appointments": stranded_appointments,
    "/kb/schedule-versions": schedule_versions,
}
