"""The schedule vocabulary and parser on text lines, without PDFs: times, days, names, dates, years,
repeated headers and footers, and warnings."""

from __future__ import annotations

from datetime import date

import pytest

from services.knowledge_base.pdf_text import Fragment, Line
from services.knowledge_base.schedule_parser import ScheduleParser
from services.knowledge_base.schedule_text import WEEKDAYS, clock, find_doctor_name, parse_day_hours


def read(text: str) -> list[tuple[list[str], list[tuple[str, str]]]]:
    """Day groups of a text as (day names, ("HH:MM", "HH:MM") intervals)."""
    return [([WEEKDAYS[day] for day in days], [(clock(start), clock(end)) for start, end in intervals])
            for days, intervals in parse_day_hours(text).groups]


@pytest.mark.parametrize("text, expected", [
    ("Mon-Fri 9:00-17:00", [(["mon", "tue", "wed", "thu", "fri"], [("09:00", "17:00")])]),
    ("Mon, Wed & Fri 8am-12pm", [(["mon", "wed", "fri"], [("08:00", "12:00")])]),
    ("Weekdays 9am–noon", [(["mon", "tue", "wed", "thu", "fri"], [("09:00", "12:00")])]),
    ("Tues & Thurs 1pm to 6pm", [(["tue", "thu"], [("13:00", "18:00")])]),
    ("Tuesday: 9:00-12:30, 13:30-17:00", [(["tue"], [("09:00", "12:30"), ("13:30", "17:00")])]),
    ("Monday to Friday 9 a.m. — 5 p.m.", [(["mon", "tue", "wed", "thu", "fri"], [("09:00", "17:00")])]),
    ("Sat 9-1pm", [(["sat"], [("09:00", "13:00")])]),
    ("Thurs 1-5pm", [(["thu"], [("13:00", "17:00")])]),
    ("Fri–Mon 12 noon - 4pm", [(["fri", "sat", "sun", "mon"], [("12:00", "16:00")])]),
    ("Mon 9-12, Wed 14:00–18:00", [(["mon"], [("09:00", "12:00")]), (["wed"], [("14:00", "18:00")])]),
    ("9-5 Mon-Fri", [(["mon", "tue", "wed", "thu", "fri"], [("09:00", "17:00")])]),
    ("Wednesdays 07:30 – 11:15", [(["wed"], [("07:30", "11:15")])]),
])
def test_days_and_hours(text, expected):
    assert read(text) == expected


def test_impossible_times_are_flagged():
    assert parse_day_hours("Monday 25:00-26:00").bad_intervals == ["25:00-26:00"]
    assert parse_day_hours("Monday 5pm-9am").bad_intervals == ["5pm-9am"]


@pytest.mark.parametrize("text, bare", [
    ("Dr. Sarah Chen", "Sarah Chen"),
    ("Dr Sarah Chen", "Sarah Chen"),
    ("Doctor James Okafor (Pediatrics)", "James Okafor"),
    ("María José García-López, MD", "María José García-López"),
    ("Dr. Seán O'Brien, DDS", "Seán O'Brien"),
    ("Priya Patel DDS – Dentistry", "Priya Patel"),
    ("Dr. Jean-Luc van der Berg: Mon 9-5", "Jean-Luc van der Berg"),
    ("Dr. Chen on leave 24-28 December", "Chen"),
])
def test_doctor_names_and_titles(text, bare):
    assert find_doctor_name(text).bare == bare


def lines(page: int, *texts: str, top: float = 780.0) -> list[Line]:
    """One page of single-fragment lines, top to bottom."""
    return [Line(page, top - 14 * index, [Fragment(72.0, text)]) for index, text in enumerate(texts)]


def parse(*pages: list[Line], today: date = date(2026, 11, 22), known: tuple[str, ...] = ()):
    """Feed pages to a parser and finish it."""
    parser = ScheduleParser(today=today, known_names=known)
    for page in pages:
        parser.feed_page(page)
    return parser.finish()


