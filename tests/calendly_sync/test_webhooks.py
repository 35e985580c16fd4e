"""POST /webhooks/calendly: Calendly's signature (good, bad, missing, malformed, stale, replayed), and
invitee.created / invitee.canceled / Calendly-side reschedules applied once to our appointments."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.calendly.models import BOOKED, CANCELLED
from services.calendly.webhooks import verify_signature
from shared.api import ApiError
from tests.calendly_sync.conftest import SIGNING_KEY
from tests.calendly_sync.fake_calendly import CHEN_EVENT_TYPE, calendly_time, sign, webhook_body
from tests.calendly_sync.helpers import appointments, book, deliver, next_weekday_at, run_sync, tasks


def calendly_booking(fake, start, phone="+16175550177", name="Grace Hopper", email="grace@example.com"):
    """An invitee booked on Calendly's own page (not through us)."""
    return fake.book(CHEN_EVENT_TYPE, start, name, email, phone)


def free_starts(system, start, end):
    response = system.internal("GET", "/calendly/availability", query_string={
        "doctor_id": 1, "from": start.isoformat(), "to": end.isoformat(), "limit": 100})
    assert response.status_code == 200
    return [datetime.fromisoformat(slot["start"]) for slot in response.get_json()["slots"]]


def test_invitee_created_blocks_the_slot_for_callers(calendly_system, fake_calendly, db_factory):
    start = next_weekday_at(10)
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {start, start + timedelta(minutes=30)}
    invitee = calendly_booking(fake_calendly, start)
    fake_calendly.open_times[CHEN_EVENT_TYPE].discard(start)
    response = deliver(calendly_system, webhook_body("invitee.created", invitee))
    assert response.status_code == 200 and response.get_json()["outcome"] == "created"
    [row] = appointments(db_factory)
    assert (row.source, row.status, row.starts_at, row.patient_phone) == ("calendly", BOOKED, start, "+16175550177")
    assert row.calendly_invitee_uri == invitee["uri"] and row.ends_at == start + timedelta(minutes=30)
    assert fake_calendly.requests_to("GET", "/scheduled_events/")  # the event's time was read from Calendly
    fake_calendly.open_times[CHEN_EVENT_TYPE].add(start)  # even if Calendly still offered it, our record blocks it
    assert free_starts(calendly_system, start, start + timedelta(hours=1)) == [start + timedelta(minutes=30)]
    taken = calendly_system.internal("POST", "/calendly/appointments", json={
        "doctor_id": 1, "start": start.isoformat(), "patient": {"name": "Ada", "phone": "+16175550123"}})
    assert taken.status_code == 409


def test_embedded_scheduled_event_needs_no_extra_call(calendly_system, fake_calendly, db_factory):
    start = next_weekday_at(11)
    invitee = calendly_booking(fake_calendly, start)
    embedded = {"uri": invitee["event"], "event_type": CHEN_EVENT_TYPE, "start_time": calendly_time(start),
                "end_time": calendly_time(start + timedelta(minutes=30))}
    response = deliver(calendly_system, webhook_body("invitee.created", invitee, embed_event=embedded))
    assert response.get_json()["outcome"] == "created"
    assert fake_calendly.requests_to("GET", "/scheduled_events/") == []


def test_bad_missing_malformed_and_stale_signatures_are_refused(calendly_system, fake_calendly, db_factory):
    body = webhook_body("invitee.created", calendly_booking(fake_calendly, next_weekday_at(12)))
    assert deliver(calendly_system, body, key="not-the-key").status_code == 401
    assert deliver(calendly_system, body, header="").status_code == 401
    assert deliver(calendly_system, body, header="garbage").status_code == 400
    assert deliver(calendly_system, body, header="t=abc,v1=00").status_code == 400
    stale = deliver(calendly_system, body, timestamp=int(calendly_system.clock.now().timestamp()) - 181)
    assert stale.status_code == 401 and stale.get_json()["error"] == "stale_signature"
    tampered = body.replace(b"Grace Hopper", b"Mallory")
    stamp = int(calendly_system.clock.now().timestamp())
    signed_original = deliver(calendly_system, body, timestamp=stamp).request.headers
    assert deliver(calendly_system, tampered, header=signed_original["Calendly-Webhook-Signature"]).status_code == 401
    assert deliver(calendly_system, b"{not json", header=None).status_code == 400


