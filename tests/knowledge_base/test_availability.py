"""GET /kb/doctors/<id>/availability: weekly hours and exceptions as concrete intervals, DST-correct."""

from __future__ import annotations

from services.knowledge_base.availability import expand
from tools import make_sample_schedules as samples


def test_expansion_across_the_spring_forward_change(kb):
    # Riverside is in America/New_York; DST starts on Sunday 14 March 2027.
    body = kb.get("/kb/doctors/1/availability", query_string={"from": "2027-03-12", "to": "2027-03-16"}).get_json()
    assert (body["timezone"], body["from"], body["to"]) == ("America/New_York", "2027-03-12", "2027-03-16")
    assert [(item["date"], item["start"], item["end"], item["start_utc"]) for item in body["intervals"]] == [
        ("2027-03-12", "2027-03-12T09:00:00-05:00", "2027-03-12T17:00:00-05:00", "2027-03-12T14:00:00+00:00"),
        ("2027-03-15", "2027-03-15T09:00:00-04:00", "2027-03-15T17:00:00-04:00", "2027-03-15T13:00:00+00:00"),
        ("2027-03-16", "2027-03-16T09:00:00-04:00", "2027-03-16T17:00:00-04:00", "2027-03-16T13:00:00+00:00"),
    ]
    assert all(item["minutes"] == 480 for item in body["intervals"])


def test_intervals_spanning_the_change_have_their_real_length():
    night = [{"day": "sun", "start": "01:00", "end": "04:00"}]
    spring = expand(night, [], "America/New_York", date_of("2027-03-14"), date_of("2027-03-14"))
    autumn = expand(night, [], "America/New_York", date_of("2027-11-07"), date_of("2027-11-07"))
    assert (spring[0]["start"], spring[0]["end"], spring[0]["minutes"]) == (
        "2027-03-14T01:00:00-05:00", "2027-03-14T04:00:00-04:00", 120)
    assert (autumn[0]["start"], autumn[0]["end"], autumn[0]["minutes"]) == (
        "2027-11-07T01:00:00-04:00", "2027-11-07T04:00:00-05:00", 240)
    gap = expand([{"day": "sun", "start": "02:30", "end": "05:00"}], [], "America/New_York",
                 date_of("2027-03-14"), date_of("2027-03-14"))
    assert gap[0]["start"] == "2027-03-14T03:30:00-04:00"  # 02:30 does not exist that night


def date_of(text: str):
    """A date from ISO text."""
    from datetime import date

    return date.fromisoformat(text)


def test_exceptions_remove_days_from_the_expansion(kb):
    pdf = samples.SchedulePdf()
    pdf.add_page()
    pdf.schedule_table([("Dr. Sarah Chen", "General Practice", "Mon-Fri", "9:00-17:00")])
    pdf.text_line("Dr. Chen on leave 24-28 December 2027")
    pdf.text_line("Closed on January 3, 2028")
    assert kb.upload(pdf.to_bytes(), "riverside").status_code == 201
    body = kb.get("/kb/doctors/1/availability", query_string={"from": "2027-12-20", "to": "2028-01-04"}).get_json()
    assert [item["date"] for item in body["intervals"]] == [
        "2027-12-20", "2027-12-21", "2027-12-22", "2027-12-23", "2027-12-29", "2027-12-30",
        "2027-12-31", "2028-01-04"]


def test_harbor_dental_uses_its_own_timezone(kb):
    body = kb.get("/kb/doctors/5/availability", query_string={"from": "2027-07-02", "to": "2027-07-02"}).get_json()
    assert body["intervals"] == [{"date": "2027-07-02", "start": "2027-07-02T09:00:00-07:00",
                                  "end": "2027-07-02T15:00:00-07:00", "start_utc": "2027-07-02T16:00:00+00:00",
                                  "end_utc": "2027-07-02T22:00:00+00:00", "minutes": 360}]


def test_default_range_is_the_coming_week(kb):
    body = kb.get("/kb/doctors/1/availability").get_json()
    from datetime import date

    assert (date.fromisoformat(body["to"]) - date.fromisoformat(body["from"])).days == 6
    assert len(body["intervals"]) == 5


def test_bad_ranges_and_unknown_doctors(kb):
    reversed_range = kb.get("/kb/doctors/1/availability", query_string={"from": "2027-03-12", "to": "2027-03-01"})
    assert reversed_range.status_code == 422
    not_a_date = kb.get("/kb/doctors/1/availability", query_string={"from": "next week"})
    assert not_a_date.status_code == 422 and "from" in not_a_date.get_json()["fields"]
    too_long = kb.get("/kb/doctors/1/availability", query_string={"from": "2027-01-01", "to": "2028-01-01"})
    assert too_long.status_code == 422 and too_long.get_json()["error"] == "range_too_long"
    assert kb.get("/kb/doctors/999/availability").status_code == 404
    assert kb.http.get("/kb/doctors/1/availability").status_code == 401


def test_a_deactivated_doctor_has_no_availability(kb):
    pdf = samples.SchedulePdf()
    pdf.add_page()
    pdf.schedule_table([("Dr. Sarah Chen", "General Practice", "Mon-Fri", "9:00-17:00")])
    kb.upload(pdf.to_bytes(), "riverside", replace=True)
    body = kb.get("/kb/doctors/2/availability", query_string={"from": "2027-03-01", "to": "2027-03-07"}).get_json()
    assert body["active"] is False and body["intervals"] == []