def test_yearless_dates_take_their_next_occurrence():
    page = lines(1, "Dr. Sarah Chen", "Mon-Fri 9-5", "On leave 24-28 December", "Closed on January 1",
                 "Away 3 March to 5 March")
    in_november = parse(page, today=date(2026, 11, 22)).doctors[0]["exceptions"]
    assert [(item["start_date"], item["end_date"]) for item in in_november] == [
        ("2026-12-24", "2026-12-28"), ("2027-01-01", "2027-01-01"), ("2027-03-03", "2027-03-05")]
    def christmas_leave(today: date) -> str:
        exceptions = parse(page, today=today).doctors[0]["exceptions"]
        return next(item["start_date"] for item in exceptions if item["start_date"].endswith("-12-24"))

    assert christmas_leave(date(2026, 12, 29)) == "2027-12-24"
    assert christmas_leave(date(2026, 12, 26)) == "2026-12-24"  # still under way: this year's


def test_a_range_across_new_year_ends_the_next_year():
    page = lines(1, "Dr. Sarah Chen", "Mon-Fri 9-5", "Vacation 28 December - 3 January")
    [exception] = parse(page).doctors[0]["exceptions"]
    assert (exception["start_date"], exception["end_date"]) == ("2026-12-28", "2027-01-03")


def test_a_year_stated_in_a_header_applies_to_yearless_dates():
    page = lines(1, "Schedule for 2028", "Dr. Sarah Chen", "Mon-Fri 9-5", "Closed on July 4")
    assert parse(page).closures[0]["start_date"] == "2028-07-04"


def test_repeated_headers_footers_and_page_numbers_are_ignored():
    def page(number: int, *body: str) -> list[Line]:
        footer = [Line(number, 40, [Fragment(72, "Front desk Mon-Fri 8am-6pm")]),
                  Line(number, 28, [Fragment(290, f"Page {number} of 2")])]
        return lines(number, "Riverside Family Clinic", *body) + footer

    result = parse(page(1, "Dr. Sarah Chen", "Monday: 9-12"), page(2, "Tuesday: 13:00-17:00"))
    assert result.doctors[0]["weekly_hours"] == [{"day": "mon", "start": "09:00", "end": "12:00"},
                                                 {"day": "tue", "start": "13:00", "end": "17:00"}]
    assert result.warnings == []


def test_a_single_page_footer_with_hours_is_read_as_hours():
    # Known limit: with one page there is no repetition to recognise a footer by.
    result = parse(lines(1, "Dr. Sarah Chen", "Monday: 9-12", "Front desk Mon-Fri 8am-6pm"))
    assert len(result.doctors[0]["weekly_hours"]) == 5


def test_unreadable_schedule_lines_become_warnings_with_their_page():
    result = parse(lines(1, "Dr. Sarah Chen", "Monday: 9-12"),
                   lines(2, "Tuesday: after lunch until late", "Wednesday 25:00-26:00", "Parking behind the building"))
    assert [(warning["page"], warning["text"]) for warning in result.warnings] == [
        (2, "Tuesday: after lunch until late"), (2, "Wednesday 25:00-26:00")]


def test_leave_for_an_unknown_surname_is_a_warning():
    result = parse(lines(1, "Dr. Sarah Chen", "Mon 9-5", "Dr. Nobody on leave 3 March"))
    assert result.warnings[0]["reason"] == "no doctor named Nobody in this document"


def test_hours_before_any_doctor_are_a_warning():
    result = parse(lines(1, "Mon-Fri 9-5", "Dr. Sarah Chen", "Mon 9-5"))
    assert result.warnings[0]["reason"] == "hours without a doctor"


def test_table_rows_that_wrap_onto_a_second_line_are_joined():
    header = Line(1, 700, [Fragment(30, "Doctor"), Fragment(170, "Department"), Fragment(300, "Days"),
                           Fragment(430, "Hours")])
    row = Line(1, 680, [Fragment(30, "Dr. Sarah Chen"), Fragment(170, "General"), Fragment(300, "Mon, Wed &"),
                        Fragment(430, "9:00-12:00,")])
    wrapped = Line(1, 668, [Fragment(170, "Practice"), Fragment(300, "Fri"), Fragment(430, "13:00-17:00")])
    [doctor] = parse([header, row, wrapped]).doctors
    assert doctor["department"] == "General Practice"
    assert [(hours["day"], hours["start"]) for hours in doctor["weekly_hours"]] == [
        ("mon", "09:00"), ("mon", "13:00"), ("wed", "09:00"), ("wed", "13:00"), ("fri", "09:00"), ("fri", "13:00")]