def test_replayed_delivery_changes_nothing_twice(calendly_system, fake_calendly, db_factory):
    invitee = calendly_booking(fake_calendly, next_weekday_at(13))
    body = webhook_body("invitee.created", invitee)
    stamp = int(calendly_system.clock.now().timestamp())
    assert deliver(calendly_system, body, timestamp=stamp).get_json()["outcome"] == "created"
    assert deliver(calendly_system, body, timestamp=stamp).get_json()["outcome"] == "duplicate"
    assert deliver(calendly_system, body).get_json()["outcome"] == "duplicate"
    assert deliver(calendly_system, body, timestamp=stamp - 200).status_code == 401
    assert len(appointments(db_factory)) == 1


def test_invitee_canceled_cancels_locally_once_and_texts_the_patient(calendly_system, fake_calendly, db_factory):
    start = next_weekday_at(14)
    invitee = calendly_booking(fake_calendly, start)
    deliver(calendly_system, webhook_body("invitee.created", invitee))
    canceled = webhook_body("invitee.canceled", fake_calendly.cancel_on_calendly(invitee["uri"]))
    assert deliver(calendly_system, canceled).get_json()["outcome"] == "cancelled"
    assert deliver(calendly_system, canceled).get_json()["outcome"] == "duplicate"
    [row] = appointments(db_factory)
    assert row.status == CANCELLED and row.version == 2
    assert calendly_system.outbox.getvalue().count("has been cancelled") == 1
    fake_calendly.open_times[CHEN_EVENT_TYPE] = {start}
    assert free_starts(calendly_system, start, start + timedelta(minutes=30)) == [start]


def test_calendly_reschedule_moves_the_appointment_cancel_first(calendly_system, fake_calendly, db_factory):
    old_start, new_start = next_weekday_at(9), next_weekday_at(15)
    old = calendly_booking(fake_calendly, old_start)
    deliver(calendly_system, webhook_body("invitee.created", old))
    new = fake_calendly.book(CHEN_EVENT_TYPE, new_start, "Grace Hopper", "grace@example.com", "+16175550177",
                             old_invitee=old["uri"])
    canceled = fake_calendly.cancel_on_calendly(old["uri"], rescheduled_to=new["uri"])
    assert deliver(calendly_system, webhook_body("invitee.canceled", canceled)).get_json()["outcome"] == "moved"
    assert deliver(calendly_system, webhook_body("invitee.created", new)).get_json()["outcome"] == "known"
    [row] = appointments(db_factory)
    assert (row.status, row.starts_at, row.calendly_invitee_uri) == (BOOKED, new_start, new["uri"])
    assert "has been moved" in calendly_system.outbox.getvalue()


def test_calendly_reschedule_moves_the_appointment_created_first(calendly_system, fake_calendly, db_factory):
    old_start, new_start = next_weekday_at(9, 30), next_weekday_at(15, 30)
    old = calendly_booking(fake_calendly, old_start)
    deliver(calendly_system, webhook_body("invitee.created", old))
    new = fake_calendly.book(CHEN_EVENT_TYPE, new_start, "Grace Hopper", "grace@example.com", "+16175550177",
                             old_invitee=old["uri"])
    canceled = fake_calendly.cancel_on_calendly(old["uri"], rescheduled_to=new["uri"])
    assert deliver(calendly_system, webhook_body("invitee.created", new)).get_json()["outcome"] == "moved"
    assert deliver(calendly_system, webhook_body("invitee.canceled", canceled)).get_json()["outcome"] == "unknown"
    [row] = appointments(db_factory)
    assert (row.status, row.starts_at, row.calendly_invitee_uri, row.version) == (BOOKED, new_start, new["uri"], 2)


