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
    r"(?:(?:my (?:full |first |last )?name(?:'s| is| would be)?|the name(?:'s| is)?|name(?:'s| is)|"
    r"this is|it's|it is|its|i am|i'm|im|call me|they call me|you can call me|i go by|this|that's|that is|"
    r"it'll be|it would be|"
    r"put (?:it )?(?:down )?(?:under|as)|under(?: the name)?)\b[\s,:]*)?",
    re.IGNORECASE,
)
SOMEONE_ELSE = re.compile(
    r"^.*?\b(?:(?:name(?:'s| is| would be| will be))|(?:calling |booking |it's |this is |it is )?for my "
    r"(?:son|daughter|mother|father|mom|mum|dad|wife|husband|child|kid|baby|partner|grandmother|grandfather|grandma|grandpa|brother|"
    r"sister|friend|boyfriend|girlfriend|aunt|uncle|niece|nephew))\b[\s,:]*(?=\S)", re.IGNORECASE)
PARTS = re.compile(r"\b(first|last|sur|family|given) ?name(?: is|'s)?[\s,:]+([^\W\d_][^\s,]*)", re.IGNORECASE)
FILLER_WORDS = {"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "like", "please", "thanks", "thank", "you",
                "speaking", "calling", "here", "mr", "mrs", "ms", "miss", "mister", "dr", "doctor", "sir", "madam",
                "and"}
TRAILING = re.compile(r"\b(?:and (?:my|i|the|it's|i'm)|my (?:number|phone|address|date)|i'm calling|calling about|"
                      r"i (?:need|want|would|'d)|thank you|thanks)\b.*$", re.IGNORECASE)
NOT_A_NAME = {"no", "nope", "don't", "know", "why", "what", "sorry", "repeat", "again", "hello", "yes", "appointment",
              "cancel", "book", "help", "operator", "person", "representative", "nothing", "nobody", "none"}
PARTICLES = {"van", "von", "der", "den", "de", "da", "del", "della", "di", "du", "la", "le", "bin", "ibn", "al", "dos",
             "das"}
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
    if len(bare) == 1 and count > 1:
        return bare.upper() + "."
    if bare.lower() in SUFFIXES and position > 0:
        return SUFFIXES[bare.lower()]
    if bare.lower() in PARTICLES and 0 < position < count - 1 and (bare.islower() or bare.isupper()):
        return bare.lower()
    if not bare.islower() and not bare.isupper() and bare[:1].isupper():
        return bare
    return "-".join(_capitalise_part(part) for part in bare.split("-"))


def _join_spelled_letters(words: list[str]) -> list[str]:
    """["j", "o", "n"] -> ["jon"]: callers spell names letter by letter; a spelling replaces the word it
    spells out ("Tim, T I M", "Jon J O H N") rather than adding to it."""
    out: list[tuple[str, bool]] = []
    for word, spelled in _letters_joined(words):
        if spelled and out and not out[-1][1]:
            out[-1] = (word, True)
        elif out and out[-1][1] and word.lower() == out[-1][0].lower():
            continue
        else:
            out.append((word, spelled))
    return [word for word, _ in out]


def _letters_joined(words: list[str]) -> list[tuple[str, bool]]:
    run: list[str] = []
    out: list[tuple[str, bool]] = []
    padded = ["", *words, ""]
    for position, word in enumerate(padded[1:-1], start=1):
        single = len(word) == 1 and word.isalpha()
        if single and (word.lower() != "i" or len(padded[position - 1]) == 1 or len(padded[position + 1]) == 1):
            run.append(word)
            continue
        out.extend([("".join(run).lower(), True)] if len(run) >= 2 else [(letter, False) for letter in run])
        run = []
        out.append((word, False))
    out.extend([("".join(run).lower(), True)] if len(run) >= 2 else [(letter, False) for letter in run])
    return out


def interpret_name(text: str, **_: Any) -> dict[str, Any]:
    """A person's name, cleaned of filler and capitalised, or null with a reason."""
    said = unicodedata.normalize("NFC", text).replace("\u2019", "'").strip()
    said = re.sub(r"\b(?:um+|uh+|er+|erm|hmm+)\b[,.]?", " ", said, flags=re.IGNORECASE)
    parts = {kind.lower(): value for kind, value in PARTS.findall(said)}
    given, family = (parts.get("first") or parts.get("given"),
                     parts.get("last") or parts.get("sur") or parts.get("family"))
    if given and family:
        said = f"{given} {family}"
    said = SOMEONE_ELSE.sub("", said)
    said = LEAD_IN.sub("", said.strip(" ,.!?"))
    last_first = re.fullmatch(r"\s*([^\W\d_][\w'-]+)\s*,\s*([^\W\d_][\w'-]+)\s*\.?\s*", said)
    if last_first:
        said = f"{last_first.group(2)} {last_first.group(1)}"
    said = re.sub(r"\b[^\W\d_](?:-[^\W\d_]){1,}\b", lambda spelled: spelled.group(0).replace("-", " "), said)
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
