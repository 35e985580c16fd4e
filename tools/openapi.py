"""An OpenAPI 3.1 description of the internal and staff APIs, derived from the route table
(shared/routes.py) and each route's request models (the pydantic models its view validates with).

`python -m tools.openapi` writes docs/openapi.json; tests/fuzz checks that the file is current and
that every INTERNAL and ADMIN route is described, and the fuzzer (tests/fuzz) generates its requests
from it. The request models are named here by import path, since a tool may read every service's
code while services only talk over HTTP.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shared.routes import ROUTES, Exposure, Route

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
DESCRIBED = (Exposure.INTERNAL, Exposure.ADMIN)


@dataclass(frozen=True)
class RequestSpec:
    """What one route takes beyond its path: a query model, a JSON body model, or multipart fields."""

    query: str | None = None
    body: str | None = None
    body_optional: bool = False
    query_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    multipart: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: str = ""


_STAFF_HEADER = {"name": "X-Staff-User", "in": "header", "required": False,
                 "schema": {"type": "string", "maxLength": 200}, "description": "who acted (recorded, never logged)"}

REQUESTS: dict[str, RequestSpec] = {
    "/twilio/calls": RequestSpec(query="services.twilio_handler.views:CallsQuery", summary="a clinic's calls"),
    "/twilio/calls/summary": RequestSpec(query="services.twilio_handler.views:CallsQuery",
                                         summary="outcome counts per day"),
    "/twilio/callbacks": RequestSpec(query="services.twilio_handler.views:CallbacksQuery",
                                     summary="calls that need a human (numbers masked)"),
    "/twilio/callbacks/<call_sid>/open": RequestSpec(body="services.twilio_handler.views:CallbackAction",
                                                     summary="a callback's number, opening audited"),
    "/twilio/callbacks/<call_sid>/done": RequestSpec(body="services.twilio_handler.views:CallbackAction",
                                                     summary="a callback followed up, with a note"),
    "/calendly/clinic-appointments": RequestSpec(query="services.calendly.views:ClinicAppointmentsQuery",
                                                 summary="a clinic's appointments in a period (audited)"),
    "/calendly/conflicts": RequestSpec(query="services.calendly.views:ConflictsQuery",
                                       summary="Calendly bookings that clashed"),
    "/calendly/conflicts/<int:conflict_id>/done": RequestSpec(body="services.calendly.views:ConflictDone",
                                                              summary="a clash followed up, with a note"),
    "/calendly/availability": RequestSpec(query="services.calendly.views:AvailabilityQuery", summary="free slots"),
    "/calendly/appointments": RequestSpec(body="services.calendly.service:BookingRequest", summary="book"),
    "/calendly/appointments/search": RequestSpec(body="services.calendly.service:AppointmentSearch",
                                                 summary="a caller's appointments by phone"),
    "/calendly/appointments/<int:appointment_id>/audit": RequestSpec(query="services.calendly.views:AuditQuery",
                                                                     summary="an appointment's audit log"),
    "/calendly/appointments/<int:appointment_id>/cancel": RequestSpec(body="services.calendly.service:CancelRequest",
                                                                      body_optional=True, summary="cancel"),
    "/calendly/appointments/<int:appointment_id>/reschedule": RequestSpec(
        body="services.calendly.service:RescheduleRequest", summary="move"),
    "/calendly/appointments/<int:appointment_id>/confirm": RequestSpec(summary="the patient will come"),
    "/calendly/verifications": RequestSpec(body="services.calendly.verification:VerificationRequest",
                                           summary="text a one-time code"),
    "/calendly/verifications/<int:verification_id>/check": RequestSpec(body="services.calendly.verification:CodeCheck",
                                                                       summary="check a one-time code"),
    "/calendly/booked-appointments": RequestSpec(query="services.calendly.views:BookedQuery",
                                                 summary="booked times of some doctors"),
    "/kb/clinics": RequestSpec(query_params={"number": {"type": "string", "description": "E.164"}},
                               summary="the clinic a number rings"),
    "/kb/clinics/<slug>": RequestSpec(summary="one clinic"),
    "/kb/clinics/<slug>/doctors": RequestSpec(summary="a clinic's active doctors"),
    "/kb/doctors": RequestSpec(query_params={"ids": {"type": "string", "pattern": r"^\d+(,\d+)*$"}},
                               summary="many doctors by id"),
    "/kb/doctors/<int:doctor_id>": RequestSpec(summary="one doctor"),
    "/kb/doctors/<int:doctor_id>/availability": RequestSpec(query="services.knowledge_base.views:AvailabilityQuery",
                                                            summary="working intervals"),
    "/kb/schedule-versions": RequestSpec(query="services.knowledge_base.views:VersionsQuery",
                                         summary="clinics whose schedule changed"),
    "/kb/documents": RequestSpec(multipart={
        "clinic": {"type": "string"}, "file": {"type": "string", "contentMediaType": "application/pdf"},
        "replace": {"type": "string", "enum": ["true", "false"]},
        "preview": {"type": "string", "enum": ["true", "false"]}}, summary="upload a schedule PDF"),
    "/kb/documents/<int:document_id>": RequestSpec(summary="a document and its preview"),
    "/kb/documents/<int:document_id>/apply": RequestSpec(summary="apply a preview"),
    "/kb/documents/<int:document_id>/reject": RequestSpec(summary="discard a preview"),
    "/kb/clinics/<slug>/documents": RequestSpec(summary="uploaded documents"),
    "/kb/clinics/<slug>/schedule/versions": RequestSpec(summary="schedule versions"),
    "/kb/clinics/<slug>/schedule/restore": RequestSpec(body="services.knowledge_base.views:RestoreRequest",
                                                       summary="bring an earlier schedule back"),
    "/kb/clinics/<slug>/stranded-appointments": RequestSpec(summary="appointments outside their doctor's hours"),
    "/messaging/sms": RequestSpec(body="services.messaging.service:SmsRequest", summary="send a text"),
    "/messaging/sms/clinic": RequestSpec(query="services.messaging.views:ClinicTextsQuery",
                                         summary="a clinic's texts with delivery state"),
    "/messaging/sms/<int:message_id>/done": RequestSpec(body="services.messaging.views:FailureDone",
                                                        summary="a failed text followed up, with a note"),
    "/messaging/sms/search": RequestSpec(body="services.messaging.service:SmsSearch", summary="texts to a number"),
    "/tts/speech": RequestSpec(body="services.tts.views:SpeechRequest", summary="speech for a prompt"),
    "/agent/interpret": RequestSpec(body="services.receptionist_agent.views:InterpretRequest",
                                    summary="understand what a caller said"),
    "/agent/validate": RequestSpec(body="services.receptionist_agent.validation:GuestInfo",
                                   summary="normalise guest details"),
}

_ERROR = {"type": "object", "required": ["error", "message"],
          "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}


def _model(reference: str) -> type[BaseModel]:
    module, name = reference.split(":")
    return getattr(importlib.import_module(module), name)


def openapi_path(path: str) -> str:
    """Flask's /kb/doctors/<int:doctor_id> as OpenAPI's /kb/doctors/{doctor_id}."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", path)


