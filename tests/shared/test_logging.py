"""Log lines are JSON with request id and CallSid, and carry no names, phone numbers or addresses."""

from __future__ import annotations

import io
import json
import logging

from flask import Flask, g

from shared.log import JsonFormatter, RedactionFilter, RequestContextFilter, register_sensitive


def capture_handler() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter("test"))
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter())
    return handler, stream


def test_phone_numbers_emails_and_sensitive_extras_are_redacted():
    handler, stream = capture_handler()
    logger = logging.getLogger("redaction-test")
    logger.addHandler(handler)
    try:
        logger.warning("texting +1 617 555 0123 and (617) 555-0199 or jane@example.com",
                       extra={"phone": "+16175550123", "address": "12 Main St", "doctor_id": 4})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert "555" not in stream.getvalue() and "jane@" not in stream.getvalue() and "Main" not in stream.getvalue()
    assert line["phone"] == "[redacted]" and line["address"] == "[redacted]" and line["doctor_id"] == 4


def test_addresses_and_short_numbers_are_not_mistaken_for_phones():
    from shared.log import scrub

    assert scrub("upstream 127.0.0.1:8080 took 250 ms, 3 retries") == "upstream 127.0.0.1:8080 took 250 ms, 3 retries"
    assert scrub("call 555-0199 or +44 20 7946 0958") == "call [phone] or [phone]"
    assert scrub("Listening at: http://127.0.0.1:41235 (16509)") == "Listening at: http://127.0.0.1:41235 (16509)"
    assert scrub("phone:6175550123, at 10.0.0.1 +16175550123") == "phone:[phone], at 10.0.0.1 [phone]"


def test_registered_names_are_redacted_and_context_is_added():
    app = Flask("t")
    handler, stream = capture_handler()
    logger = logging.getLogger("context-test")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        with app.test_request_context("/"):
            g.request_id, g.call_sid = "req-1", "CA123"
            register_sensitive("Jane Doe", "12 Main Street")
            logger.info("booked for jane doe at 12 Main Street")
            try:
                raise ValueError("bad name Jane Doe")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["message"] == "booked for [redacted] at [redacted]"
    assert lines[0]["request_id"] == "req-1" and lines[0]["call_sid"] == "CA123"
    assert "Jane" not in lines[1]["exception"] and "ValueError" in lines[1]["exception"]


def test_a_whole_booking_call_logs_no_patient_data(system, caplog, monkeypatch):
    """Even a careless log line inside a request, dumping the booking, comes out redacted."""
    from shared.dialogue import runner
    from tests.timing import next_weekday_at, spoken_day
    from tests.walking_skeleton.test_booking_call import book_by_keypad

    original_answer = runner.answer

    def careless_answer(conversation, step, given):
        reply = original_answer(conversation, step, given)
        logging.getLogger("probe").warning("after %s: %s from %s", step.name, conversation.session.request,
                                           conversation.session.caller)
        return reply

    monkeypatch.setattr(runner, "answer", careless_answer)
    handler, stream = capture_handler()
    logging.getLogger().addHandler(handler)
    try:
        with caplog.at_level(logging.DEBUG):
            book_by_keypad(system, spoken_day(next_weekday_at(10)))
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert "probe" in output, "the probe line must have been logged"
    for secret in ("Jane", "Doe", "Main Street", "6175550123", "555 0123"):
        assert secret not in output
