"""The console's pages: short handlers that ask the owning services' internal APIs and render templates.
No patient data ever travels in a URL: searches and changes are POSTed, pages name only days and ids."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from flask import abort, g, make_response, redirect, render_template, request, send_from_directory
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as WerkzeugResponse

from services.staff_console import accounts, web
from shared.clock import now as clock_now
from shared.db import transaction
from shared.wiring import dependencies

STATIC_DIR = Path(__file__).parent / "static"
FAILED_TEXT_STATES = ("failed", "undelivered", "opted_out")
NOTICES = {"created": "Account created.", "unlocked": "Account unlocked.",
           "booked": "Appointment booked; the patient gets a confirmation text.",
           "cancelled": "Appointment cancelled; the patient gets a text.",
           "moved": "Appointment moved; the patient gets a text.", "done": "Callback marked done.",
           "applied": "Schedule applied.", "rejected": "Preview rejected.", "restored": "Schedule restored."}


def _clinic() -> dict[str, Any]:
    return dependencies().client.get("knowledge_base", f"/kb/clinics/{g.staff.clinic_slug}")


def _local_today(clinic: dict[str, Any]) -> date:
    return clock_now().astimezone(ZoneInfo(clinic["timezone"])).date()


def _day_arg(clinic: dict[str, Any], name: str = "day") -> date:
    try:
        return date.fromisoformat(request.values.get(name, ""))
    except ValueError:
        return _local_today(clinic)


def _day_window(day: date, tz_name: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz_name)
    return datetime.combine(day, time(0), tzinfo=zone), datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def _page(template: str, **context: Any):
    return render_template(template, staff=g.staff, notice=NOTICES.get(request.args.get("notice", "")), **context)


def home():
    """GET /staff/: today's page."""
    return redirect("/staff/today", code=303)


def login():
    """GET shows the login form; POST signs in (a locked account says so) and starts a session."""
    deps = dependencies()
    if deps.settings.staff_oidc:
        return redirect("/staff/today", code=303)
    error, status = None, 200
    if request.method == "POST":
        now = clock_now()
        with transaction(deps.db) as db:
            result = accounts.authenticate(db=db, username=request.form.get("username", "")[:200],
                                           password=request.form.get("password", "")[:1000], now=now,
                                           policy=deps.policy)
            token = accounts.start_session(db=db, account=result.account, now=now)[0] if result.account else None
        if token:
            response = redirect("/staff/today", code=303)
            web.set_cookie(response, web.cookie_name(), token)
            response.delete_cookie(web.LOGIN_CSRF_COOKIE, path="/staff/")
            return response
        status = 423 if result.locked else 401
        error = ("This account is locked after too many failed attempts. Try again later or ask a manager."
                 if result.locked else "Wrong username or password.")
    csrf = web.login_csrf_token()
    response = make_response(render_template("login.html", staff=None, error=error, csrf_token=csrf), status)
    web.set_cookie(response, web.LOGIN_CSRF_COOKIE, csrf)
    return response


def logout():
    """POST /staff/logout: end the session."""
    with transaction(dependencies().db) as db:
        accounts.end_session(db=db, token=request.cookies.get(web.cookie_name(), ""))
    response = redirect("/staff/login", code=303)
    response.delete_cookie(web.cookie_name(), path="/" if web.cookie_name().startswith("__Host-") else "/staff/")
    return response


