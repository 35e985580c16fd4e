"""Everything one caller turn says, read at once: "This is Jane Doe, I'd like to see Dr. Chen on Tuesday
at 10" names a person, a doctor and a time. The slot the question asked about (`expect`) is read from
the whole utterance; every other slot only where the caller plainly named it (a title before a doctor's
name, a day or clock time, "my name is ..."), so a stray word never fills a slot by accident.

Also read at every turn: a medical emergency, a request for a person, a request to repeat.
"""

from __future__ import annotations

import re
from typing import Any

from services.receptionist_agent.doctor_match import ANY_DOCTOR, interpret_doctor
from services.receptionist_agent.intents import interpret_intent, interpret_yes_no
from services.receptionist_agent.names import interpret_name
from services.receptionist_agent.phone import interpret_phone
from services.receptionist_agent.spoken import numbers_as_digits, ordinal, plain, tokens
from services.receptionist_agent.spoken_datetime import interpret_datetime

# Phrases that mean "this may be an emergency"; tests/receptionist_agent/test_utterance.py lists them.
EMERGENCY = re.compile(
    r"\b(?:chest (?:pains?|hurts?|hurting|tightness|pressure)|pains? in (?:my|his|her|the) chest|heart attack|"
    r"(?:can't|cannot|can not|couldn't|unable to|struggling to|hard to|trouble|difficulty) breath(?:e|ing)|"
    r"not breathing|stopped breathing|short(?:ness)? of breath|choking|bleeding|blood everywhere|"
    r"unconscious|passed out|unresponsive|not responding|seizures?|having a stroke|stroke|overdosed?|poisoned|"
    r"suicidal|suicide|kill (?:myself|himself|herself)|end (?:my|his|her) life|want to die|hurt (?:myself|himself|"
    r"herself)|self harm|emergency|ambulance|911|nine one one)\b"
)
NOT_AN_EMERGENCY = re.compile(r"\b(?:not (?:an? |really an? )?(?:emergency|urgent)|no emergency|non emergency)\b")
REPEAT = re.compile(r"^(?:sorry|pardon|what|huh|excuse me)\??$|\b(?:repeat|say (?:that|it) again|come again|"
                    r"didn't (?:hear|catch) (?:that|you)|one more time)\b")
OTHER_TIME = re.compile(r"\b(?:another|different|other) (?:time|day|date)\b|\bnone of (?:those|these|them)\b|"
                        r"\b(?:neither|doesn't work|don't work|do not work)\b")
OTHER_NUMBER = re.compile(r"\b(?:another|different|other|new|my other) (?:phone |mobile |cell )?number\b")
LATER = re.compile(r"\blater\b|\bafter (?:that|those)\b|\bmore (?:times|options)\b")
CALLBACK = re.compile(r"\bcall (?:me |us )?back\b|\bcallback\b|\bring (?:me )?back\b")
EARLIEST = re.compile(r"\b(?:earliest|soonest|first available|next available|as soon as possible|asap)\b")
DOCTOR_CUE = re.compile(r"\b(?:dr|doctor|doc|with|see)\b")
WHEN_CUE = re.compile(
    r"\b(?:today|tonight|tomorrow|morning|afternoon|evening|noon|midday|weekend|next week|this week|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|o'clock|\d{1,2}(?::\d{2})?\s?(?:am|pm)|\d{1,2}:\d{2}|"
    r"(?:at|around|about) \d{1,2}|in (?:a|an|\w+) (?:hours?|days?|weeks?|months?))\b"
)
NAME_CUE = re.compile(r"\b(?:my name is|my name's|name is|this is|i am|i'm|it's)\s+([^,.;!?]+)")
NOT_A_NAME = set("a an the calling looking trying wondering interested going hoping here just not sick new so "
                 "phoning ringing having feeling after about with for to in on at".split())
WHEN_PROBLEMS = {"that time is in the past": "past", "that date is too far ahead": "beyond_horizon"}

