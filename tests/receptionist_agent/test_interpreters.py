"""Intent, yes/no, doctor, name and phone interpreters on the forms callers use."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.receptionist_agent.doctor_match import interpret_doctor
from services.receptionist_agent.intents import interpret_intent, interpret_yes_no
from services.receptionist_agent.interpret import interpret
from services.receptionist_agent.names import interpret_name
from services.receptionist_agent.phone import interpret_phone

RIVERSIDE = [
    {"id": "chen", "name": "Dr. Sarah Chen", "aliases": ["Doctor Chen", "Sarah Chen", "Chen", "Sarah"]},
    {"id": "okafor", "name": "Dr. James Okafor", "aliases": ["Doctor Okafor", "James Okafor", "Okafor", "James"]},
    {"id": "lopez", "name": "Dr. Maria Lopez", "aliases": ["Doctor Lopez", "Maria Lopez", "Lopez", "Maria"]},
]


@pytest.mark.parametrize(("text", "intent"), [
    ("I need to move my appointment", "reschedule"), ("can I see someone on Friday", "availability"),
    ("let me talk to a person", "staff"), ("I'd like to book an appointment", "book"),
    ("I can't make it tomorrow", "cancel"), ("cancel and book a new time", "reschedule"), ("option two", "cancel"),
    ("when is doctor Chen available", "availability"), ("I want to see a doctor", "book"),
])
def test_intent(text, intent):
    assert interpret_intent(text)["value"] == intent


def test_intent_unknown_has_a_reason():
    answer = interpret_intent("what's the weather like")
    assert answer["value"] is None and answer["reason"]


@pytest.mark.parametrize(("text", "value"), [
    ("yeah", True), ("that's right", True), ("correct", True), ("no problem", True), ("uh huh", True),
    ("nope", False), ("no thanks", False), ("wrong", False), ("that's not right", False), ("absolutely not", False),
    ("I'm not sure", None), ("six one seven five five five", None),
])
def test_yes_no(text, value):
    assert interpret_yes_no(text)["value"] is value


@pytest.mark.parametrize(("text", "doctor_id"), [
    ("doctor chan", "chen"), ("doctor oak afar", "okafor"), ("I'd like to see Dr. Chen please", "chen"),
    ("Sarah", "chen"), ("doctor low pez", "lopez"), ("whoever is free", "any"), ("first available", "any"),
    ("the second one", "okafor"), ("doctor smith", None),
])
def test_doctor(text, doctor_id):
    assert interpret_doctor(text, RIVERSIDE)["value"] == doctor_id


def test_doctor_confidence_drops_when_two_doctors_are_close():
    close = [{"id": "chen", "name": "Dr. Wei Chen", "aliases": []},
             {"id": "chan", "name": "Dr. Lucy Chan", "aliases": []}]
    alone = interpret_doctor("doctor chan", RIVERSIDE)
    crowded = interpret_doctor("doctor chan", close)
    assert alone["value"] == "chen" and alone["confidence"] >= 0.9
    assert crowded["value"] == "chan" and crowded["confidence"] < alone["confidence"]
    assert [item["value"] for item in crowded["alternatives"]] == ["chen"]


def test_sound_alike_names_are_accepted_with_low_confidence():
    answer = interpret_doctor("doctor murray", RIVERSIDE)
    assert answer["value"] in (None, "lopez")
    assert answer.get("confidence", 0) <= 0.7


@pytest.mark.parametrize(("text", "name"), [
    ("my name is uh john o'brien", "John O'Brien"), ("it's mary-jane mcdonald", "Mary-Jane McDonald"),
    ("JOSÉ GARCÍA", "José García"), ("Ludwig van Beethoven", "Ludwig van Beethoven"),
    ("um, yeah, it's Anne-Marie Dubois.", "Anne-Marie Dubois"), ("John Smith, S-M-I-T-H", "John Smith"),
    ("I'm calling for my son, Tommy Jones", "Tommy Jones"), ("sean macdonald jr", "Sean MacDonald Jr."),
])
def test_name(text, name):
    assert interpret_name(text)["value"] == name


@pytest.mark.parametrize("text", ["I don't know", "one two three", "um", "I want to book an appointment"])
def test_not_a_name(text):
    answer = interpret_name(text)
    assert answer["value"] is None and answer["reason"]


@pytest.mark.parametrize(("text", "region", "phone"), [
    ("six one seven, five five five, zero one two three", "US", "+16175550123"),
    ("six one seven five five five oh one two three", "US", "+16175550123"),
    ("six one seven double five five oh one two three", "US", "+16175550123"),
    ("six one seven triple five zero one two three", "US", "+16175550123"),
    ("plus one 617 555 0123", "US", "+16175550123"),
    ("one six one seven five five five zero one two three", "US", "+16175550123"),
    ("eight hundred five five five twelve thirty four", "US", "+18005551234"),
    ("oh seven nine one one, one two three, four five six", "GB", "+447911123456"),
    ("plus forty four seven nine one one one two three four five six", "US", "+447911123456"),
])
def test_phone(text, region, phone):
    assert interpret_phone(text, region=region)["value"] == phone


def test_phone_without_area_code_says_so():
    assert interpret_phone("five five five oh one two three")["reason"] == "the area code is missing"


def test_empty_text_is_not_understood():
    for kind in ("intent", "yes_no", "doctor", "datetime", "name", "phone"):
        answer = interpret(kind, "  ", timezone="UTC", doctors=RIVERSIDE)
        assert answer["value"] is None and answer["reason"]


SPOKEN_BITS = ("at on the of in next this last tomorrow today monday friday december may 1 2 3 12 25 31 45 930 2027 "
               "1st 2nd 45th first twenty thirty oh double triple plus half quarter past to noon am pm o'clock "
               "morning week days from after yes no not doctor chen okafor any whoever my name is it's uh - , . : "
               "12/2 2026-02-30 10:30 25:00 0 00 é").split()


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(("intent", "yes_no", "doctor", "datetime", "name", "phone")),
       words=st.lists(st.sampled_from(SPOKEN_BITS), max_size=8), noise=st.text(max_size=6))
def test_any_words_give_a_value_with_confidence_or_a_reason(kind, words, noise):
    answer = interpret(kind, " ".join(words) + noise, timezone="America/New_York", doctors=RIVERSIDE,
                       now=datetime.fromisoformat("2026-11-22T15:04:00-05:00"), region="US")
    if answer["value"] is None:
        assert isinstance(answer["reason"], str) and answer["reason"]
    else:
        assert 0.0 <= answer["confidence"] <= 1.0
