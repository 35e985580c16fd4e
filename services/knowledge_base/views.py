"""knowledge_base routes: thin views over service functions."""

from __future__ import annotations

from flask import jsonify, request

from services.knowledge_base import service
from shared.api import ApiError
from shared.db import transaction
from shared.wiring import dependencies


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


VIEWS = {
    "/kb/clinics": list_clinics,
    "/kb/clinics/<slug>": get_clinic,
    "/kb/clinics/<slug>/doctors": list_clinic_doctors,
    "/kb/doctors/<int:doctor_id>": get_doctor,
}
