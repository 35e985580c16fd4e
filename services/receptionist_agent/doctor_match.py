"""Which of the clinic's doctors the caller named, robust to titles, first or last names only and
recognition errors ("doctor chan" -> Chen, "doctor oak afar" -> Okafor): every run of one to three spoken
words is compared with every part of every doctor's name by spelling (rapidfuzz) and by sound (jellyfish
metaphone and NYSIIS); the confidence drops when a second doctor scores close to the first."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import jellyfish
from rapidfuzz import fuzz

from services.receptionist_agent.spoken import numbers_as_digits, ordinal, plain

ANY_DOCTOR = re.compile(
    r"\b(?:any ?one|any ?body|any (?:doctor|dr|of them|physician|available|is fine)|whoever|who ever|whichever|"
    r"first available|next available|earliest|soonest|(?:doesn't|does not|don't|do not) (?:matter|mind|care)|"
    r"no preference|not fussy|either (?:one|is fine|of them)|any$|no one in particular|nobody in particular|"
    r"(?:don't|do not) have a preference|who(?:'s| is) free|who(?:'s| is) available)\b"
)
FILLER = set(
    "i i'd i'm i'll id im would like to see with the a an please um uh er ah erm hmm can could may book appointment "
    "want wanna need get have my is it it's its be doctor doctors doctor's dr doc docter doktor dokter "
    "mr mrs ms miss mister madam professor prof physician dentist appointment with let me um see go yes yeah "
    "and or of on at in how about maybe think that's that this one who name named called i'd "
    "just our usual regular family she he her his them they um am not sure know don't really guess".split()
)
MIN_SCORE = 72.0


@lru_cache(maxsize=4096)
def _sounds(word: str) -> tuple[str, str]:
    return jellyfish.metaphone(word), jellyfish.nysiis(word)


def _similarity(spoken: str, name: str) -> float:
    """0-100: how alike two words are, by spelling and by sound."""
    spelled = fuzz.ratio(spoken, name)
    (spoken_meta, spoken_nysiis), (name_meta, name_nysiis) = _sounds(spoken), _sounds(name)
    sound = max(fuzz.ratio(spoken_meta, name_meta), fuzz.ratio(spoken_nysiis, name_nysiis)) if spoken_meta and name_meta else 0.0
    if spoken_meta == name_meta and (len(name_meta) >= 3 or spelled >= 50):
        sound = max(sound, 96.0)
    # Sound alone is generous for short names, so it is weighed with spelling.
    return max(spelled, 0.6 * sound + 0.4 * spelled if sound < 96 else 0.25 * spelled + 0.75 * sound)


def _name_parts(doctor: dict[str, Any]) -> set[str]:
    parts: set[str] = set()
    for label in [doctor.get("name", ""), *doctor.get("aliases", [])]:
        words = [word for word in re.findall(r"[^\W\d_]+", plain(label)) if word not in FILLER and word not in ("md", "dds", "phd")]
        parts.update(word for word in words if len(word) >= 2)
        if len(words) >= 2:
            parts.add("".join(words))
    return parts


def _spans(words: list[str]) -> set[str]:
    spans = set()
    for start in range(len(words)):
        for length in (1, 2, 3):
            if start + length <= len(words):
                span = "".join(words[start:start + length])
                if len(span) >= 2:
                    spans.add(span)
    return spans


def interpret_doctor(text: str, doctors: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
    """The id of the doctor the caller named, "any" for whoever is free, or null with a reason."""
    said = plain(text)
    doctors = doctors or []
    if ANY_DOCTOR.search(said):
        return {"value": "any", "confidence": 0.9}
    words = [word for word in re.findall(r"[^\W_]+(?:'[^\W\d_]+)?", said)]
    choice = _spoken_choice(words, len(doctors))
    if choice is not None:
        return {"value": doctors[choice]["id"], "confidence": 0.85}
    words = [re.sub(r"'s$", "", word) for word in words if word not in FILLER and not word.isdigit()]
    if not words:
        return {"value": None, "reason": "no doctor named"}
    if not doctors:
        return {"value": None, "reason": "the clinic has no doctors to choose from"}
    spans = _spans(words)
    scores = []
    for doctor in doctors:
        parts = _name_parts(doctor)
        best = max((_similarity(span, part) for span in spans for part in parts), default=0.0)
        scores.append((best, doctor["id"]))
    scores.sort(reverse=True)
    top, top_id = scores[0]
    if top < MIN_SCORE:
        return {"value": None, "reason": "no doctor by that name"}
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    margin = top - runner_up
    confidence = top / 100 * min(1.0, 0.5 + margin / 30)
    answer: dict[str, Any] = {"value": top_id, "confidence": round(confidence, 2)}
    close = [{"value": doctor_id, "confidence": round(score / 100 * 0.5, 2)}
             for score, doctor_id in scores[1:] if score >= MIN_SCORE and top - score < 15]
    if close:
        answer["alternatives"] = close
    return answer


def _spoken_choice(words: list[str], count: int) -> int | None:
    """The index for "one", "number two", "the second one", "option 3" when that is all that was said."""
    kept = [word for index, word in enumerate(words)
            if word not in ("number", "option", "press", "the", "please", "um", "uh", "doctor", "dr")
            and not (word == "one" and index > 0 and ordinal(words[index - 1]))]
    kept = numbers_as_digits(kept)
    if len(kept) != 1:
        return None
    number = int(kept[0]) if kept[0].isdigit() else ordinal(kept[0])
    if number is None or not 1 <= number <= count:
        return None
    return number - 1