def test_surname_only_mentions_merge_into_the_full_name():
    result = parse(lines(1, "Dr. Sarah Chen — General Practice", "Mon 9-12", "MONDAY", "Dr. Chen 13:00-17:00"))
    assert [doctor["name"] for doctor in result.doctors] == ["Dr. Sarah Chen"]
    assert result.doctors[0]["weekly_hours"] == [{"day": "mon", "start": "09:00", "end": "12:00"},
                                                 {"day": "mon", "start": "13:00", "end": "17:00"}]


def test_a_doctor_and_hours_table_under_each_weekday_heading():
    def table(y: float, *rows: tuple[str, str]) -> list[Line]:
        header = Line(1, y, [Fragment(30, "Doctor"), Fragment(300, "Hours")])
        return [header, *(Line(1, y - 14 * (index + 1), [Fragment(30, name), Fragment(300, hours)])
                          for index, (name, hours) in enumerate(rows))]

    page = [Line(1, 760, [Fragment(30, "Monday")]), *table(740, ("Dr. Sarah Chen", "9-5"), ("Dr. Tom Becker", "8-12")),
            Line(1, 680, [Fragment(30, "Tuesday")]), *table(660, ("Dr. Sarah Chen", "13:00-17:00"))]
    result = parse(page)
    assert [(doctor["name"], [(hours["day"], hours["start"], hours["end"]) for hours in doctor["weekly_hours"]])
            for doctor in result.doctors] == [
        ("Dr. Sarah Chen", [("mon", "09:00", "17:00"), ("tue", "13:00", "17:00")]),
        ("Dr. Tom Becker", [("mon", "08:00", "12:00")]),
    ]
    assert result.warnings == []


def test_leave_by_part_of_a_hyphenated_surname():
    result = parse(lines(1, "Dr. Amélie Dubois-Laurent", "Mon 9-5", "Dr. Dubois away 3 March 2027"))
    assert result.doctors[0]["exceptions"][0]["start_date"] == "2027-03-03"


def test_a_table_heading_repeated_at_the_top_of_every_page_still_defines_the_columns():
    def page(number: int, name: str, department: str) -> list[Line]:
        return [Line(number, 760, [Fragment(30, "Doctor"), Fragment(170, "Department"), Fragment(300, "Days"),
                                   Fragment(430, "Hours")]),
                Line(number, 740, [Fragment(30, name), Fragment(170, department), Fragment(300, "Mon-Fri"),
                                   Fragment(430, "9-5")])]

    result = parse(page(1, "Sarah Chen", "General Practice"), page(2, "Tom Becker", "Orthodontics"))
    assert [(doctor["name"], doctor["department"]) for doctor in result.doctors] == [
        ("Dr. Sarah Chen", "General Practice"), ("Dr. Tom Becker", "Orthodontics")]