def today():
    """GET /staff/today[?day=]: each doctor's appointments of the day in time order, and their next free slots."""
    clinic = _clinic()
    day = _day_arg(clinic)
    start, end = _day_window(day, clinic["timezone"])
    doctors = [doctor for doctor in dependencies().client.get("knowledge_base", f"/kb/clinics/{clinic['slug']}/doctors")
               if doctor.get("active", True)]
    found = dependencies().client.get("calendly", "/calendly/clinic-appointments", clinic_id=clinic["id"],
                          **{"from": start.isoformat(), "to": end.isoformat()})
    zone = ZoneInfo(clinic["timezone"])
    for item in found:
        item["local_start"] = datetime.fromisoformat(item["start"]).astimezone(zone)
        item["local_end"] = datetime.fromisoformat(item["end"]).astimezone(zone)
    free_from = max(start, clock_now())
    free = {doctor["id"]: _free_slots(doctor["id"], free_from, end, zone, 3) if free_from < end else []
            for doctor in doctors}
    hours = sorted({item["local_start"].hour for item in found} | set(range(8, 18)))
    grid = {(doctor["id"], hour): [item for item in found if item["doctor_id"] == doctor["id"]
                                   and item["local_start"].hour == hour] for doctor in doctors for hour in hours}
    return _page("today.html", clinic=clinic, day=day, doctors=doctors, appointments=found, free=free,
                 hours=hours, grid=grid, previous=day - timedelta(days=1), next=day + timedelta(days=1),
                 is_today=day == _local_today(clinic))


def _free_slots(doctor_id: int, start: datetime, end: datetime, zone: ZoneInfo, limit: int) -> list[datetime]:
    answer = dependencies().client.get("calendly", "/calendly/availability", doctor_id=doctor_id, limit=limit,
                           **{"from": start.isoformat(), "to": end.isoformat()})
    return [datetime.fromisoformat(slot["start"]).astimezone(zone) for slot in answer["slots"]]


