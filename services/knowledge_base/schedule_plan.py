"""What a schedule would do to a clinic's doctors, worked out without changing anything.

A clinic's doctors are handled as snapshots (schedule_versions.py): one entry per doctor (id, name,
department, aliases, weekly hours, exceptions, active). `plan_upload` turns the
current snapshot and an extracted document into the snapshot the clinic would have; `changes`
compares any two snapshots (an upload, a restore) for staff: doctors added, renamed, deactivated,
hours per day before and after, new exceptions.

Rules of an upload:
- doctors are matched by name without titles; a doctor the document names differently but
  recognisably (same surname with a compatible first name, "S. Chen" / "Sarah Chen", or a surname
  extended with a hyphen, "Maria Lopez" / "Maria Lopez-Garcia") is renamed, keeping their id, aliases
  re-derived and appointments attached, when exactly one doctor fits on each side;
- a doctor missing from the document keeps their schedule (clinic closures and leave the document
  gives are added), or is deactivated with `replace`;
- a weekday whose line or cell could not be read keeps the doctor's current hours for that day
  rather than losing it, and the report says so.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from services.knowledge_base.schedule_parser import ExtractedSchedule
from services.knowledge_base.schedule_versions import Snapshot
from services.knowledge_base.service import bare_name, derive_aliases
from shared.working_hours import WEEKDAYS


def plan_upload(*, current: Snapshot, schedule: ExtractedSchedule, replace: bool) -> Snapshot:
    """The snapshot the clinic would have after applying the document: every current doctor (in id
    order) with new doctors after them in document order."""
    target = {entry["id"]: dict(entry) for entry in current}
    unmatched = {bare_name(entry["name"]).casefold(): entry["id"] for entry in current}
    matches: list[tuple[dict[str, Any], int | None]] = []
    for document_doctor in schedule.doctors:
        matches.append((document_doctor, unmatched.pop(document_doctor["bare_name"].casefold(), None)))
    renames = _renames([doctor for doctor, found in matches if found is None],
                       {key: target[doctor_id] for key, doctor_id in unmatched.items()})
    created: Snapshot = []
    for document_doctor, doctor_id in matches:
        doctor_id = doctor_id if doctor_id is not None else renames.get(document_doctor["bare_name"].casefold())
        if doctor_id is None:
            created.append({"id": None, "name": document_doctor["name"], "department": document_doctor["department"],
                            "aliases": derive_aliases(document_doctor["name"]),
                            "weekly_hours": document_doctor["weekly_hours"],
                            "exceptions": document_doctor["exceptions"], "active": True})
            continue
        unmatched = {key: value for key, value in unmatched.items() if value != doctor_id}
        target[doctor_id] = _updated(target[doctor_id], document_doctor)
    leave_only = {entry["bare_name"].casefold(): entry["exceptions"] for entry in schedule.leave_only}
    for key, doctor_id in unmatched.items():
        entry = target[doctor_id]
        if not entry["active"]:
            continue
        if replace:
            target[doctor_id] = {**entry, "active": False}
        else:
            target[doctor_id] = {**entry, "exceptions": _merged(entry["exceptions"],
                                                                [*leave_only.get(key, []), *schedule.closures])}
    return [*(target[entry["id"]] for entry in current), *created]


def _updated(entry: dict[str, Any], document_doctor: dict[str, Any]) -> dict[str, Any]:
    renamed = bare_name(entry["name"]).casefold() != document_doctor["bare_name"].casefold()
    name = document_doctor["name"] if renamed else entry["name"]
    hours = document_doctor["weekly_hours"]
    written_days = {rule["day"] for rule in hours}
    kept = [rule for rule in entry["weekly_hours"] if entry["active"] and rule["day"] in document_doctor["unread_days"]
            and rule["day"] not in written_days]
    return {**entry, "name": name, "department": document_doctor["department"] or entry["department"],
            "aliases": derive_aliases(name) if renamed or not entry["aliases"] else entry["aliases"],
            "weekly_hours": _in_week_order([*hours, *kept]), "exceptions": document_doctor["exceptions"],
            "active": True}


def _renames(new: list[dict[str, Any]], candidates: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Document doctors (by bare name) that are a stored doctor under another spelling, one to one."""
    found: dict[str, int] = {}
    for document_doctor in new:
        fits = [entry for entry in candidates.values() if entry["active"]
                and _same_person(document_doctor["bare_name"], bare_name(entry["name"]))]
        others = [other for other in new if other is not document_doctor and fits
                  and _same_person(other["bare_name"], bare_name(fits[0]["name"]))]
        if len(fits) == 1 and not others:
            found[document_doctor["bare_name"].casefold()] = fits[0]["id"]
    return found