# Built-in words for specialties; a clinic adds its own per department (department_synonyms).
SPECIALTIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # specialty: (stems found in a clinic's department names, what callers say)
    "cardiology": (("cardio",), ("cardiology", "cardiologist", "cardiac", "heart", "heart doctor",
                                 "heart specialist", "blood pressure", "palpitations")),
    "pediatrics": (("pediatric", "paediatric", "children"), (
        "pediatrics", "paediatrics", "pediatrician", "paediatrician", "children's doctor", "child", "children",
        "kid", "kids", "my son", "my daughter", "baby", "toddler", "infant", "newborn")),
    "general practice": (("general practice", "family", "primary care", "general medicine", "internal medicine"), (
        "general practice", "general practitioner", "gp", "family doctor", "family medicine", "primary care",
        "regular doctor", "checkup", "check up", "physical", "annual exam")),
    "dentistry": (("dentistry", "dental"), ("dentist", "dental", "teeth", "tooth", "toothache", "cleaning",
                                            "filling", "cavity", "gums", "crown")),
    "orthodontics": (("orthodont",), ("orthodontist", "orthodontics", "braces", "aligner", "aligners",
                                       "invisalign", "retainer")),
    "dermatology": (("dermat", "skin"), ("dermatologist", "dermatology", "skin", "rash", "acne", "mole",
                                         "eczema")),
    "obstetrics": (("obstetric",), ("obstetrician", "obstetrics", "ob gyn", "obgyn", "pregnant", "pregnancy",
                                    "prenatal", "midwife")),
    "gynecology": (("gynec", "gynaec", "women"), ("gynecologist", "gynaecologist", "gynecology", "women's health",
                                                  "pap smear")),
    "orthopedics": (("orthop",), ("orthopedic", "orthopaedic", "orthopedist", "bone", "bones", "joint", "knee",
                                  "hip", "fracture", "sports injury")),
    "neurology": (("neuro",), ("neurologist", "neurology", "migraine", "migraines", "nerve", "nerves")),
    "ophthalmology": (("ophthalm", "eye"), ("eye doctor", "eyes", "ophthalmologist", "vision", "optometrist")),
    "ent": (("ent", "otolaryng", "ear nose"), ("ear nose and throat", "ent", "ears", "ear infection", "sinus",
                                                "throat")),
    "psychiatry": (("psychiat", "mental", "behavioral"), ("psychiatrist", "therapist", "counselor", "mental health",
                                                            "anxiety", "depression")),
    "physiotherapy": (("physio", "physical therapy", "rehab"), ("physiotherapist", "physio", "physical therapy",
                                                                 "physical therapist", "back pain")),
}


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}\b", text) is not None


def detect_emergency(text: str) -> bool:
    """Whether the words say a medical emergency may be happening."""
    said = plain(text)
    matches = [match.group(0) for match in EMERGENCY.finditer(said)]
    if not matches:
        return False
    if NOT_AN_EMERGENCY.search(said):
        return any(match != "emergency" for match in matches)
    return True


def _department_words(department: str, clinic_words: dict[str, list[str]]) -> set[str]:
    name = plain(department).replace("&", " ").replace("/", " ")
    words = {" ".join(name.split())} | {plain(word) for word in clinic_words.get(department, [])}
    for stems, said in SPECIALTIES.values():
        if any(stem in name for stem in stems):
            words.update(said)
    return {word for word in words if word}


def match_department(text: str, doctors: list[dict[str, Any]],
                     clinic_words: dict[str, list[str]] | None = None) -> dict[str, Any] | None:
    """The department (and its doctors) the caller described, by its name or a synonym; the longest
    phrase wins, and a tie between departments is no answer."""
    said = " ".join(plain(text).replace("'s ", " ").split())
    best: tuple[int, str] | None = None
    tied = False
    for department in sorted({doctor.get("department") or "" for doctor in doctors} - {""}):
        found = [len(word) for word in _department_words(department, clinic_words or {}) if _has_phrase(said, word)]
        if not found:
            continue
        score = max(found)
        if best is None or score > best[0]:
            best, tied = (score, department), False
        elif score == best[0]:
            tied = True
    if best is None or tied:
        return None
    department = best[1]
    return {"name": department, "doctor_ids": [doctor["id"] for doctor in doctors
                                               if doctor.get("department") == department]}


