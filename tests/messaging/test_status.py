"""Twilio status callbacks: signature-checked, and safe when they repeat or arrive out of order."""

from __future__ import annotations

from sqlalchemy import select

from services.messaging.models import SmsMessage
from services.messaging.optouts import is_opted_out
from shared.db import transaction
from tests.messaging.conftest import PATIENT, book


def _callback(system, message_id: int, sid: str, status: str, error_code: str | None = None):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": PATIENT}
    if error_code:
        params["ErrorCode"] = error_code
    response = system.twilio_post("/sms/status", params, query=f"message_id={message_id}")
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return response


def _sent(system, db_factory) -> tuple[int, str]:
    book(system, db_factory)
    [text] = system.texts()
    return text["id"], system.twilio.messages[0]["sid"]


def test_callbacks_move_queued_to_sent_to_delivered(sms_system, db_factory):
    message_id, sid = _sent(sms_system, db_factory)
    _callback(sms_system, message_id, sid, "sent")
    assert sms_system.texts()[0]["status"] == "sent"
    _callback(sms_system, message_id, sid, "delivered")
    assert sms_system.texts()[0]["status"] == "delivered"


def test_repeated_and_reordered_callbacks_keep_the_latest_state(sms_system, db_factory):
    message_id, sid = _sent(sms_system, db_factory)
    for status in ("delivered", "sent", "queued", "delivered", "sending", "sent"):
        _callback(sms_system, message_id, sid, status)
    assert sms_system.texts()[0]["status"] == "delivered"


def test_undelivered_records_the_error_and_a_late_sent_does_not_undo_it(sms_system, db_factory):
    message_id, sid = _sent(sms_system, db_factory)
    _callback(sms_system, message_id, sid, "undelivered", "30003")
    _callback(sms_system, message_id, sid, "sent")
    [text] = sms_system.texts()
    assert text["status"] == "undelivered" and text["error_code"] == 30003


def test_failed_with_21610_records_the_opt_out(sms_system, db_factory):
    message_id, sid = _sent(sms_system, db_factory)
    _callback(sms_system, message_id, sid, "failed", "21610")
    with transaction(db_factory) as db:
        assert is_opted_out(db=db, phone=PATIENT)


def test_callback_before_the_send_result_is_recorded_finds_the_row_by_id(sms_system, db_factory):
    message_id, sid = _sent(sms_system, db_factory)
    with transaction(db_factory) as db:
        row = db.get(SmsMessage, message_id)
        row.twilio_sid, row.status = None, "sending"  # as if the worker had not recorded Twilio's answer yet
    _callback(sms_system, message_id, sid, "sent")
    with transaction(db_factory) as db:
        row = db.scalars(select(SmsMessage)).one()
        assert (row.twilio_sid, row.status) == (sid, "sent")


def test_unsigned_or_forged_callbacks_are_refused(sms_system, db_factory):
    message_id, sid = _sent(sms_system, db_factory)
    unsigned = sms_system.http.post(f"/sms/status?message_id={message_id}", data={"MessageSid": sid,
                                                                                  "MessageStatus": "delivered"})
    forged = sms_system.twilio_post("/sms/status", {"MessageSid": sid, "MessageStatus": "delivered"},
                                    token="wrong-token", query=f"message_id={message_id}")
    assert unsigned.status_code == 403 and forged.status_code == 403
    assert sms_system.texts()[0]["status"] == "queued"


def test_callback_for_an_unknown_message_is_accepted_and_ignored(sms_system):
    response = _callback(sms_system, 999, "SM" + "f" * 32, "delivered")
    assert "<Response" in response.get_data(as_text=True)
