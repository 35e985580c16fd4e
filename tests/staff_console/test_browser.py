"""The staff console in a real browser: Playwright driving Debian's chromium (/usr/bin/chromium, never a
downloaded one) against the whole system served over HTTP. Screenshots of every page visited are kept
under var/test-output/console/."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import CALLER
from tests.staff_console.conftest import PASSWORD, failed_transfer

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-output" / "console"
SAMPLES = Path(__file__).resolve().parents[2] / "services" / "knowledge_base" / "sample_pdfs"


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium under Playwright (make test installs it when missing)."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: run tools/ensure_chromium.sh (make test does)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM,
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def served(system):
    """The whole system on a local port (localhost: a secure context, so Secure cookies work over http)."""
    server = make_server("localhost", 0, system.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(chromium, served):
    """A fresh browser context (no cookies) with its page."""
    context = chromium.new_context(base_url=served, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not [error for error in errors if "Content Security Policy" in error], errors


def shot(page: Page, name: str) -> None:
    """Keep a screenshot of the page as it is now."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in with the keyboard: type into the labelled fields, press Enter."""
    page.goto("/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")


def test_log_in_see_today_and_book_for_a_caller(system, accounts, page):
    log_in(page, accounts.staff)
    expect(page).to_have_url(re.compile(r"/staff/today$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Appointments on Monday 07 December 2026")
    expect(page.get_by_role("table", name="Appointments by hour and doctor")).to_be_visible()
    shot(page, "today-empty")
    page.get_by_role("link", name="Book an appointment").click()
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    page.get_by_role("group", name="Free times").get_by_role("radio").nth(2).check()
    page.get_by_label("Patient's name").fill("Casey Jones")
    page.get_by_label("Patient's mobile number").fill("617-555-0177")
    shot(page, "book")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Appointment booked")
    expect(page.get_by_role("table", name="Appointments by hour and doctor")).to_contain_text("Casey Jones")
    shot(page, "today-booked")
    assert "+16175550177" in system.outbox.getvalue()
    assert "5550177" not in page.url and "Casey" not in page.url
    page.get_by_role("link", name="Messages").click()
    expect(page.get_by_role("cell", name="booking_confirmation").first).to_be_visible()
    shot(page, "messages")


def test_upload_a_schedule_and_approve_it(system, accounts, page):
    log_in(page, accounts.manager)
    page.get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", name="Doctors")).to_be_visible()
    shot(page, "schedule")
    page.get_by_label("Schedule PDF").set_input_files(str(SAMPLES / "layout-table.pdf"))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Schedule preview")
    expect(page.locator("#document-status")).to_have_text("pending_review")
    expect(page.get_by_role("heading", name="Appointments this would strand")).to_be_visible()
    shot(page, "schedule-preview")
    page.get_by_role("button", name="Approve and apply").click()
    expect(page.get_by_role("status")).to_contain_text("Schedule applied")
    expect(page.get_by_role("cell", name="layout-table.pdf")).to_be_visible()
    shot(page, "schedule-applied")


def test_mark_a_callback_done(system, accounts, page):
    failed_transfer(system)
    log_in(page, accounts.staff)
    page.get_by_role("link", name="Callbacks").click()
    card = page.get_by_role("article")
    expect(card).to_contain_text("transfer failed")
    expect(card).not_to_contain_text(CALLER)
    shot(page, "callbacks")
    card.get_by_role("button", name="Show number (logged)").click()
    expect(page.get_by_role("article")).to_contain_text(CALLER)
    shot(page, "callbacks-opened")
    page.get_by_role("article").get_by_label("Note").fill("Called back, booked for Tuesday")
    page.get_by_role("article").get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("Callback marked done")
    expect(page.get_by_text("No callers waiting.")).to_be_visible()
    page.get_by_role("link", name="Calls").click()
    expect(page.get_by_role("table", name="Calls per day by outcome")).to_be_visible()
    shot(page, "calls")


def test_failed_logins_lock_the_account(accounts, page):
    for _ in range(4):
        log_in(page, accounts.staff, "not the password")
        expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    log_in(page, accounts.staff, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("locked")
    log_in(page, accounts.staff)
    expect(page.get_by_role("alert")).to_contain_text("locked")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    shot(page, "login-locked")


def test_another_clinics_pages_are_refused(system, accounts, page, chromium, served):
    riverside = chromium.new_context(base_url=served)
    other = riverside.new_page()
    log_in(other, accounts.manager)
    other.goto("/staff/schedule")
    other.get_by_label("Schedule PDF").set_input_files(str(SAMPLES / "layout-table.pdf"))
    other.get_by_role("button", name="Upload and preview").click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("Schedule preview")
    riverside_preview = other.url
    riverside.close()
    log_in(page, accounts.harbor)
    expect(page.get_by_role("banner")).to_contain_text("Harbor Dental")
    page.goto(riverside_preview)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    shot(page, "other-clinic-refused")
    page.goto("/staff/login")
    shot(page, "login")
