"""messaging routes: queue a text (idempotent) and list a number's texts (internal)."""

from __future__ import annotations

from flask import jsonify, request

from services.messaging import service
from shared.api import ApiError, parse_json_body
from shared.db import transaction
from shared.wiring import dependencies


def sms():
    """POST queues (and, in this version, immediately sends) a text; GET lists texts to a number."""
    deps = dependencies()
    if request.method == "GET":
        to = request.args.get("to", "")
        if not to:
            raise ApiError(400, "missing_to", "query parameter 'to' (E.164) is required")
        with transaction(deps.db) as db:
            return jsonify([service.sms_json(message) for message in service.messages_to(db=db, to=to)])
    sms_request = parse_json_body(service.SmsRequest)
    message, created = service.queue_sms(db_factory=deps.db, request=sms_request)
    if created:
        message = service.send_queued(db_factory=deps.db, sender=deps.sender, message_id=message.id)
    response = jsonify(service.sms_json(message))
    response.status_code = 201 if created else 200
    return response


VIEWS = {"/messaging/sms": sms}
