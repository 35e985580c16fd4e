"""The simulated caller's pace: by default a person hears the prompt (or, at a keypad menu, at least
half of it) and then answers in 1-3 s; a flat range is for stress and capacity runs."""

from __future__ import annotations

import random

import pytest

from tools.loadtest.callers import ThinkTime, listening_seconds
from tools.phone import Reply

MENU = ("Thank you for calling Riverside Family Clinic. To book an appointment, press 1 or say book. "
        "To cancel an appointment, press 2. To reschedule, press 3. To check a doctor's availability, "
        "press 4. To speak to our staff, press 5.")
NAME_QUESTION = "May I have your full name, please?"


def test_listening_time_follows_the_words_said_and_counts_audio_as_a_few_seconds():
    assert listening_seconds(Reply(prompts=[NAME_QUESTION])) == pytest.approx(7 / 2.5)
    assert listening_seconds(Reply(prompts=[MENU])) == pytest.approx(len(MENU.split()) / 2.5)
    assert listening_seconds(Reply(prompts=["[audio https://audio.example/a.wav]", NAME_QUESTION])) \
        == pytest.approx(4 + 7 / 2.5)


def test_a_caller_hears_a_question_whole_then_answers():
    rng = random.Random(7)
    reply = Reply(prompts=[NAME_QUESTION], gather={"input": "speech", "action": "/capture-user-name"})
    waits = [ThinkTime.parse("prompt").seconds(reply, rng) for _ in range(200)]
    assert min(waits) >= 7 / 2.5 + 1 and max(waits) <= 7 / 2.5 + 3


def test_a_caller_may_press_a_key_before_the_menu_ends():
    rng = random.Random(7)
    reply = Reply(prompts=[MENU], gather={"input": "dtmf speech", "action": "/process-selection"})
    full = len(MENU.split()) / 2.5
    waits = [ThinkTime.parse("prompt:0,0").seconds(reply, rng) for _ in range(200)]
    assert full / 2 <= min(waits) < 0.6 * full and 0.9 * full < max(waits) <= full


def test_flat_think_time_ignores_the_prompt():
    rng = random.Random(7)
    reply = Reply(prompts=[MENU], gather={"input": "dtmf", "action": "/process-selection"})
    assert ThinkTime.parse("0,0").seconds(reply, rng) == 0
    assert all(2 <= ThinkTime.parse("2,5").seconds(reply, rng) <= 5 for _ in range(100))
    assert ThinkTime.parse("2,5").describe() == "2-5 s flat per turn"


def test_malformed_think_time_is_refused_before_the_run(capsys):
    from tools.loadtest.__main__ import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--think", "soon"])
    assert "expected prompt" in capsys.readouterr().err
