"""knowledge_base routes: thin views over service functions."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.knowledge_base import ingest, service
from services.knowledge_base.availability import expand
from shared.api import ApiError, DatabaseId, parse_query
from shared.db import transaction, utcnow
from shared.routes import MAX_DOCTOR_IDS
from shared.wiring import dependencies


class AvailabilityQuery(BaseModel):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, local dates of the clinic, both inclusive."""

    model_config = ConfigDict(populate_by_name=True)

    first: date | None = Field(None, alias="from")
    last: date | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> "AvailabilityQuery":
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
        first = query.first or utcnow().astimezone(ZoneInfo(zone)).date()
        last = query.last or first + timedelta(days=6)
        if (last - first).days + 1 > deps.settings.max_availability_days:
            raise ApiError(422, "range_too_long", f"ask for at most {deps.settings.max_availability_days} days")
        return jsonify({"doctor_id": doctor.id, "doctor": doctor.name, "timezone": zone, "active": doctor.active,
                        "from": first.isoformat(), "to": last.isoformat(),
                        "intervals": expand(doctor.weekly_hours, doctor.exceptions, zone, first, last)
                        if doctor.active else []})


def upload_document():
    """POST /kb/documents (multipart file, clinic, replace): ingest a schedule PDF."""
    deps = dependencies()
    clinic = request.form.get("clinic", "").strip()
    upload = request.files.get("file")
    if not clinic:
        raise ApiError(422, "missing_clinic", "form field 'clinic' (the clinic's slug) is required")
    if upload is None:
        raise ApiError(422, "missing_file", "form field 'file' (the schedule PDF) is required")
    replace = request.form.get("replace", "false").strip().lower() in ("1", "true", "yes", "on")
    limits = ingest.UploadLimits(deps.settings.max_upload_bytes, deps.settings.max_pdf_pages)
    status, answer = ingest.ingest_document(
        db=deps.db, objects=deps.objects, limits=limits,
        upload=ingest.Upload(clinic, (upload.filename or "")[:300] or None, upload.stream.read(limits.max_bytes + 1),
                             replace),
    )
    return jsonify(answer), status


def list_clinic_documents(slug: str):
    """GET /kb/clinics/<slug>/documents: uploaded schedules with status, page count and errors."""
    with transaction(dependencies().db) as db:
        return jsonify([ingest.document_json(document) for document in ingest.list_documents(db=db, slug=slug)])


VIEWS = {
    "/kb/clinics": list_clinics,
    "/kb/clinics/<slug>": get_clinic,
    "/kb/clinics/<slug>/doctors": list_clinic_doctors,
    "/kb/doctors": list_doctors_by_id,
    "/kb/doctors/<int:doctor_id>": get_doctor,
    "/kb/doctors/<int:doctor_id>/availability": doctor_availability,
    "/kb/documents": upload_document,
    "/kb/clinics/<slug>/documents": list_clinic_documents,
}
