"""The console on the whole system (real Postgres and Redis, every service in one process): a booking
made for a caller appears on Today with its text, a call that ended in a failed transfer waits in the
callback queue with its number masked until opened (the opening logged), is marked done with a note,
and a schedule uploaded by staff is applied only by a manager; another clinic's member is refused."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.knowledge_base.models import Clinic
from services.messaging.models import SmsMessage
from services.staff_console.models import StaffAccount
from services.twilio_handler.models import Call, CallAccess
from shared.db import transaction
from tests.conftest import CALLER
from tests.staff_console.conftest import Browser, failed_transfer

SAMPLES = Path(__file__).resolve().parents[2] / "services" / "knowledge_base" / "sample_pdfs"


def _public_id(db_factory, username: str) -> str:
    with transaction(db_factory) as db:
        return db.scalars(select(StaffAccount.public_id).where(StaffAccount.username == username)).one()


def test_a_booking_for_a_caller_shows_on_today_and_texts_the_patient(system, accounts, browser):
    browser.login(accounts.staff)
    page = browser.page("/staff/book?day=2026-12-07")
    assert 'name="start"' in page, "free times are offered"
    response = browser.post("/staff/book", {"doctor_id": _first_doctor_id(page), "day": "2026-12-07",
                                            "start": _first_slot(page), "patient_name": "Casey Jones",
                                            "phone": "617-555-0177"})
    assert response.status_code == 303
    today = browser.page("/staff/today?day=2026-12-07")
    assert "Casey Jones" in today and ">console<" in today and "(phone ends 77)" in today
    assert "+16175550177" in system.outbox.getvalue(), "the patient got the confirmation text"
    messages = browser.page("/staff/messages")
    assert "booking_confirmation" in messages and "…77" in messages and "+1617555" not in messages


def test_the_same_slot_cannot_be_booked_twice(system, accounts, browser):
    browser.login(accounts.staff)
    page = browser.page("/staff/book?day=2026-12-07")
    form = {"doctor_id": _first_doctor_id(page), "day": "2026-12-07", "start": _first_slot(page),
            "patient_name": "Casey Jones", "phone": "617-555-0177"}
    assert browser.post("/staff/book", form).status_code == 303
    again = browser.post("/staff/book", {**form, "patient_name": "Robin Roe", "phone": "617-555-0188"})
    assert again.status_code == 409 and "just been taken" in again.get_data(as_text=True)


def test_a_failed_transfer_waits_as_a_callback_opened_with_an_audit_and_marked_done(system, accounts, browser,
                                                                                      db_factory):
    call_sid = failed_transfer(system)
    browser.login(accounts.staff)
    queue = browser.page("/staff/callbacks")
    assert "transfer failed" in queue and CALLER not in queue and "••••••••••23" in queue
    opened = browser.post(f"/staff/callbacks/{call_sid}/open").get_data(as_text=True)
    assert CALLER in opened
    with transaction(db_factory) as db:
        log = db.scalars(select(CallAccess).where(CallAccess.call_sid == call_sid)).all()
    assert [(entry.action, entry.staff) for entry in log] == [("opened", _public_id(db_factory, accounts.staff))]
    response = browser.post(f"/staff/callbacks/{call_sid}/done", {"note": "called back, booked Tuesday"})
    assert response.status_code == 303
    assert call_sid not in browser.page("/staff/callbacks")
    assert "called back, booked Tuesday" in browser.page("/staff/callbacks?done=1")
    with transaction(db_factory) as db:
        row = db.get(Call, call_sid)
        assert (row.handled_by, row.handled_note) == (_public_id(db_factory, accounts.staff),
                                                      "called back, booked Tuesday")


def test_calls_page_lists_the_call_and_its_outcome(system, accounts, browser):
    failed_transfer(system)
    browser.login(accounts.staff)
    page = browser.page("/staff/calls")
    assert "callback_requested (transfer_failed)" in page and "<meter" in page
    assert "transfer_failed" in browser.page("/staff/calls?outcome=callback_requested")
    assert "No calls match." in browser.page("/staff/calls?outcome=booked")


def test_another_clinics_member_is_refused_its_callbacks_and_appointments(system, accounts, browser):
    call_sid = failed_transfer(system)
    browser.login(accounts.harbor)
    assert call_sid not in browser.page("/staff/callbacks")
    assert browser.post(f"/staff/callbacks/{call_sid}/open").status_code == 404
    assert browser.post(f"/staff/callbacks/{call_sid}/done", {"note": "x"}).status_code == 404


def test_staff_upload_a_schedule_and_only_a_manager_applies_it(system, accounts, db_factory):
    desk = Browser(system.app)
    desk.login(accounts.staff)
    desk.page("/staff/schedule")
    with open(SAMPLES / "layout-table.pdf", "rb") as pdf:
        response = desk.post("/staff/schedule/upload", {"file": (pdf, "new-hours.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 303
    preview_path = response.headers["Location"]
    preview = desk.page(preview_path)
    assert "pending_review" in preview and "A manager must approve" in preview
    assert desk.post(f"{preview_path}/apply").status_code == 403
    manager = Browser(system.app)
    manager.login(accounts.manager)
    manager.page(preview_path)
    assert manager.post(f"{preview_path}/apply").status_code == 303
    assert "parsed" in manager.page(preview_path)
    harbor = Browser(system.app)
    harbor.login(accounts.harbor)
    assert harbor.get(preview_path).status_code == 404


def _first_doctor_id(page: str) -> str:
    return re.search(r'name="doctor_id" value="(\d+)"', page).group(1)


def _first_slot(page: str) -> str:
    return re.search(r'name="start" value="([^"]+)"', page).group(1)


def test_a_failed_text_waits_in_the_queue_until_followed_up(system, accounts, browser, db_factory):
    with transaction(db_factory) as db:
        clinic_id = db.scalars(select(Clinic.id).where(Clinic.slug == "riverside")).one()
        db.add(SmsMessage(idempotency_key="test-failed-0001", kind="booking_confirmation", clinic_id=clinic_id,
                          to_number="+16175550166", body="Your appointment ...", status="failed", error_code=30006))
    browser.login(accounts.staff)
    queue = browser.page("/staff/callbacks")
    assert "30006" in queue and "…66" in queue and "+16175550166" not in queue
    message_id = re.search(r'action="/staff/texts/(\d+)/done"', queue).group(1)
    assert browser.post(f"/staff/texts/{message_id}/done", {"note": "phoned the landline"}).status_code == 303
    assert "30006" not in browser.page("/staff/callbacks")
    assert "phoned the landline" in browser.page("/staff/callbacks?done=1")
    harbor = Browser(system.app)
    harbor.login(accounts.harbor)
    harbor.page("/staff/callbacks")
    assert harbor.post(f"/staff/texts/{message_id}/done", {"note": "x"}).status_code == 404


def _book_first_free(browser, name: str = "Casey Jones", phone: str = "617-555-0177") -> str:
    page = browser.page("/staff/book?day=2026-12-07")
    start = _first_slot(page)
    browser.post("/staff/book", {"doctor_id": _first_doctor_id(page), "day": "2026-12-07", "start": start,
                                 "patient_name": name, "phone": phone})
    return start


def test_staff_move_and_cancel_an_appointment_and_the_patient_is_texted(system, accounts, browser):
    browser.login(accounts.staff)
    _book_first_free(browser)
    today = browser.page("/staff/today?day=2026-12-07")
    appointment_id = re.search(r'action="/staff/appointments/(\d+)/move"', today).group(1)
    moved = browser.post(f"/staff/appointments/{appointment_id}/move", {"day": "2026-12-07",
                                                                       "new_start": "2026-12-08T14:00"})
    assert moved.status_code == 303 and moved.headers["Location"].startswith("/staff/today?day=2026-12-08")
    assert "14:00 Casey Jones" in browser.page("/staff/today?day=2026-12-08")
    assert "Casey Jones" not in browser.page("/staff/today?day=2026-12-07")
    browser.page("/staff/today?day=2026-12-08")
    cancelled = browser.post(f"/staff/appointments/{appointment_id}/cancel", {"day": "2026-12-08"})
    assert cancelled.status_code == 303
    page = browser.page("/staff/today?day=2026-12-08")
    assert "status-cancelled" in page and f'/staff/appointments/{appointment_id}/cancel"' not in page
    kinds = browser.page("/staff/messages")
    assert "reschedule" in kinds and "cancellation" in kinds


def test_a_move_onto_a_taken_slot_is_refused(system, accounts, browser):
    browser.login(accounts.staff)
    first = _book_first_free(browser)
    _book_first_free(browser, "Robin Roe", "617-555-0188")
    today = browser.page("/staff/today?day=2026-12-07")
    second_id = re.findall(r'action="/staff/appointments/(\d+)/move"', today)[-1]
    taken = datetime.fromisoformat(first).astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M")
    refused = browser.post(f"/staff/appointments/{second_id}/move", {"day": "2026-12-07", "new_start": taken})
    assert refused.status_code == 409


def test_managers_add_accounts_and_lift_lockouts_staff_cannot(system, accounts, browser, db_factory):
    for _ in range(5):
        Browser(system.app).login(accounts.staff, "wrong password!")
    assert Browser(system.app).login(accounts.staff).status_code == 423
    desk = Browser(system.app)
    desk.login(accounts.staff, "wrong")
    browser.login(accounts.manager)
    page = browser.page("/staff/accounts")
    assert "locked" in page and accounts.harbor not in page
    account_id = re.search(r'action="/staff/accounts/(\d+)/unlock"', page).group(1)
    assert browser.post(f"/staff/accounts/{account_id}/unlock").status_code == 303
    assert Browser(system.app).login(accounts.staff).status_code == 303
    browser.page("/staff/accounts")
    created = browser.post("/staff/accounts", {"username": "nurse@riverside", "role": "staff",
                                               "password": "a long enough password"})
    assert created.status_code == 303
    assert Browser(system.app).login("nurse@riverside", "a long enough password").status_code == 303
    short = browser.post("/staff/accounts", {"username": "x@riverside", "role": "staff", "password": "short"})
    assert short.status_code == 422
    staff = Browser(system.app)
    staff.login(accounts.staff)
    assert staff.get("/staff/accounts").status_code == 403
    harbor = Browser(system.app)
    harbor.login(accounts.harbor)
    harbor.page("/staff/accounts")
    assert harbor.post(f"/staff/accounts/{account_id}/unlock").status_code == 404
