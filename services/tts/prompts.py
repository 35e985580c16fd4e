"""The static prompts of a clinic: every sentence of the prompt catalogue (shared/prompts.py) that holds
no patient detail and no date once its fields are filled from the clinic and its doctors, so it can
be rendered once per clinic voice (`make tts-warm`) and kept under tts/static/.

tests/tts/test_static_prompts.py places real calls and fails when a fixed sentence a caller hears is
missing here.
"""

from __future__ import annotations

from typing import Any

from shared.dialogue.booking import doctor_choices, short_names
from shared.dialogue.engine import keys_list
from shared.dialogue.handover import emergency_number
from shared.dialogue.ports import Doctor
from shared.prompts import PROMPTS, WHISPER_REASONS

# Keys whose fields come only from the clinic (its name, horizon, slot length, country) or none at all.
CLINIC_KEYS = (
    "menu.question", "menu.retry", "menu.again", "goodbye", "time.question_group", "time.question_move",
    "time.retry", "time.past", "time.too_soon", "time.beyond_horizon", "time.off_grid", "time.just_taken",
    "time.gone", "slots.no_later", "name.question", "name.retry", "name.invalid", "phone.entry",
    "phone.entry_retry", "phone.invalid", "address.question", "address.retry", "booking.read_back_retry",
    "booking.change_what", "booking.start_over", "booking.farewell", "manage.none_for_caller",
    "manage.booking_phone", "manage.booking_phone_retry", "manage.none_for_number", "manage.cannot_change",
    "cancel.kept", "reschedule.kept", "no_slots.question", "no_slots.retry", "handover.trouble",
    "handover.connecting", "handover.no_staff_line", "handover.closed", "handover.no_answer",
    "handover.callback_number", "handover.callback_number_retry", "emergency",
)
# Keys with a doctor's name (or a group of doctors) as their only field.
DOCTOR_KEYS = ("doctor.confirm", "doctor.confirm_retry", "time.day_off", "time.taken", "time.none_near")


def _doctors(doctors: list[dict[str, Any]]) -> list[Doctor]:
    return [Doctor(id=item["id"], name=item["name"], department=item.get("department"),
                   aliases=tuple(item.get("aliases") or ())) for item in doctors]


def greeting(clinic: dict[str, Any]) -> str:
    """The first sentence a caller hears."""
    return clinic.get("greeting") or PROMPTS.render("greeting", clinic=clinic["name"]).text


def static_prompts(clinic: dict[str, Any], doctors: list[dict[str, Any]]) -> list[str]:
    """Every static prompt of one clinic, without duplicates, greeting first."""
    choices = _doctors(doctors)
    fields = {"clinic": clinic["name"], "days": clinic.get("horizon_days", 60),
              "minutes": clinic.get("slot_minutes", 30), "number": emergency_number(clinic.get("country", "US"))}
    texts = [greeting(clinic)] + [PROMPTS.render(key, **fields).text for key in CLINIC_KEYS]
    texts += [PROMPTS.render(f"whisper.{reason}").text for reason in WHISPER_REASONS]
    texts += [PROMPTS.render("slots.retry", keys=keys_list(count)).text for count in (1, 2, 3)]
    groups = ["none of our doctors", *{f"our {doctor.department} doctors" for doctor in choices if doctor.department}]
    for who in [doctor.name for doctor in choices] + groups:
        texts += [PROMPTS.render(key, doctor=who).text for key in DOCTOR_KEYS]
        texts.append(PROMPTS.render("no_slots.none", who=who, days=fields["days"]).text)
    texts += [PROMPTS.render("time.question", doctor=name).text for name in short_names(choices).values()]
    for doctor in choices:
        if doctor.department:
            texts.append(PROMPTS.render("doctor.of_department", doctor=doctor.name, department=doctor.department).text)
    if choices:
        texts.append(PROMPTS.render("doctor.question", choices=doctor_choices(choices, with_departments=True)).text)
        texts.append(PROMPTS.render("doctor.retry", keys=doctor_choices(choices, with_departments=False)).text)
    return list(dict.fromkeys(texts))
