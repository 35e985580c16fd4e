"""The static prompts of a clinic: every sentence callers hear that holds no patient detail and no
date, so it can be rendered once per clinic voice (`make tts-warm`) and kept under tts/static/.

The texts mirror the conversation code (shared/twiml.py, shared/conversation.py,
services/intent_handler/menu.py, services/booking_handler/booking.py and the /voice greeting in
services/twilio_handler/views.py). tests/tts/test_static_prompts.py plays a real booking call and
fails when a fixed sentence the caller hears is missing here, so a reworded prompt is caught.
"""

from __future__ import annotations

from typing import Any, Iterable

from shared.twiml import MENU_OPTIONS

FIXED_PROMPTS: tuple[str, ...] = (
    f"Sorry, I didn't catch that. {MENU_OPTIONS}",
    "I'm sorry, I didn't get that.",
    "I'm sorry, I'm having trouble understanding.",
    "I'm sorry, I couldn't find that doctor.",
    "Sorry, I didn't catch the day and time. Please say something like tomorrow at 10 AM.",
    "May I have your full name, please?",
    "Sorry, I didn't catch your name. Please say your full name.",
    "Sorry, could you say your full name again?",
    "And what is your home address?",
    "Sorry, I didn't catch that. Please say your street address.",
    "No problem, let's start again.",
    "To cancel an appointment, our staff will help you.",
    "To reschedule an appointment, our staff will help you.",
    "To check a doctor's availability, our staff will help you.",
)
PHONE_PROMPT = "Please enter your phone number followed by the pound key."
PHONE_INTROS = ("", "Thank you.", "Sorry, that didn't work.", "Sorry, that phone number doesn't look right.")
DOCTOR_INTROS = ("", "Sorry, I didn't catch which doctor.")
TIME_INTROS = ("", "{doctor} has no free times around then.", "I'm sorry, that time was just taken.",
               "I'm sorry, that time can no longer be booked.")


def greeting_menu(clinic: dict[str, Any]) -> str:
    """The first thing a caller hears: the clinic's greeting and the menu."""
    greeting = clinic.get("greeting") or f"Thank you for calling {clinic['name']}."
    return f"{greeting} {MENU_OPTIONS}"


def _doctor_question(intro: str, doctors: list[dict[str, Any]]) -> str:
    choices = "; ".join(
        f"press {index} for {doctor['name']}, {doctor['department']}" if doctor.get("department")
        else f"press {index} for {doctor['name']}"
        for index, doctor in enumerate(doctors, start=1)
    )
    return f"{intro} Which doctor would you like to see? Say the doctor's name, or {choices}.".strip()


def _time_questions(doctor_name: str) -> Iterable[str]:
    for intro in TIME_INTROS:
        lead = intro.format(doctor=doctor_name)
        yield f"{lead} When would you like to see {doctor_name}? You can say a day and time, like next Tuesday at 3 PM.".strip()


def static_prompts(clinic: dict[str, Any], doctors: list[dict[str, Any]]) -> list[str]:
    """Every static prompt of one clinic, without duplicates, greeting first."""
    farewell = f"We'll send you a text message to confirm. Thank you for calling {clinic['name']}. Goodbye."
    texts = [greeting_menu(clinic), *FIXED_PROMPTS, farewell]
    texts += [f"{intro} {PHONE_PROMPT}".strip() for intro in PHONE_INTROS]
    if doctors:
        texts += [_doctor_question(intro, doctors) for intro in DOCTOR_INTROS]
    for doctor in doctors:
        texts += list(_time_questions(doctor["name"]))
    return list(dict.fromkeys(texts))
