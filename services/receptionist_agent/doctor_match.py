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


def _similarity(spoken: str, name: str) -> tuple[float, float]:
    """How alike two words are (0-100) by spelling and sound, and by spelling alone."""
    spelled = fuzz.ratio(spoken, name)
    (spoken_meta, spoken_nysiis), (name_meta, name_nysiis) = _sounds(spoken), _sounds(name)
    if not spoken_meta or not name_meta:
        return spelled, spelled
    # Short phonetic codes collide often ("moore" and "maria" are both MR), so they count for less.
    nysiis_weight = 1.0 if len(name_nysiis) >= 4 else 0.75
    sound = max(fuzz.ratio(spoken_meta, name_meta), nysiis_weight * fuzz.ratio(spoken_nysiis, name_nysiis))
    sound_weight = 0.75 if len(name_meta) >= 3 or spelled >= 60 else 0.5
    return max(spelled, sound_weight * sound + (1 - sound_weight) * spelled), spelled


def _name_parts(doctor: dict[str, Any]) -> dict[str, bool]:
    """Each way to name the doctor, and whether it is the surname or a full name (True) or a given name
    or nickname (False), which is weaker evidence: many callers share first names with doctors."""
    return _labelled_parts(doctor.get("name", ""), tuple(doctor.get("aliases") or ()))


@lru_cache(maxsize=1024)
def _labelled_parts(name: str, aliases: tuple[str, ...]) -> dict[str, bool]:
    parts: dict[str, bool] = {}
    surname = ""
    for position, label in enumerate([name, *aliases]):
        words = [word.replace("'", "") for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", plain(label))
                 if word not in FILLER and word not in ("md", "dds", "phd")]
        if position == 0 and words:
            surname = words[-1]
        for word in words:
            parts[word] = parts.get(word, False) or word == surname
        if len(words) >= 2:
            parts["".join(words)] = True
    return parts


def _weighed(similarity: tuple[float, float], is_surname: bool) -> tuple[float, float]:
    score, spelled = similarity
    return (score if is_surname or spelled >= 85 else 0.95 * score), spelled


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
    words = [re.sub(r"'s$", "", word).replace("'", "") for word in words if word not in FILLER and not word.isdigit()]
    if not words:
        return {"value": None, "reason": "no doctor named"}
    if not doctors:
        return {"value": None, "reason": "the clinic has no doctors to choose from"}
    spans = _spans(words)
    scores = []
    for doctor in doctors:
        parts = _name_parts(doctor)
        best, spelled = max((_weighed(_similarity(span, part), is_surname) for span in spans
                             for part, is_surname in parts.items()), default=(0.0, 0.0))
        scores.append((best, spelled, doctor["id"]))
    scores.sort(reverse=True)
    top, top_spelled, top_id = scores[0]
    if top < MIN_SCORE:
        return {"value": None, "reason": "no doctor by that name"}
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    margin = top - runner_up
    confidence = top / 100 * min(1.0, 0.5 + margin / 30)
    if top_spelled < 70:
        confidence = min(confidence, 0.7)  # heard alike but spelled differently: worth a confirmation
    answer: dict[str, Any] = {"value": top_id, "confidence": round(confidence, 2)}
    close = [{"value": doctor_id, "confidence": round(score / 100 * 0.5, 2)}
             for score, _, doctor_id in scores[1:] if score >= MIN_SCORE and top - score < 15]
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