def test_our_own_booking_is_recognised_by_its_invitee_uri(calendly_system, fake_calendly, db_factory):
    book(calendly_system, next_weekday_at(10))
    run_sync(calendly_system)
    [ours] = appointments(db_factory)
    invitee = fake_calendly.invitees[ours.calendly_invitee_uri]
    assert deliver(calendly_system, webhook_body("invitee.created", invitee)).get_json()["outcome"] == "known"
    assert len(appointments(db_factory)) == 1


def test_our_booking_is_linked_when_its_webhook_beats_the_sync(calendly_system, fake_calendly, db_factory):
    start = next_weekday_at(11)
    book(calendly_system, start)
    invitee = fake_calendly.book(CHEN_EVENT_TYPE, start, "Ada Lovelace", "bookings@riverside.example", "+16175550123")
    assert deliver(calendly_system, webhook_body("invitee.created", invitee)).get_json()["outcome"] == "linked"
    [row] = appointments(db_factory)
    assert row.source == "phone" and row.calendly_invitee_uri == invitee["uri"]
    assert run_sync(calendly_system) == {}
    assert [task.status for task in tasks(db_factory)] == ["done"]
    assert fake_calendly.requests_to("POST", "/invitees") == []


def test_calendly_booking_onto_a_locally_taken_slot_is_a_conflict_not_a_double_booking(
        calendly_system, fake_calendly, db_factory):
    start = next_weekday_at(12)
    book(calendly_system, start)
    invitee = calendly_booking(fake_calendly, start)
    assert deliver(calendly_system, webhook_body("invitee.created", invitee)).get_json()["outcome"] == "conflict"
    assert len(appointments(db_factory)) == 1


def test_unmapped_event_type_and_other_events_are_acknowledged(calendly_system, fake_calendly, db_factory):
    invitee = calendly_booking(fake_calendly, next_weekday_at(13))
    assert deliver(calendly_system, webhook_body("invitee.created", invitee), clinic="harbor-dental").get_json()[
        "outcome"] == "unmapped"
    other = b'{"event": "routing_form_submission.created", "created_at": "2026-01-01T00:00:00Z", "payload": {}}'
    assert deliver(calendly_system, other).get_json()["outcome"] == "ignored"
    assert appointments(db_factory) == []


def test_calendly_down_while_reading_the_event_asks_calendly_to_redeliver(calendly_system, fake_calendly, db_factory):
    invitee = calendly_booking(fake_calendly, next_weekday_at(14))
    body = webhook_body("invitee.created", invitee)
    fake_calendly.down = True
    assert deliver(calendly_system, body).status_code == 503
    fake_calendly.down = False
    calendly_system.app.apps["calendly"].extensions["receptionist"].calendly.breaker.record_success()
    assert deliver(calendly_system, body).get_json()["outcome"] == "created"


def test_without_a_signing_key_every_delivery_is_refused(request, calendly_overrides, fake_calendly, db_factory):
    calendly_overrides["calendly_webhook_signing_key"] = None
    system = request.getfixturevalue("calendly_system")
    body = webhook_body("invitee.created", calendly_booking(fake_calendly, next_weekday_at(12)))
    for key in ("", SIGNING_KEY, "anything"):  # an empty key is what a forger would sign with
        refused = deliver(system, body, key=key)
        assert refused.status_code == 401 and refused.get_json()["error"] == "webhook_not_configured"
    assert appointments(db_factory) == []


def test_verifier_refuses_a_missing_key_even_for_a_header_signed_with_an_empty_key():
    body, stamp = b'{"event": "invitee.created"}', 1_800_000_000
    for key in (None, ""):
        with pytest.raises(ApiError) as refused:
            verify_signature(sign(body, "", stamp), body, key, stamp, 180)
        assert refused.value.status == 401
