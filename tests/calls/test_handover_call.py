"""Handing callers to people over the wire: staff hear why before the caller is put through, a
transfer nobody answers becomes a callback request, outside opening hours every hand-over is a
callback, emergencies are told the emergency number first, and a call in progress across a deploy
(a session and a route of the previous release) still finishes."""

from __future__ import annotations

import re
from datetime import datetime

from tests.calls.conftest import appointments, recorded_call, texts
from tests.conftest import CALLER

EVENING = datetime.fromisoformat("2026-11-30T23:45:00+00:00")  # 6:45 PM in Boston: the clinic closed at 6
EARLY_MORNING = datetime.fromisoformat("2026-11-30T11:45:00+00:00")  # 6:45 AM in Boston


def test_staff_hear_a_whisper_of_why_before_the_caller(system):
    call = system.phone()
    call.start()
    reply = call.answer(digits="5")
    url = reply.documents[0].find("Dial/Number").get("url")
    status, content_type, body = call.post(url)
    assert status == 200 and content_type.startswith("text/xml")
    assert "<Say" in body and "The caller asked to speak to staff." in body and CALLER not in body


def test_an_unknown_whisper_reason_says_something_general(system):
    call = system.phone()
    status, _, body = call.post("/staff-whisper?reason=<Hangup/>")
    assert status == 200 and "The caller needs help from staff." in body and "<Hangup" not in body


def test_a_transfer_nobody_answers_becomes_a_callback_request(system):
    call = system.phone()
    call.start()
    call.answer(digits="5")
    status, _, body = call.post("/transfer-ended", {"DialCallStatus": "no-answer"})
    assert status == 200 and "nobody could take your call" in body and "call you back" in body
    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert (row["outcome"], row["outcome_reason"]) == ("callback_requested", "transfer_failed")


def test_a_transfer_that_was_answered_ends_the_call(system):
    call = system.phone()
    call.start()
    call.answer(digits="5")
    status, _, body = call.post("/transfer-ended", {"DialCallStatus": "completed"})
    assert status == 200 and "<Hangup" in body
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "transferred"


def test_a_confused_caller_at_6_45_am_gets_a_callback_not_an_empty_staff_line(system):
    system.clock.set(EARLY_MORNING)
    call = system.phone()
    call.start()
    call.answer(speech="hmm")
    reply = call.answer(speech="what?")
    assert reply.text.startswith("How can I help?"), "asking to hear it again repeats the question"
    call.answer(speech="purple")
    reply = call.answer(speech="I don't know")
    assert reply.dialled is None and reply.hung_up
    assert reply.text == ("I'm sorry, I'm having trouble understanding. Our office is closed right now. We'll call you "
                          "back at the number ending in 0 1 2 3 when we open, today at 8 AM. Goodbye.")
    call.hang_up()
    row = recorded_call(system, call.call_sid)
    assert (row["outcome"], row["outcome_reason"]) == ("callback_requested", "menu")


def test_staff_asked_for_after_hours_is_a_callback(system):
    system.clock.set(EVENING)
    call = system.phone()
    call.start()
    reply = call.answer(digits="5")
    assert reply.dialled is None and "when we open, tomorrow at 8 AM" in reply.text


def test_a_withheld_number_after_hours_types_one_for_the_callback(system):
    system.clock.set(EVENING)
    call = system.phone(caller="Anonymous")
    call.start()
    reply = call.answer(digits="5")
    assert reply.gather["action"] == "/capture-callback-number"
    reply = call.answer(digits="6175550142#")
    assert "number ending in 0 1 4 2 when we open, tomorrow at 8 AM" in reply.text and reply.hung_up
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "callback_requested"


def test_an_emergency_is_told_to_dial_911_then_put_through(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    reply = call.answer(speech="my husband has chest pain and can't breathe")
    assert reply.text.startswith("If this is a medical emergency, please hang up and dial 911.")
    assert reply.dialled == "+16175550199"
    assert reply.documents[0].find("Dial/Number").get("url") == "/staff-whisper?reason=emergency"


def test_an_emergency_after_hours_is_told_to_dial_911_and_not_transferred(system):
    system.clock.set(EVENING)
    call = system.phone()
    call.start()
    reply = call.answer(speech="I'm bleeding a lot")
    assert reply.text == "If this is a medical emergency, please hang up and dial 911." and reply.hung_up
    call.hang_up()
    assert recorded_call(system, call.call_sid)["outcome"] == "emergency"


def test_a_call_in_progress_across_a_deploy_finishes(system):
    """A session written by the previous release, answering at a route that release used."""
    call = system.phone()
    call.start()
    session = system.sessions.load(call.call_sid)
    clinic = session["clinic"]
    system.sessions.save(call.call_sid, {
        "call_sid": call.call_sid, "clinic": {key: clinic[key] for key in
                                              ("id", "slug", "name", "timezone", "staff_number", "greeting")},
        "caller": CALLER, "steps": ["greeting", "menu", "menu:book", "book", "doctor", "time"], "failures": {},
        "booking": {"doctor_id": 1, "doctor_name": "Dr. Sarah Chen", "start": "2026-12-01T15:00:00+00:00",
                    "name": "Jane Doe"},
        "outcome": None,
    })
    status, _, body = call.post("/capture-user-phone", {"Digits": "6175550123#"})
    assert status == 200 and "texted a code" in body
    call.pending_action = "/capture-verification-code"
    [code_text] = [text for text in texts(system) if text["kind"] == "verification_code"]
    reply = call.answer(digits=re.search(r"\d{6}", code_text["body"]).group(0))
    assert "home address" in reply.text
    reply = call.answer(speech="12 Main Street, Boston")
    assert reply.text.startswith("Dr. Sarah Chen, tomorrow at 10 AM, for Jane Doe")
    reply = call.answer(digits="1")
    assert "You're booked" in reply.text
    assert [item["start"] for item in appointments(system)] == ["2026-12-01T15:00:00+00:00"]