def _same_person(first: str, second: str) -> bool:
    first_words, second_words = _plain(first).split(), _plain(second).split()
    if len(first_words) < 2 or len(second_words) < 2:
        return False
    first_surname, second_surname = first_words[-1], second_words[-1]
    surnames = first_surname == second_surname or first_surname in second_surname.split("-") \
        or second_surname in first_surname.split("-")
    given, other_given = first_words[0].rstrip("."), second_words[0].rstrip(".")
    given_names = given == other_given or (len(given) == 1 and other_given.startswith(given)) \
        or (len(other_given) == 1 and given.startswith(other_given))
    return surnames and given_names


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def _merged(current: list[dict[str, Any]], added: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    spans = {(entry.get("start_date"), entry.get("end_date")) for entry in current}
    new = [entry for entry in added if (entry["start_date"], entry["end_date"]) not in spans]
    return [*current, *new] if new else current


def _in_week_order(hours: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(hours, key=lambda rule: (WEEKDAYS.index(rule["day"]), rule["start"]))


def changes(*, before: Snapshot, after: Snapshot, schedule: ExtractedSchedule | None = None) -> dict[str, Any]:
    """What going from `before` to `after` does, for staff. With a document: a row per doctor it names
    (in its order), the doctors kept and deactivated; without (a restore): a row per changed doctor."""
    earlier = {entry["id"]: entry for entry in before}
    by_name = {bare_name(entry["name"]).casefold(): entry for entry in after}
    named: list[dict[str, Any]] = []
    if schedule is not None:
        for document_doctor in schedule.doctors:
            entry = by_name[document_doctor["bare_name"].casefold()]
            named.append(_row(earlier.get(entry["id"]), entry, document_doctor, schedule.warnings))
    named_ids = {row["id"] for row in named}
    kept, deactivated, others = [], [], []
    for entry in after:
        previous = earlier.get(entry["id"])
        if entry["id"] in named_ids and entry["id"] is not None:
            continue
        if previous is not None and previous["active"] and not entry["active"]:
            deactivated.append(_summary(entry))
        elif schedule is not None and previous is not None and entry["active"]:
            kept.append({**_summary(entry), "new_exceptions": _new_exceptions(previous, entry)})
        elif schedule is None and _state(previous) != _state(entry):
            others.append(_row(previous, entry, None, []))
    rows = named if schedule is not None else others
    return {
        "doctors": rows,
        "kept": kept,
        "deactivated": deactivated,
        "summary": {
            "added": [row["name"] for row in rows if row["change"] == "created"],
            "removed": [doctor["name"] for doctor in deactivated],
            "renamed": [{"id": row["id"], "from": row["previous_name"], "to": row["name"]} for row in rows
                        if row["change"] == "renamed"],
            "updated": [row["name"] for row in rows if row["change"] in ("updated", "reactivated")],
            "unchanged": [row["name"] for row in rows if row["change"] == "unchanged"],
        },
        "new_exceptions": [{"doctor_id": row.get("id"), "doctor": row["name"], **exception}
                           for row in [*rows, *kept] for exception in row["new_exceptions"]],
    }


def _row(previous: dict[str, Any] | None, entry: dict[str, Any], document_doctor: dict[str, Any] | None,
         warnings: list[dict[str, Any]]) -> dict[str, Any]:
    if previous is None:
        change = "created"
    elif bare_name(previous["name"]).casefold() != bare_name(entry["name"]).casefold():
        change = "renamed"
    elif not previous["active"] and entry["active"]:
        change = "reactivated"
    elif not entry["active"]:
        change = "deactivated"
    else:
        change = "unchanged" if _state(previous) == _state(entry) else "updated"
    before_hours = _by_day(previous["weekly_hours"] if previous and previous["active"] else [])
    after_hours = _by_day(entry["weekly_hours"] if entry["active"] else [])
    row: dict[str, Any] = {
        "id": entry["id"], "name": entry["name"], "active": entry["active"], "change": change,
        "department": entry["department"], "weekly_hours": entry["weekly_hours"], "exceptions": entry["exceptions"],
        "hours": [{"day": day, "before": before_hours.get(day, []), "after": after_hours.get(day, [])}
                  for day in WEEKDAYS if before_hours.get(day, []) != after_hours.get(day, [])],
        "new_exceptions": _new_exceptions(previous, entry),
    }
    if previous is not None and change == "renamed":
        row["previous_name"] = previous["name"]
    if previous is not None and previous["department"] != entry["department"]:
        row["department_before"] = previous["department"]
    if document_doctor is not None:
        unread = [warning for warning in warnings if warning.get("doctor") == document_doctor["name"]]
        written = {rule["day"] for rule in document_doctor["weekly_hours"]}
        row["unread_lines"] = unread
        row["kept_days"] = [day for day in document_doctor["unread_days"] if day not in written and day in after_hours]
    return row


def _state(entry: dict[str, Any] | None) -> tuple | None:
    if entry is None:
        return None
    return entry["name"], entry["department"], entry["weekly_hours"], entry["exceptions"], entry["active"]


def _summary(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "name": entry["name"], "active": entry["active"]}


def _by_day(hours: list[dict[str, str]]) -> dict[str, list[str]]:
    days: dict[str, list[str]] = {}
    for rule in hours:
        end = "24:00" if rule["end"] == "00:00" else rule["end"]
        days.setdefault(rule["day"], []).append(f"{rule['start']}-{end}")
    return days


def _new_exceptions(previous: dict[str, Any] | None, entry: dict[str, Any]) -> list[dict[str, Any]]:
    known = {(item.get("start_date"), item.get("end_date"), item.get("date")) for item in
             (previous["exceptions"] if previous else [])}
    return [item for item in entry["exceptions"]
            if (item.get("start_date"), item.get("end_date"), item.get("date")) not in known]
