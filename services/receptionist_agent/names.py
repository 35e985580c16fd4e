"""A caller's name from what they said: filler removed ("my name is", "it's", "uh"), spelled-out letters
joined, and capitalised as names are written (O'Brien, McDonald, Anne-Marie, José, van der Berg)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from services.receptionist_agent.spoken import TENS, UNITS

LEAD_IN = re.compile(
    r"^(?:(?:um+|uh+|er+|erm|ah+|hmm+|oh|so|well|okay|ok|yes|yeah|yep|sure|hi|hello|hey|right|alright|"
    r"good (?:morning|afternoon|evening))\b[\s,.!]*)*"
    r"(?:(?:my (?:full |first |last )?name(?:'s| is| would be)?|the name(?:'s| is)?|name(?:'s| is)|this is|it's|it is|its|"
    r"i am|i'm|im|call me|they call me|you can call me|i go by|this|that's|that is|it'll be|it would be|"
    r"put (?:it )?(?:down )?(?:under|as)|under(?: the name)?)\b[\s,:]*)?",
    re.IGNORECASE,
)
FILLER_WORDS = {"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "like", "please", "thanks", "thank", "you",
                "speaking", "here", "mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "sir", "madam", "and"}
TRAILING = re.compile(r"\b(?:and (?:my|i|the|it's|i'm)|my (?:number|phone|address|date)|i'm calling|calling about|"
                      r"i (?:need|want|would|'d)|thank you|thanks)\b.*$", re.IGNORECASE)
NOT_A_NAME = {"no", "nope", "don't", "know", "why", "what", "sorry", "repeat", "again", "hello", "yes", "appointment",
              "cancel", "book", "help", "operator", "person", "representative", "nothing", "nobody", "none"}
PARTICLES = {"van", "von", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "bin", "ibn", "al", "dos", "das"}
MAC_NAMES = {"macdonald", "mackenzie", "macleod", "macintosh", "macarthur", "macgregor", "macmillan", "macneil",
             "macpherson", "macdougall", "mackay", "maclean", "macaulay", "macfarlane", "macrae", "macbride"}
SUFFIXES = {"jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}


def _capitalise_part(part: str) -> str:
    if not part:
        return part
    lowered = part.lower()
    if lowered.startswith("mc") and len(lowered) > 3:
        return "Mc" + lowered[2].upper() + lowered[3:]
    if lowered in MAC_NAMES:
        return "Mac" + lowered[3].upper() + lowered[4:]
    if "'" in lowered:
        head, _, tail = lowered.partition("'")
        if len(head) <= 2 and tail:
            return head.capitalize() + "'" + tail.capitalize()
    return lowered.capitalize()


def capitalise_name(word: str, position: int, count: int) -> str:
    """One word of a name written as names are: keeps deliberate mixed case like "DeShawn"."""
    bare = word.strip(".")
    if bare.lower() in SUFFIXES and position > 0:
        return SUFFIXES[bare.lower()]
    if bare.lower() in PARTICLES and 0 < position < count - 1 and (bare.islower() or bare.isupper()):
        return bare.lower()
    if not bare.islower() and not bare.isupper() and bare[:1].isupper():
        return bare
    return "-".join(_capitalise_part(part) for part in bare.split("-"))


def _join_spelled_letters(words: list[str]) -> list[str]:
    """["j", "o", "n"] -> ["jon"]: callers spell names letter by letter."""
    out: list[str] = []
    run: list[str] = []
    padded = ["", *words, ""]
    for position, word in enumerate(padded[1:-1], start=1):
        single = len(word) == 1 and word.isalpha()
        if single and (word.lower() != "i" or len(padded[position - 1]) == 1 or len(padded[position + 1]) == 1):
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) >= 2 else run)
        run = []
        out.append(word)
    out.extend(["".join(run)] if len(run) >= 2 else run)
    return out


def interpret_name(text: str, **_: Any) -> dict[str, Any]:
    """A person's name, cleaned of filler and capitalised, or null with a reason."""
    said = unicodedata.normalize("NFC", text).replace("\u2019", "'").strip()
    said = re.sub(r"\b(?:um+|uh+|er+|erm|hmm+)\b[,.]?", " ", said, flags=re.IGNORECASE)
    said = LEAD_IN.sub("", said.strip(" ,.!?"))
    said = re.sub(r"\bspelled\b.*$", "", said, flags=re.IGNORECASE)
    said = TRAILING.sub("", said)
    words = [word for word in re.findall(r"[^\W\d_]+(?:['\-.][^\W\d_]+)*\.?", said)
             if word.lower().strip(".") not in FILLER_WORDS]
    words = _join_spelled_letters(words)
    if re.search(r"\d", said):
        return {"value": None, "reason": "a name has no digits"}
    if not words:
        return {"value": None, "reason": "no name heard"}
    if any(word.lower() in NOT_A_NAME or word.lower() in UNITS or word.lower() in TENS for word in words):
        return {"value": None, "reason": "that does not sound like a name"}
    if len(words) > 5:
        return {"value": None, "reason": "too many words for a name"}
    name = " ".join(capitalise_name(word, index, len(words)) for index, word in enumerate(words))
    confidence = {1: 0.7, 2: 0.95, 3: 0.9, 4: 0.8}.get(len(words), 0.6)
    return {"value": name, "confidence": confidence}