@pytest.mark.parametrize("text, expected", [
    ("Mon 9-12 / 1-5", [(["mon"], [("09:00", "12:00"), ("13:00", "17:00")])]),
    ("Tue 08.00-12.30, 13.30-17.00", [(["tue"], [("08:00", "12:30"), ("13:30", "17:00")])]),
    ("Wed 16:00-midnight", [(["wed"], [("16:00", "00:00")])]),
    ("Sat noon-midnight", [(["sat"], [("12:00", "00:00")])]),
    ("Fri 08.00-noon", [(["fri"], [("08:00", "12:00")])]),
    ("Thu 1-5", [(["thu"], [("13:00", "17:00")])]),  # a clinic's afternoon, not the small hours
])
def test_split_shifts_dots_noon_and_midnight(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("cell, shifts, readable", [
    ("OFF", [], True), ("Closed", [], True), ("-", [], True), ("", [], True), ("n/a", [], True),
    ("9-12 / 1-5", [(540, 720), (780, 1020)], True),
    ("08:00-12:30, 13:30-17:00", [(480, 750), (810, 1020)], True),
    ("9ish", [], False), ("Leave", [], False), ("9-5 (room 2)", [(540, 1020)], False),
])
def test_grid_cells(cell, shifts, readable):
    from services.knowledge_base.schedule_text import read_cell_hours

    assert read_cell_hours(cell) == (shifts, readable)


@pytest.mark.parametrize("text, days", [
    ("closed on 25 and 28 December", [(12, 25), (12, 28)]),
    ("closed 24, 25 and 26 December 2026", [(12, 24), (12, 25), (12, 26)]),
    ("closed on December 25 and January 1", [(12, 25), (1, 1)]),
    ("bank holidays: 1 January, 6 April", [(1, 1), (4, 6)]),
])
def test_lists_of_dates(text, days):
    from services.knowledge_base.schedule_text import find_dates

    assert [(found.start_month, found.start_day) for found in find_dates(text)[0]] == days


def test_sentences_are_not_cut_after_a_title_or_an_initial():
    from services.knowledge_base.schedule_text import sentences

    assert sentences("Closed on 1 January. Dr. A. Kowalski is away 3-5 May; Dr. Chen on 8 June.") == [
        "Closed on 1 January.", "Dr. A. Kowalski is away 3-5 May;", "Dr. Chen on 8 June."]


def test_a_closure_notice_with_times_is_never_a_doctors_hours():
    result = parse(lines(1, "Dr. Sarah Chen", "Monday: 9-5", "The clinic closes for lunch 12:30-13:30 on Wednesdays",
                         "Mon-Thu 9-5, closed Fridays"))
    assert [(hours["day"], hours["start"]) for hours in result.doctors[0]["weekly_hours"]] == [
        ("mon", "09:00"), ("tue", "09:00"), ("wed", "09:00"), ("thu", "09:00")]
    assert [warning["reason"] for warning in result.warnings] == [
        "times in a closure notice are not read as anyone's hours"]


def test_notes_in_prose_wrapped_over_lines_give_closures_and_each_doctors_leave():
    result = parse(lines(1, "Dr. Anna Kowalski", "Mon 9-5", "Dr. Ben Okoro", "Tue 9-5",
                         "Notes: the office is closed on December 25 and January 1. Dr. Kowalski is",
                         "away January 11-15, 2027, and Dr. Okoro is on leave",
                         "3-7 May 2027."), today=date(2026, 11, 22))
    kowalski, okoro = result.doctors
    # The year written in the notes (2027) is the document's year for dates written without one.
    assert [closure["start_date"] for closure in result.closures] == ["2027-01-01", "2027-12-25"]
    assert [(item["start_date"], item["end_date"]) for item in kowalski["exceptions"]] == [
        ("2027-01-01", "2027-01-01"), ("2027-01-11", "2027-01-15"), ("2027-12-25", "2027-12-25")]
    assert ("2027-05-03", "2027-05-07") in [(item["start_date"], item["end_date"]) for item in okoro["exceptions"]]
    assert result.warnings == []


def grid(*rows: tuple[float, list[tuple[float, str]]], top: float = 700) -> list[Line]:
    """Lines of an unruled table: (y offset, [(x, text), ...]) each."""
    return [Line(1, top - offset, [Fragment(x, text) for x, text in fragments]) for offset, fragments in rows]


def test_a_weekday_grid_with_multi_line_provider_cells():
    header = [(30, "Clinician"), (170, "Role"), (260, "Monday"), (330, "Tuesday"), (400, "Wednesday"), (470, "Sat")]
    page = grid(
        (0, header),
        (14, [(30, "Dr. Clara Nguyen-"), (170, "Obstetrics &"), (260, "08:00-12:30"), (330, "OFF"), (400, "9ish"),
              (470, "9am-noon")]),
        (26, [(30, "Whitfield"), (170, "Gynecology"), (260, "13:30-17:00")]),
        (38, [(30, "MD, FACOG")]),
        (52, [(30, "Dr. Ben Okoro"), (170, "Ear/Nose/Throat"), (260, "9-12 / 1-5"), (330, "Closed"), (400, "-")]),
    )
    result = parse(page)
    [nguyen, okoro] = result.doctors
    assert (nguyen["name"], nguyen["department"]) == ("Dr. Clara Nguyen-Whitfield", "Obstetrics & Gynecology")
    assert [(hours["day"], hours["start"], hours["end"]) for hours in nguyen["weekly_hours"]] == [
        ("mon", "08:00", "12:30"), ("mon", "13:30", "17:00"), ("sat", "09:00", "12:00")]
    assert nguyen["unread_days"] == ["wed"]
    assert [(warning["doctor"], warning["days"]) for warning in result.warnings] == [
        ("Dr. Clara Nguyen-Whitfield", ["wed"])]
    assert (okoro["department"], [hours["start"] for hours in okoro["weekly_hours"]]) == (
        "Ear/Nose/Throat", ["09:00", "13:00"])


def test_day_rows_with_the_department_under_each_doctors_name():
    page = grid(
        (0, [(30, "Day"), (150, "Dr. Anna Nowak"), (300, "Dr. Dev Rao")]),
        (12, [(150, "Cardiology"), (300, "Urgent Care")]),
        (26, [(30, "Monday"), (150, "08.00-12.00"), (300, "16:00-midnight")]),
        (40, [(30, "Tuesday"), (150, "08.00-12.00"), (300, "OFF")]),
        (52, [(150, "13.00-17.00")]),
        (66, [(30, "Sunday"), (300, "noon-midnight")]),
    )
    nowak, rao = parse(page).doctors
    assert (nowak["department"], rao["department"]) == ("Cardiology", "Urgent Care")
    assert [(hours["day"], hours["start"], hours["end"]) for hours in nowak["weekly_hours"]] == [
        ("mon", "08:00", "12:00"), ("tue", "08:00", "12:00"), ("tue", "13:00", "17:00")]
    assert [(hours["day"], hours["start"], hours["end"]) for hours in rao["weekly_hours"]] == [
        ("mon", "16:00", "00:00"), ("sun", "12:00", "00:00")]


def test_a_ruled_row_is_one_row_whatever_the_order_of_its_lines():
    """Bottom-aligned cells put a split shift's first line above the doctor's name: the drawn borders
    still keep them in one row."""
    edges = (20.0, 160.0, 250.0, 290.0, 360.0)

    def ruled(y: float, top: float, *fragments: tuple[float, str]) -> Line:
        return Line(1, y, [Fragment(x, text) for x, text in fragments], row_top=top, column_edges=edges)

    page = [ruled(700, 710, (30, "Provider"), (170, "Monday"), (260, "Tuesday"), (300, "Wednesday")),
            ruled(680, 690, (170, "08:00-12:00")),
            ruled(668, 690, (30, "Dr. Sarah Chen"), (170, "13:00-17:00"), (260, "OFF"), (300, "9-5")),
            ruled(650, 660, (30, "Dr. Tom Becker"), (170, "10:00-14:00"))]
    chen, becker = parse(page).doctors
    assert [(hours["day"], hours["start"]) for hours in chen["weekly_hours"]] == [
        ("mon", "08:00"), ("mon", "13:00"), ("wed", "09:00")]
    assert [(hours["day"], hours["start"]) for hours in becker["weekly_hours"]] == [("mon", "10:00")]


def test_a_name_cell_with_the_department_after_the_name_starts_its_own_row():
    page = grid(
        (0, [(30, "Doctor"), (220, "Days"), (320, "Hours")]),
        (14, [(30, "Dr. Sarah Chen, Cardiology"), (220, "Mon-Fri"), (320, "9-5")]),
        (28, [(30, "Dr. Tom Becker, Family Medicine"), (220, "Mon"), (320, "8-12")]),
    )
    assert [(doctor["name"], doctor["department"], len(doctor["weekly_hours"])) for doctor in parse(page).doctors] == [
        ("Dr. Sarah Chen", "Cardiology", 5), ("Dr. Tom Becker", "Family Medicine", 1)]
