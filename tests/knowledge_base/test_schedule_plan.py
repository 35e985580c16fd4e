"""Planning an upload without a database: who is matched, renamed, added, kept or deactivated, and a
weekday the document could not read keeps its current hours."""

from __future__ import annotations

from typing import Any

from services.knowledge_base.schedule_parser import ExtractedSchedule
from services.knowledge_base.schedule_plan import changes, plan_upload

NINE_TO_FIVE = [{"day": day, "start": "09:00", "end": "17:00"} for day in ("mon", "tue", "wed", "thu", "fri")]
MORNINGS = [{"day": day, "start": "08:00", "end": "12:00"} for day in ("mon", "tue")]


def stored(doctor_id: int, name: str, hours=NINE_TO_FIVE, active: bool = True) -> dict[str, Any]:
    return {"id": doctor_id, "name": name, "department": "General Practice", "aliases": [name],
            "weekly_hours": hours, "exceptions": [], "active": active}


def written(bare: str, hours=MORNINGS, unread_days: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"name": f"Dr. {bare}", "bare_name": bare, "department": None, "weekly_hours": hours, "exceptions": [],
            "unread_days": list(unread_days), "unread_lines": len(unread_days)}


def schedule(*doctors: dict[str, Any], closures: list[dict[str, str]] | None = None) -> ExtractedSchedule:
    return ExtractedSchedule(list(doctors), closures or [], [], None)


def test_a_recognisable_new_spelling_is_a_rename_that_keeps_the_doctor():
    current = [stored(1, "Dr. Maria Lopez"), stored(2, "Dr. Sarah Chen")]
    target = plan_upload(current=current, schedule=schedule(written("Maria Lopez-Garcia"), written("S. Chen")),
                         replace=False)
    assert [(entry["id"], entry["name"]) for entry in target] == [(1, "Dr. Maria Lopez-Garcia"), (2, "Dr. S. Chen")]
    assert "Lopez-Garcia" in target[0]["aliases"]
    report = changes(before=current, after=target, schedule=schedule(written("Maria Lopez-Garcia"), written("S. Chen")))
    assert [item["to"] for item in report["summary"]["renamed"]] == ["Dr. Maria Lopez-Garcia", "Dr. S. Chen"]


def test_no_rename_when_the_match_is_not_one_to_one():
    current = [stored(1, "Dr. Anna Kim"), stored(2, "Dr. Alex Kim")]
    target = plan_upload(current=current, schedule=schedule(written("A. Kim")), replace=False)
    assert [(entry["id"], entry["name"]) for entry in target] == [(1, "Dr. Anna Kim"), (2, "Dr. Alex Kim"),
                                                                  (None, "Dr. A. Kim")]
    other = plan_upload(current=[stored(1, "Dr. Anna Kim")], schedule=schedule(written("Daniel Kim")), replace=False)
    assert [entry["id"] for entry in other] == [1, None]  # same surname, another person


def test_a_day_the_document_could_not_read_keeps_its_hours():
    target = plan_upload(current=[stored(1, "Dr. Sarah Chen")],
                         schedule=schedule(written("Sarah Chen", unread_days=("fri",))), replace=False)
    assert target[0]["weekly_hours"] == [*MORNINGS, {"day": "fri", "start": "09:00", "end": "17:00"}]


def test_doctors_left_out_are_kept_with_the_closures_or_deactivated_with_replace():
    closure = {"start_date": "2026-12-25", "end_date": "2026-12-25", "reason": "Closed on 25 December"}
    current = [stored(1, "Dr. Sarah Chen"), stored(2, "Dr. Tom Becker"), stored(3, "Dr. Old Hand", active=False)]
    kept = plan_upload(current=current, schedule=schedule(written("Sarah Chen"), closures=[closure]), replace=False)
    assert kept[1]["active"] and kept[1]["exceptions"] == [closure] and kept[2]["exceptions"] == []
    replaced = plan_upload(current=current, schedule=schedule(written("Sarah Chen")), replace=True)
    assert [entry["active"] for entry in replaced] == [True, False, False]
    report = changes(before=current, after=replaced, schedule=schedule(written("Sarah Chen")))
    assert report["summary"]["removed"] == ["Dr. Tom Becker"]
    assert report["doctors"][0]["hours"][0] == {"day": "mon", "before": ["09:00-17:00"], "after": ["08:00-12:00"]}
