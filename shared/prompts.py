"""Every sentence a caller (or the staff member taking a transfer) hears, in one catalogue per language.

A prompt is a template with named fields. Those marked `patient_data` carry a name, an address or
phone digits: they are spoken with Twilio's own voice unless the clinic allows its voice vendor to
hear patient data. The tts service pre-renders the rest per clinic (`static_prompts`), so the texts
here are the only copy: change a sentence here and callers, the cache warm-up and the tests follow.

Languages fall back to English for any prompt they do not have yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_LANGUAGE = "en"
# The language Twilio's speech recognition listens for, per catalogue language.
SPEECH_LANGUAGES = {"en": "en-US", "es": "es-US"}


@dataclass(frozen=True)
class Prompt:
    """One sentence template."""

    text: str
    patient_data: bool = False


@dataclass(frozen=True)
class Spoken:
    """A sentence ready to be said."""

    text: str
    patient_data: bool = False


MENU_KEYS = "Press 1 to book, 2 to cancel, 3 to reschedule, 4 for availability, 5 for staff."

def _catalogue(texts: dict[str, str | Prompt]) -> dict[str, Prompt]:
    """Plain strings are prompts without patient data."""
    return {key: value if isinstance(value, Prompt) else Prompt(value) for key, value in texts.items()}


ENGLISH: dict[str, Prompt] = _catalogue({
    # the start and end of a call
    "greeting": "Thank you for calling {clinic}.",
    "menu.question": f"How can I help? {MENU_KEYS}",
    "menu.retry": f"Sorry, I didn't catch that. {MENU_KEYS}",
    "menu.again": f"Is there anything else? {MENU_KEYS}",
    "goodbye": "Thank you for calling {clinic}. Goodbye.",
    "unknown_number": "Sorry, this number is not connected to a clinic we serve. Goodbye.",
    "too_many_calls.caller": "We've had several calls from your number in the last few minutes. "
                             "Please try again a little later. Thank you, goodbye.",
    "too_many_calls.clinic": "We're receiving an unusually high number of calls right now. "
                             "Please try again in a few minutes. Thank you for your patience, goodbye.",
    "apology": "I'm sorry, something went wrong on our side.",
    "lost_track": "I'm sorry, I lost track of our conversation. Let's start again.",
    # which doctor
    "doctor.question": "Which doctor? Say a name or specialty, or press {choices}; 0 for anyone.",
    "doctor.retry": "Sorry, which doctor? Press {keys}; 0 for anyone.",
    "doctor.confirm": "Did you mean {doctor}? Press 1 for yes, or 2 for no.",
    "doctor.confirm_retry": "Sorry, did you mean {doctor}? Press 1 for yes, or 2 for no.",
    "doctor.of_department": "That's {doctor}, {department}.",
    # when
    "time.question": "When would you like to see {doctor}? Say a day and time, or press 1 for the earliest.",
    "time.question_group": "When would you like to come? Say a day and time, or press 1 for the earliest.",
    "time.question_move": "When would you like to move it to? Say a day and time, or press 1 for the earliest.",
    "time.retry": "Sorry, I didn't catch the time. Say a day and time, like Tuesday at 10 AM, "
                  "or press 1 for the earliest.",
    "time.past": "That time has already passed.",
    "time.too_soon": "That's too soon for us to book.",
    "time.beyond_horizon": "We can book only {days} days ahead.",
    "time.day_off": "{doctor} isn't working then.",
    "time.off_grid": "Appointments start every {minutes} minutes.",
    "time.taken": "{doctor} is booked then.",
    "time.just_taken": "I'm sorry, that time was just taken.",
    "time.gone": "I'm sorry, that time can no longer be booked.",
    "time.none_near": "{doctor} has no free times around then.",
    # the one slot chooser
    "slots.nearest": "The nearest free times are: {options}. Press {keys}, or 9 for later times.",
    "slots.earliest": "The earliest free times are: {options}. Press {keys}, or 9 for later times.",
    "slots.later": "The next free times are: {options}. Press {keys}, or 9 for later times.",
    "slots.of_doctor": "The next free times with {doctor} are: {options}. "
                       "To book one, press {keys}; 9 for later times; or 0 for the menu.",
    "slots.of_anyone": "The next free times are: {options}. To book one, press {keys}; 9 for later times; "
                       "or 0 for the menu.",
    "slots.retry": "Sorry, which time? Press {keys}, or 9 for later times.",
    "slots.no_later": "There are no later free times.",
    # the caller's details
    "name.question": "Please say your full name.",
    "name.retry": "Sorry, I didn't catch your name. Please say your first and last name.",
    "name.invalid": "Sorry, could you say your full name again?",
    "phone.entry": "Please enter your phone number, then the pound key.",
    "phone.entry_retry": "Sorry, that didn't work. Please enter your phone number, then the pound key.",
    "phone.invalid": "Sorry, that phone number doesn't look right.",
    "address.question": "Please say your home address.",
    "address.retry": "Sorry, I didn't catch that. Please say your street address.",
    # read-back and booking
    "booking.read_back": Prompt("{doctor}, {when}, for {name}; we'll text {last4}. "
                                "Press 1 to book, or 3 to change the time.", patient_data=True),
    "booking.read_back_retry": "Sorry, press 1 to book, 2 to change the doctor, 3 to change the time, "
                               "4 for another number, or 0 to start over.",
    "booking.change_what": "What should I change? Press 2 for the doctor, 3 for the time, 4 for the number, "
                           "or 0 to start over.",
    "booking.start_over": "No problem, let's start again.",
    "booking.booked": "You're booked with {doctor} for {when}.",
    "booking.farewell": "We'll text you a confirmation. Goodbye.",
    "booking.code_sent": "I've texted a code to that number.",
    "booking.phone_limit": "That number already has as many upcoming appointments with us as we can book by phone.",
    "booking.call_limit": "I can book one appointment per call.",
    # cancelling and rescheduling
    "manage.none_for_caller": "I couldn't find an upcoming appointment for the number you're calling from.",
    "manage.booking_phone": "Please enter the phone number you booked with, then the pound key. "
                            "Or press 0 for our staff.",
    "manage.booking_phone_retry": "Sorry, that didn't sound like a phone number. Enter it, then the pound key, "
                                  "or press 0 for our staff.",
    "manage.code_sent": "If we find an appointment for that number, we'll text it a code.",
    "manage.code_question": "Please enter the 6-digit code.",
    "manage.code_retry": "Sorry, please enter the 6-digit code from the text.",
    "manage.code_wrong": "That code doesn't match.",
    "manage.code_expired": "That code has expired; I'll text a new one.",
    "manage.code_failed": "I'm sorry, I can't accept that code.",
    "manage.too_many_codes": "I'm sorry, we can't send another code to that number right now.",
    "manage.none_for_number": "I couldn't find an upcoming appointment for that number either.",
    "manage.which": "You have {count} upcoming appointments. Which one would you like to {verb}? {options}.",
    "manage.which_retry": "Sorry, which one? {options}.",
    "manage.cannot_change": "I'm sorry, that appointment can no longer be changed by phone.",
    "cancel.confirm": "Your appointment is with {appointment}. Would you like to cancel it? "
                      "Press 1 for yes, or 2 for no.",
    "cancel.confirm_retry": "Sorry, press 1 to cancel your appointment with {appointment}, or 2 to keep it.",
    "cancel.kept": "All right, your appointment is still booked.",
    "cancel.done": "Your appointment with {appointment} is cancelled. We'll text you to confirm. Goodbye.",
    "reschedule.current": "Your appointment is with {appointment}.",
    "reschedule.confirm": "To confirm: your appointment with {doctor} moves from {old} to {new}. "
                          "Press 1 to confirm, or 2 to keep your current time.",
    "reschedule.confirm_retry": "Sorry, press 1 to move your appointment to {new}, or 2 to keep your current time.",
    "reschedule.kept": "All right, your appointment stays as it was.",
    "reschedule.done": "Done. Your appointment with {doctor} is now {when}. We'll text you the new time. Goodbye.",
    # nothing free, and handing over to people
    "no_slots.none": "I'm sorry, {who} has no free appointments in the next {days} days.",
    "no_slots.question": "Press 1 to speak to our staff, or 2 for a call back when a time opens up.",
    "no_slots.retry": "Sorry, press 1 for our staff, or 2 for a call back.",
    "no_slots.callback": Prompt("We'll call you back at the number ending in {last4} as soon as a time opens up. "
                                "Goodbye.", patient_data=True),
    "handover.trouble": "I'm sorry, I'm having trouble understanding.",
    "handover.connecting": "Connecting you to our staff. Please hold.",
    "handover.no_staff_line": "Please call back in a few minutes. Goodbye.",
    "handover.closed": "Our office is closed right now.",
    "handover.no_answer": "I'm sorry, nobody could take your call just now.",
    "handover.callback": Prompt("We'll call you back at the number ending in {last4} {when_open}. Goodbye.",
                                patient_data=True),
    "handover.callback_number": "Please enter a number we can call you back on, then the pound key.",
    "handover.callback_number_retry": "Sorry, please enter the number, then the pound key.",
    "handover.call_again": "Please call again {when_open}. Goodbye.",
    "handover.when_open": "when we open, {when}",
    "handover.soon": "as soon as we can",
    "emergency": "If this is a medical emergency, please hang up and dial {number}.",
    # what staff hear before a transferred call is put through (no patient data)
    "whisper.staff_requested": "The caller asked to speak to staff.",
    "whisper.emergency": "The caller may have a medical emergency.",
    "whisper.menu": "The caller could not choose from the menu.",
    "whisper.doctor": "The caller wanted to book, and could not choose a doctor.",
    "whisper.time": "The caller wanted to book, and could not find a time.",
    "whisper.details": "The caller wanted to book, and could not give their details.",
    "whisper.confirm": "The caller wanted to book, and could not confirm it.",
    "whisper.no_slots": "The caller wanted an appointment, and none was free.",
    "whisper.appointment_not_found": "The caller wanted to change an appointment, and it could not be found.",
    "whisper.cannot_change": "The caller's appointment could not be changed by phone.",
    "whisper.manage": "The caller wanted to change an appointment, and could not finish.",
    "whisper.booking_limit": "The caller wanted another appointment, past what can be booked by phone.",
    "whisper.verification": "The caller wanted to change an appointment, and could not confirm who they are.",
    "whisper.other": "The caller needs help from staff.",
})

CATALOGUE: dict[str, dict[str, Prompt]] = {"en": ENGLISH}
WHISPER_REASONS = tuple(key.split(".", 1)[1] for key in ENGLISH if key.startswith("whisper."))


class PromptCatalogue:
    """Renders prompts in a caller's language (falling back to English)."""

    def __init__(self, languages: Mapping[str, Mapping[str, Prompt]] = CATALOGUE):
        self.languages = languages

    def prompt(self, key: str, language: str = DEFAULT_LANGUAGE) -> Prompt:
        """The template of a key; KeyError when no language has it."""
        found = self.languages.get(language, {}).get(key)
        return found if found is not None else self.languages[DEFAULT_LANGUAGE][key]

    def render(self, key: str, language: str = DEFAULT_LANGUAGE, **fields: Any) -> Spoken:
        """A sentence with its fields filled in."""
        template = self.prompt(key, language)
        return Spoken(template.text.format(**fields), template.patient_data)

    def keys(self, language: str = DEFAULT_LANGUAGE) -> Iterable[str]:
        """Every key the catalogue has for a language (English included)."""
        return {**self.languages[DEFAULT_LANGUAGE], **self.languages.get(language, {})}.keys()


PROMPTS = PromptCatalogue()