def read_choice(text: str) -> int | None:
    """The option picked by words: "two", "the second one", "number 3", "the last one" (-1)."""
    words = numbers_as_digits(tokens(text))
    if EARLIEST.search(plain(text)):
        return 1
    ordinals = {ordinal(word) for word in words if ordinal(word) and not word.isdigit()}
    if "last" in words:
        ordinals.add(-1)
    if ordinals:
        return ordinals.pop() if len(ordinals) == 1 else None
    numbers = {int(word) for word in words if word.isdigit() and len(word) == 1}
    if len(words) <= 4 and len(numbers) == 1:
        return numbers.pop()
    return None


def _name_from_cue(text: str) -> str | None:
    for clause in re.split(r"[,.;!?]", text):
        match = NAME_CUE.search(plain(clause))
        if not match:
            continue
        words = match.group(1).split()
        kept: list[str] = []
        for word in words:
            if word in ("and", "i", "i'd", "i'm", "calling", "please") or len(kept) == 3:
                break
            kept.append(word)
        if not kept or kept[0] in NOT_A_NAME:
            continue
        answer = interpret_name(" ".join(kept))
        if answer.get("value") and answer.get("confidence", 0) >= 0.8:
            return answer["value"]
    return None


def _doctor(text: str, doctors: list[dict[str, Any]], expected: bool) -> dict[str, Any] | None:
    said = plain(text)
    if not expected and not DOCTOR_CUE.search(said) and not ANY_DOCTOR.search(said):
        return None
    answer = interpret_doctor(text, doctors=doctors)
    value = answer.get("value")
    if value == "any":
        return {"any": True}
    if value is None or (not expected and answer.get("confidence", 0) < 0.8):
        return None
    return {"id": value, "confidence": answer.get("confidence", 0)}


def _when(text: str, expected: bool, timezone: str, now: Any) -> tuple[dict[str, Any] | None, str | None]:
    if not expected and not WHEN_CUE.search(plain(text)):
        return None, None
    answer = interpret_datetime(text, timezone=timezone, now=now)
    if answer.get("value") is None:
        return None, WHEN_PROBLEMS.get(answer.get("reason", ""))
    if answer.get("soonest"):
        return None, None
    return {key: answer[key] for key in ("value", "confidence", "date_given", "time_given") if key in answer}, None


def interpret_utterance(text: str, expect: str | None = None, doctors: list[dict[str, Any]] | None = None,
                        timezone: str = "UTC", now: Any = None, region: str = "US",
                        synonyms: dict[str, list[str]] | None = None, **_: Any) -> dict[str, Any]:
    """Every slot one utterance fills, the expected one read from all of it (see the module docstring)."""
    doctors = doctors or []
    said = plain(text)
    intent = interpret_intent(text)
    doctor = _doctor(text, doctors, expect == "doctor")
    when, when_problem = _when(text, expect == "time", timezone, now)
    reading: dict[str, Any] = {
        "emergency": detect_emergency(text),
        "staff": intent.get("value") == "staff" and intent.get("confidence", 0) >= 0.9,
        "callback": bool(CALLBACK.search(said)),
        "repeat": bool(REPEAT.search(said)),
        "intent": intent.get("value") if expect == "intent" else None,
        "doctor": doctor,
        "department": None if doctor and "id" in doctor else match_department(text, doctors, synonyms),
        "when": when,
        "when_problem": when_problem,
        "earliest": bool(EARLIEST.search(said)),
        "other_time": bool(OTHER_TIME.search(said)),
        "other_number": bool(OTHER_NUMBER.search(said)),
        "later": bool(LATER.search(said)),
        "name": None,
        "phone": None,
        "yes_no": None,
        "choice": None,
    }
    if expect == "name":
        answer = interpret_name(text)
        reading["name"] = answer.get("value")
    else:
        reading["name"] = _name_from_cue(text)
    if expect in ("phone", "yes_no", "confirm"):
        reading["yes_no"] = interpret_yes_no(text).get("value")
    if expect == "phone":
        reading["phone"] = interpret_phone(text, region=region).get("value")
    if expect in ("choice", "doctor", "appointment"):
        reading["choice"] = read_choice(text)
    if expect == "code":
        reading["digits"] = "".join(word for word in numbers_as_digits(tokens(text)) if word.isdigit())
    return reading