def _e164(number: str, country: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, country or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def book():
    """GET: pick a doctor, day and free slot; POST: book it for the patient on the line (same rules and
    texts as a phone booking)."""
    clinic = _clinic()
    doctors = [doctor for doctor in dependencies().client.get("knowledge_base", f"/kb/clinics/{clinic['slug']}/doctors")
               if doctor.get("active", True)]
    day = _day_arg(clinic)
    doctor_id = request.values.get("doctor_id", type=int) or (doctors[0]["id"] if doctors else None)
    if doctor_id is not None and doctor_id not in {doctor["id"] for doctor in doctors}:
        abort(404)
    error, status = None, 200
    if request.method == "POST":
        error, status = _book_posted(clinic, doctor_id)
        if error is None:
            return redirect(f"/staff/today?day={day.isoformat()}&notice=booked", code=303)
    zone = ZoneInfo(clinic["timezone"])
    start, end = _day_window(day, clinic["timezone"])
    free_from = max(start, clock_now())
    slots = _free_slots(doctor_id, free_from, end, zone, 100) if doctor_id and free_from < end else []
    page = _page("book.html", clinic=clinic, doctors=doctors, doctor_id=doctor_id, day=day, slots=slots, error=error,
                 form=request.form if request.method == "POST" else {})
    return page, status


def _book_posted(clinic: dict[str, Any], doctor_id: int | None) -> tuple[str | None, int]:
    form = request.form
    phone = _e164(form.get("phone", "")[:40], clinic.get("country", "US"))
    name = " ".join(form.get("patient_name", "").split())[:200]
    if not doctor_id or not form.get("start"):
        return "Choose a doctor and a free time.", 422
    if not name or phone is None:
        return "Enter the patient's name and a valid phone number.", 422
    patient = {"name": name, "phone": phone}
    if form.get("email", "").strip():
        patient["email"] = form["email"].strip()[:254]
    answer = dependencies().client.post("calendly", "/calendly/appointments",
                            {"doctor_id": doctor_id, "start": form["start"], "patient": patient, "source": "console"})
    if answer.ok:
        return None, 201
    message = answer.data.get("message") if isinstance(answer.data, dict) else None
    if answer.status == 409:
        return "That time has just been taken. Choose another.", 409
    return f"The booking was refused: {message or 'invalid details'}.", 422


def _own_appointment(clinic: dict[str, Any], appointment_id: int, day: date) -> dict[str, Any]:
    start, end = _day_window(day, clinic["timezone"])
    found = dependencies().client.get("calendly", "/calendly/clinic-appointments", clinic_id=clinic["id"],
                          **{"from": start.isoformat(), "to": end.isoformat()})
    match = next((item for item in found if item["id"] == appointment_id), None)
    if match is None:
        abort(404)
    return match


def cancel_appointment(appointment_id: int):
    """POST: cancel one of this clinic's appointments; the patient is texted."""
    clinic = _clinic()
    day = _day_arg(clinic)
    _own_appointment(clinic, appointment_id, day)
    answer = dependencies().client.post("calendly", f"/calendly/appointments/{appointment_id}/cancel",
                            {"reason": "cancelled by clinic staff"})
    if not answer.ok:
        abort(409, description="this appointment can no longer be cancelled")
    return redirect(f"/staff/today?day={day.isoformat()}&notice=cancelled", code=303)


def move_appointment(appointment_id: int):
    """POST: move one of this clinic's appointments to a new local time (no double booking)."""
    clinic = _clinic()
    day = _day_arg(clinic)
    _own_appointment(clinic, appointment_id, day)
    try:
        new_start = datetime.fromisoformat(request.form.get("new_start", "")).replace(
            tzinfo=ZoneInfo(clinic["timezone"]), second=0, microsecond=0)
    except ValueError:
        abort(422, description="give the new date and time")
    answer = dependencies().client.post("calendly", f"/calendly/appointments/{appointment_id}/reschedule",
                            {"start": new_start.isoformat()})
    if not answer.ok:
        message = answer.data.get("message") if isinstance(answer.data, dict) else None
        abort(409 if answer.status == 409 else 422, description=message or "the appointment could not be moved")
    return redirect(f"/staff/today?day={new_start.date().isoformat()}&notice=moved", code=303)


def calls():
    """GET /staff/calls[?day=&outcome=]: the call log with filters, and outcomes per day as a chart."""
    clinic = _clinic()
    last = _local_today(clinic)
    day = request.args.get("day", "")
    window = {"from": day, "to": day} if _valid_day(day) else {"from": (last - timedelta(days=6)).isoformat(),
                                                                 "to": last.isoformat()}
    log = dependencies().client.get("twilio_handler", "/twilio/calls", clinic=clinic["slug"], **window)["calls"]
    outcome = request.args.get("outcome", "")
    listed = [_with_local_time(call, "started_at", clinic) for call in reversed(log)
              if not outcome or call["outcome"] == outcome]
    summary = dependencies().client.get("twilio_handler", "/twilio/calls/summary", clinic=clinic["slug"],
                            **{"from": (last - timedelta(days=13)).isoformat(), "to": last.isoformat()})["days"]
    busiest = max([day_row["total"] for day_row in summary] or [1])
    outcomes = sorted(Counter(o for row in summary for o in row["outcomes"]))
    return _page("calls.html", clinic=clinic, calls=listed, summary=summary, busiest=busiest, outcomes=outcomes,
                 day=day if _valid_day(day) else "", outcome=outcome)


def _with_local_time(item: dict[str, Any], field: str, clinic: dict[str, Any]) -> dict[str, Any]:
    """The item with `local_time`: its UTC instant as the clinic's wall clock (HH:MM)."""
    moment = datetime.fromisoformat(item[field]).astimezone(ZoneInfo(clinic["timezone"]))
    return {**item, "local_time": moment.strftime("%H:%M")}


def _valid_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def callbacks(revealed: dict[str, str] | None = None):
    """GET /staff/callbacks: one queue of what needs a human (numbers masked until opened)."""
    clinic = _clinic()
    client = dependencies().client
    queue = [_with_local_time(item, "started_at", clinic) for item in client.get(
        "twilio_handler", "/twilio/callbacks", clinic=clinic["slug"], include_done=request.args.get("done") == "1",
    )["callbacks"]]
    stranded_answer = client.call("GET", "knowledge_base", f"/kb/clinics/{clinic['slug']}/stranded-appointments")
    stranded = stranded_answer.data if stranded_answer.ok else None
    if isinstance(stranded, dict):
        stranded = stranded.get("appointments", [])
    show_done = request.args.get("done") == "1"
    texts = [text for text in client.get("messaging", "/messaging/sms/clinic", clinic_id=clinic["id"], limit=200)
             if text["status"] in FAILED_TEXT_STATES and (show_done or not text["handled_at"])]
    clashes = client.get("calendly", "/calendly/conflicts", clinic_id=clinic["id"], include_done=show_done)
    zone = ZoneInfo(clinic["timezone"])
    for clash in clashes:
        clash["local_start"] = datetime.fromisoformat(clash["start"]).astimezone(zone) if clash["start"] else None
    return _page("callbacks.html", clinic=clinic, queue=queue, stranded=stranded, failed_texts=texts,
                 conflicts=clashes, revealed=revealed or {}, show_done=show_done)


def open_callback(call_sid: str):
    """POST: show one caller's number in full (the owning service logs who opened it)."""
    answer = dependencies().client.post("twilio_handler", f"/twilio/callbacks/{call_sid}/open",
                                        {"clinic": g.staff.clinic_slug})
    if not answer.ok:
        abort(404)
    return callbacks(revealed={call_sid: answer.data["callback_number"]})


def close_callback(call_sid: str):
    """POST: mark a callback done with a note."""
    return _followed_up("twilio_handler", f"/twilio/callbacks/{call_sid}/done", {"clinic": g.staff.clinic_slug})


def close_conflict(conflict_id: int):
    """POST: a Calendly clash resolved, with a note."""
    return _followed_up("calendly", f"/calendly/conflicts/{conflict_id}/done", {"clinic_id": _clinic()["id"]})


def close_text(message_id: int):
    """POST: a failed text followed up, with a note."""
    return _followed_up("messaging", f"/messaging/sms/{message_id}/done", {"clinic_id": _clinic()["id"]})


def _followed_up(service: str, path: str, clinic: dict[str, Any]) -> WerkzeugResponse:
    """Tell the service that owns a follow-up it is done, with the staff member's note; 404 when it is
    not this clinic's (or not there)."""
    answer = dependencies().client.post(service, path, {**clinic, "note": request.form.get("note", "")[:2000]})
    if not answer.ok:
        abort(404)
    return redirect("/staff/callbacks?notice=done", code=303)


def schedule():
    """GET /staff/schedule: doctors with weekly hours and leave, uploads, and earlier versions."""
    clinic = _clinic()
    client = dependencies().client
    doctors = client.get("knowledge_base", f"/kb/clinics/{clinic['slug']}/doctors")
    documents = client.get("knowledge_base", f"/kb/clinics/{clinic['slug']}/documents")
    versions = client.get("knowledge_base", f"/kb/clinics/{clinic['slug']}/schedule/versions")
    return _page("schedule.html", clinic=clinic, doctors=doctors, documents=documents, versions=versions)


def upload_schedule():
    """POST: upload a schedule PDF as a preview (nothing changes until a manager approves it)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(422, description="choose a PDF file")
    answer = dependencies().client.call("POST", "knowledge_base", "/kb/documents",
                            data={"clinic": g.staff.clinic_slug, "preview": "true",
                                  "replace": "true" if request.form.get("replace") else "false"},
                            files={"file": (upload.filename[:200], upload.stream.read(), "application/pdf")})
    document = (answer.data or {}).get("document") or {}
    if not answer.ok or "id" not in document:
        message = (answer.data or {}).get("message") if isinstance(answer.data, dict) else None
        abort(422, description=message or "the file could not be read as a schedule")
    return redirect(f"/staff/schedule/{document['id']}", code=303)


def _own_document(document_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    clinic = _clinic()
    answer = dependencies().client.call("GET", "knowledge_base", f"/kb/documents/{document_id}")
    if not answer.ok or answer.data.get("clinic_id") != clinic["id"]:
        abort(404)
    return clinic, answer.data


def schedule_preview(document_id: int):
    """GET: what an uploaded schedule would change, the appointments it strands, and the lines not read."""
    clinic, document = _own_document(document_id)
    return _page("preview.html", clinic=clinic, document=document, preview=document.get("preview") or {})


@web.manager_only
def apply_schedule(document_id: int):
    """POST (managers): apply exactly what the preview showed."""
    _own_document(document_id)
    answer = dependencies().client.post("knowledge_base", f"/kb/documents/{document_id}/apply")
    if not answer.ok:
        abort(409, description=(answer.data or {}).get("message", "the schedule could not be applied"))
    return redirect("/staff/schedule?notice=applied", code=303)


@web.manager_only
def reject_schedule(document_id: int):
    """POST (managers): discard a preview."""
    _own_document(document_id)
    answer = dependencies().client.post("knowledge_base", f"/kb/documents/{document_id}/reject")
    if not answer.ok:
        abort(409, description=(answer.data or {}).get("message", "the preview could not be rejected"))
    return redirect("/staff/schedule?notice=rejected", code=303)


@web.manager_only
def restore_schedule():
    """POST (managers): bring back the schedule an earlier document applied."""
    document_id = request.form.get("document_id", type=int)
    if not document_id:
        abort(422, description="choose a version")
    _own_document(document_id)
    answer = dependencies().client.post("knowledge_base", f"/kb/clinics/{g.staff.clinic_slug}/schedule/restore",
                            {"document_id": document_id})
    if not answer.ok:
        abort(409, description=(answer.data or {}).get("message", "that version could not be restored"))
    return redirect("/staff/schedule?notice=restored", code=303)


def messages():
    """GET /staff/messages: texts with their delivery state; failures and opt-outs counted."""
    clinic = _clinic()
    texts = dependencies().client.get("messaging", "/messaging/sms/clinic", clinic_id=clinic["id"], limit=200)
    counts = Counter(text["status"] for text in texts)
    return _page("messages.html", clinic=clinic, texts=texts, counts=counts)


@web.manager_only
def staff_accounts():
    """GET (managers): the clinic's accounts; POST: add one (username, role, password)."""
    deps = dependencies()
    error, status = None, 200
    if request.method == "POST":
        try:
            with transaction(deps.db) as db:
                accounts.create_account(db=db, username=request.form.get("username", "")[:200],
                                        clinic_slug=g.staff.clinic_slug, role=request.form.get("role", ""),
                                        password=request.form.get("password", "")[:1000])
            return redirect("/staff/accounts?notice=created", code=303)
        except ValueError as problem:
            error, status = str(problem), 422
        except IntegrityError:
            error, status = "That username is taken.", 409
    with transaction(deps.db) as db:
        members = [{"id": account.id, "username": account.username, "role": account.role, "active": account.active,
                    "locked": bool(account.locked_until and account.locked_until > clock_now())}
                   for account in accounts.clinic_accounts(db=db, clinic_slug=g.staff.clinic_slug)]
    return _page("accounts.html", clinic=_clinic(), members=members, error=error), status


@web.manager_only
def unlock_account(account_id: int):
    """POST (managers): lift a lockout on one of the clinic's accounts."""
    with transaction(dependencies().db) as db:
        if not accounts.unlock(db=db, account_id=account_id, clinic_slug=g.staff.clinic_slug):
            abort(404)
    return redirect("/staff/accounts?notice=unlocked", code=303)


def static_file(filename: str):
    """The console's CSS and JavaScript."""
    return send_from_directory(STATIC_DIR, filename, max_age=3600)


VIEWS: dict[str, Callable[..., Any]] = {
    "/staff/": home, "/staff/login": login, "/staff/logout": logout, "/staff/today": today, "/staff/book": book,
    "/staff/appointments/<int:appointment_id>/cancel": cancel_appointment,
    "/staff/appointments/<int:appointment_id>/move": move_appointment,
    "/staff/calls": calls, "/staff/callbacks": callbacks,
    "/staff/callbacks/<call_sid>/open": open_callback, "/staff/callbacks/<call_sid>/done": close_callback,
    "/staff/conflicts/<int:conflict_id>/done": close_conflict, "/staff/texts/<int:message_id>/done": close_text,
    "/staff/schedule": schedule, "/staff/schedule/upload": upload_schedule,
    "/staff/schedule/<int:document_id>": schedule_preview,
    "/staff/schedule/<int:document_id>/apply": apply_schedule,
    "/staff/schedule/<int:document_id>/reject": reject_schedule,
    "/staff/schedule/restore": restore_schedule, "/staff/messages": messages,
    "/staff/accounts": staff_accounts, "/staff/accounts/<int:account_id>/unlock": unlock_account,
    "/staff/static/<path:filename>": static_file,
}
