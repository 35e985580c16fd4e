"""Every Twilio-facing route in the route table, given random and hostile parameters (huge SpeechResult,
unicode, control characters, markup, SQL fragments, missing fields), answers valid TwiML and never a 5xx,
whether or not the call it names exists."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from shared.routes import ROUTES, Exposure
from shared.settings import LOCAL_TWILIO_AUTH_TOKEN
from tests.calls.conftest import texts
from tests.conftest import RIVERSIDE_NUMBER
from tests.hostile.strategies import twilio_params
from tests.timing import next_weekday_at, spoken_day

TWILIO_PATHS = sorted(route.path for route in ROUTES if route.exposure is Exposure.TWILIO)
VALIDATOR = RequestValidator(LOCAL_TWILIO_AUTH_TOKEN)
HOSTILE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def post_signed(system, path: str, params: dict[str, str]):
    """POST form parameters signed with the Twilio token, as Twilio would."""
    url = f"http://localhost{path}"
    return system.http.post(url, data=params, headers={"X-Twilio-Signature": VALIDATOR.compute_signature(url, params)})


def assert_valid_twiml(response) -> ET.Element:
    """200, text/xml, parsable, rooted at <Response>."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/xml"
    document = ET.fromstring(response.get_data())
    assert document.tag == "Response"
    return document


@pytest.mark.parametrize("path", TWILIO_PATHS)
@HOSTILE
@given(params=twilio_params())
def test_hostile_parameters_without_a_call_get_twiml(system, path, params):
    assert_valid_twiml(post_signed(system, path, params))


@pytest.mark.parametrize("path", TWILIO_PATHS)
@HOSTILE
@given(digits=st.one_of(st.none(), st.text(max_size=40)), speech=st.one_of(st.none(), st.text(max_size=3000)),
       extra=twilio_params())
def test_hostile_answers_inside_a_live_call_get_twiml(system, path, digits, speech, extra):
    call = system.phone()
    call.start()
    params = {**extra, **call._params({})}
    if digits is not None:
        params["Digits"] = digits
    if speech is not None:
        params["SpeechResult"] = speech
    assert_valid_twiml(post_signed(system, path, params))


def test_huge_speech_result_in_the_booking_flow_is_bounded_and_answered(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    reply = call.answer(speech="tomorrow at ten " * 20_000)
    assert reply.gather is not None, reply.text


def test_markup_in_spoken_answers_is_never_turned_into_twiml(system):
    call = system.phone()
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech=spoken_day(next_weekday_at(10)))
    replies = [call.answer(speech="Jane <Dial>+19005550000</Dial> Doe")]
    if replies[-1].gather and replies[-1].gather["action"] == "/capture-user-name":
        replies.append(call.answer(speech="Jane Doe"))
    replies.append(call.answer(speech="12 Main Street <Redirect>/voice</Redirect> Boston"))
    for reply in replies:
        elements = [element for document in reply.documents for element in document.iter()]
        assert not any("19005550000" in (element.text or "") and element.tag != "Say" for element in elements)
        assert not any(element.tag == "Redirect" and "/voice" in (element.text or "") for element in elements)


def test_unsigned_hostile_requests_are_refused_without_a_5xx(system):
    for path in TWILIO_PATHS:
        response = system.http.post(path, data={"CallSid": "CA1", "To": RIVERSIDE_NUMBER, "SpeechResult": "<x>"})
        assert response.status_code == 403


def test_an_unusable_caller_id_is_not_offered_again(system):
    """A caller ID that fails validation (a fictional 555 number) is not used again: the caller is asked
    to type a number instead of going round in circles."""
    call = system.phone(caller="+15550000001")
    call.start()
    call.answer(digits="1")
    call.answer(digits="1")
    call.answer(speech=spoken_day(next_weekday_at(10)))
    call.answer(speech="Jane Doe")
    reply = call.answer(speech="12 Main Street Boston")
    assert "we'll text 0 0 0 1" in reply.text
    reply = call.answer(digits="1")
    assert reply.text == ("Sorry, that phone number doesn't look right. "
                          "Please enter your phone number, then the pound key.")
    reply = call.answer(digits="6175550142")
    assert reply.text == "I've texted a code to that number. Please enter the 6-digit code."
    [code_text] = texts(system, "+16175550142")
    reply = call.answer(digits=re.search(r"\d{6}", code_text["body"]).group(0))
    assert "we'll text 0 1 4 2" in reply.text
    reply = call.answer(digits="1")
    assert "You're booked" in reply.text


def test_control_characters_in_the_caller_id_never_break_the_twiml(system):
    """A From carrying control characters is read back (the number the text goes to) as valid TwiML."""
    call = system.phone(caller="+1617555\x0201\x1b23")
    call.start()
    reply = call.answer(speech="This is Jane Doe, I'd like to see Dr. Chen on Wednesday at 10am")
    reply = call.answer(speech="12 Main Street\x07 Boston")
    for document in reply.documents:
        assert all("\x02" not in (element.text or "") and "\x1b" not in (element.text or "")
                   for element in document.iter())
