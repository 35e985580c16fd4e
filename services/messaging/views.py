"""messaging routes: queue a text (idempotent) and search a number's texts (internal); Twilio's status
callbacks and patients' replies (signature-checked, TwiML)."""

from __future__ import annotations

import logging

from flask import Response, jsonify, request
from pydantic import BaseModel, Field
from twilio.twiml.messaging_response import MessagingResponse

from services.messaging import delivery, replies, service
from shared.api import DatabaseId, acting_staff, parse_json_body, parse_query
from shared.clock import now as clock_now
from shared.db import transaction
from shared.wiring import dependencies

log = logging.getLogger(__name__)


def sms():
    """POST /messaging/sms queues a text (and sends it at once in inline mode)."""
    deps = dependencies()
    sms_request = parse_json_body(service.SmsRequest)
    message, created = service.queue_sms(db_factory=deps.db, request=sms_request)
    if created and deps.settings.sends_inline:
        delivery.send_now(db_factory=deps.db, sender=deps.sender, policy=deps.policy, message_id=message.id,
                          public_base_url=deps.settings.public_base_url)
        with transaction(deps.db) as db:
            message = db.get(type(message), message.id)
    response = jsonify(service.sms_json(message))
    response.status_code = 201 if created else 200
    return response


def search_sms():
    """POST /messaging/sms/search: the texts to a number, oldest first."""
    search = parse_json_body(service.SmsSearch)
    with transaction(dependencies().db) as db:
        return jsonify([service.sms_json(message) for message in service.messages_to(db=db, to=search.to)])


class ClinicTextsQuery(BaseModel):
    """GET /messaging/sms/clinic parameters."""

    clinic_id: DatabaseId
    limit: int = Field(200, ge=1, le=1000)


def clinic_sms():
    """GET /messaging/sms/clinic?clinic_id=: a clinic's latest texts with their delivery state (numbers masked)."""
    query = parse_query(ClinicTextsQuery)
    with transaction(dependencies().db) as db:
        found = service.clinic_messages(db=db, clinic_id=query.clinic_id, limit=query.limit)
        return jsonify([service.staff_sms_json(message) for message in found])


class FailureDone(BaseModel):
    """POST /messaging/sms/<id>/done."""

    clinic_id: DatabaseId
    note: str = Field("", max_length=2000)


def close_failed_sms(message_id: int):
    """POST /messaging/sms/<id>/done {"clinic_id", "note"}: staff (X-Staff-User) followed a failed text up."""
    body = parse_json_body(FailureDone)
    staff = acting_staff()
    with transaction(dependencies().db) as db:
        message = service.close_failure(db=db, message_id=message_id, clinic_id=body.clinic_id, staff=staff,
                                        note=body.note, now=clock_now())
        return jsonify(service.staff_sms_json(message))


def sms_status():
    """Twilio's status callback for one message: merged by precedence, so repeats and reorders are safe."""
    form = request.form
    message_id = request.args.get("message_id", type=int)
    error_code = form.get("ErrorCode", type=int)
    if error_code is not None and not 0 <= error_code < 1_000_000:
        error_code = None  # Twilio's codes have five digits; anything else is not one
    with transaction(dependencies().db) as db:
        found = delivery.record_status_callback(db=db, message_id=message_id, sid=form.get("MessageSid", ""),
                                                status=form.get("MessageStatus", ""), error_code=error_code)
    if found is None:
        log.warning("status callback for an unknown message")
    return Response(str(MessagingResponse()), status=200, mimetype="text/xml")


def sms_inbound():
    """A patient's reply: C confirms, X cancels the appointment of the text it answers, else help;
    STOP/START recorded."""
    deps = dependencies()
    form = request.form
    reply = replies.answer_reply(db_factory=deps.db, client=deps.client, sender_number=form.get("From", ""),
                                 body=form.get("Body", ""), message_sid=form.get("MessageSid", "")[:64],
                                 now=clock_now(), opt_out_type=form.get("OptOutType"))
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), status=200, mimetype="text/xml")


VIEWS = {
    "/messaging/sms": sms,
    "/messaging/sms/search": search_sms,
    "/messaging/sms/clinic": clinic_sms,
    "/messaging/sms/<int:message_id>/done": close_failed_sms,
    "/sms/status": sms_status,
    "/sms/inbound": sms_inbound,
}