def _path_parameters(path: str) -> list[dict[str, Any]]:
    parameters = []
    for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", path):
        schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(spec: RequestSpec, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    parameters = [{"name": name, "in": "query", "required": False, "schema": schema}
                  for name, schema in spec.query_params.items()]
    if spec.query:
        schema = _model(spec.query).model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        required = set(schema.get("required", []))
        parameters += [{"name": name, "in": "query", "required": name in required, "schema": property_schema}
                       for name, property_schema in schema["properties"].items()]
    return parameters


def _operation(route: Route, method: str, spec: RequestSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    token = "adminToken" if route.exposure is Exposure.ADMIN else "serviceToken"
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', route.path.lower()).strip('_')}",
        "summary": spec.summary, "tags": [route.service], "security": [{token: []}],
        "parameters": _path_parameters(route.path) + _query_parameters(spec, schemas)
        + ([_STAFF_HEADER] if route.exposure is Exposure.ADMIN else []),
        "responses": {"200": {"description": "done", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "4XX": {"description": "refused; nothing changed",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
    }
    if spec.body:
        model = _model(spec.body)
        schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        operation["requestBody"] = {"required": not spec.body_optional, "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}
    if spec.multipart:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["clinic", "file"], "properties": spec.multipart}}}}
    return operation


def build() -> dict[str, Any]:
    """The OpenAPI document of every INTERNAL and ADMIN route."""
    schemas: dict[str, Any] = {"Error": _ERROR}
    paths: dict[str, Any] = {}
    for route in ROUTES:
        if route.exposure not in DESCRIBED:
            continue
        spec = REQUESTS[route.path]
        paths[openapi_path(route.path)] = {method.lower(): _operation(route, method, spec, schemas)
                                           for method in route.methods}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Phone receptionist internal APIs", "version": "1",
                 "description": "Service-to-service (service token) and clinic staff (admin token) routes; "
                                "generated by `python -m tools.openapi` from shared/routes.py."},
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": {
            "serviceToken": {"type": "http", "scheme": "bearer"}, "adminToken": {"type": "http", "scheme": "bearer"}}},
    }


def render() -> str:
    """The document as written to docs/openapi.json."""
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main() -> None:
    """Write docs/openapi.json (or check it is current with --check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/openapi.json is out of date")
    arguments = parser.parse_args()
    if arguments.check:
        raise SystemExit(0 if OUTPUT.read_text() == render() else "docs/openapi.json is out of date: "
                                                                  "run python -m tools.openapi")
    OUTPUT.write_text(render())


if __name__ == "__main__":
    main()
