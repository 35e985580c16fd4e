"""What a caller wants from the menu (book, cancel, reschedule, availability, staff) and whether they said
yes or no, from free speech with recognition errors. Phrase patterns are scored; the strongest wins."""

from __future__ import annotations

import re
from typing import Any

from services.receptionist_agent.spoken import plain

MENU_NUMBERS = {"1": "book", "one": "book", "won": "book", "2": "cancel", "two": "cancel", "too": "cancel",
                "3": "reschedule", "three": "reschedule", "tree": "reschedule", "4": "availability",
                "four": "availability", "for": "availability", "5": "staff", "five": "staff", "0": "staff",
                "zero": "staff"}
_MENU_CHOICE = re.compile(r"^(?:(?:um|uh|press|pressing|option|number|choice|i'll take|i choose|give me)\s+)*"
                          r"(1|one|won|2|two|too|3|three|tree|4|four|for|5|five|0|zero)(?:\s+please)?$")

_ORDINAL_CHOICE = re.compile(r"^(?:the )?(first|second|third|fourth|fifth|last) (?:option|one|choice)(?: please)?$")
ORDINAL_CHOICES = {"first": "book", "second": "cancel", "third": "reschedule", "fourth": "availability",
                   "fifth": "staff", "last": "staff"}

_PERSON = r"(?:a |an |the |to a |with a )?(?:real |live |actual )?(?:person|human|human being|somebody|someone|" \
          r"receptionist|reception|operator|representative|rep|agent|staff|front desk|nurse|people|anyone|anybody|" \
          r"secretary|manager|office)"
# (intent, pattern, strength): 4-5 is unmistakable, 1 is a weak hint; the strongest intent wins.
PATTERNS: list[tuple[str, re.Pattern, int]] = [(intent, re.compile(pattern), strength)
                                               for intent, pattern, strength in [
    ("staff", rf"\b(?:talk|speak|speaking|chat|talking)\s+(?:to|with)\s+{_PERSON}\b", 4),
    ("staff", r"\b(?:real|live|actual) (?:person|human)\b|\bhuman being\b", 4),
    ("staff", r"\b(?:operator|receptionist|representative|front desk|agent)\b", 3),
    ("staff", r"\b(?:transfer|put me through|connect me|get me|give me)\b.*\b(?:person|human|someone|somebody|staff|"
              r"receptionist|operator)\b", 4),
    ("staff", r"\b(?:human|person|staff|somebody)\b", 2),
    ("staff", r"\b(?:billing|insurance|prescription|refill|test results|lab results|emergency|complaint|"
              r"invoice|bill)\b", 2),
    ("staff", r"\b(?:none of (?:the|these|those)|something else|other question|a question|help me|"
              r"questions?)\b|^help$", 2),
    ("staff", r"\b(?:check|confirm|verify|find out about) (?:on |if i have |whether i have )?(?:my|an|the) "
              r"(?:appointment|booking|visit)\b", 3),
    ("reschedule", r"\bre ?schedul\w*|\bre ?book\w*|\bre ?arrange\w*", 4),
    ("reschedule", r"\b(?:move|moving|change|changing|shift|switch|push|pushing|bring|swap)\b.*\b(?:appointment|"
                   r"booking|visit|it|time|date|day|back|forward|later|earlier)\b", 3),
    ("reschedule", r"\b(?:different|another|new|other) (?:time|day|date|slot)\b", 3),
    ("reschedule", r"\bpostpone\w*|\bdelay\w*", 3),
    ("cancel", r"\bcancel\w*|\bcancell\w*|\bcansel\w*|\bcounsel\w*|\bcall (?:it )?off\b|\bcalling off\b", 4),
    ("cancel", r"\b(?:can't|cannot|can not|won't|will not|not going to|unable to|not able to|no longer|can no longer) "
               r"(?:be able to )?(?:make|come|attend|be there|go)\b", 5),
    ("cancel", r"\b(?:don't|do not|no longer) need (?:the|my|that|an|this) appointment\b", 3),
    ("cancel", r"\b(?:delete|remove|drop) (?:my|the|that|an|this) (?:appointment|booking|visit)\b", 3),
    ("availability", r"\bavailab\w*|\bopenings?\b|\bopen (?:slots?|times?|appointments?)\b|"
                     r"\bfree (?:slots?|times?)\b", 4),
    ("availability", r"\b(?:when|what (?:times?|days?))\b.*\b(?:free|open|in|working|available|see|work|"
                     r"there|have)\b", 3),
    ("availability", r"\b(?:any|anything|some) (?:free|open|room|space|spots?|slots?|appointments?|times?)\b", 3),
    ("availability", r"\b(?:is|are|does|do you have) (?:there )?(?:any|anything|dr|doctor|someone|somebody)\b"
                     r".*\b(?:on|this|next|today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                     r"week|free|in)\b", 3),
    ("availability", r"\b(?:can|could|may) i (?:see|get in to see|get in with|come in)\b"
                     r".*\b(?:on|this|next|today|tomorrow|"
                     r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|morning|afternoon)\b", 3),
    ("availability", r"\b(?:check|checking|see|know|find out|look at) (?:the |your |dr \w+'?s? |doctor \w+'?s? )?"
                     r"(?:schedule|calendar|times|hours|diary)\b", 3),
    ("availability", r"\bschedule (?:look|looks)\b|\bhow (?:soon|early)\b|\bfree\b|\bearliest\b|\bsoonest\b|"
                     r"\bnext (?:available|opening|free)\b|\bschedule (?:like|for (?:this|next|today|tomorrow))\b|"
                     r"\bare you open\b|\bopen (?:on|this|next|today|tomorrow)\b|"
                     r"\bopening hours\b|\byour hours\b", 2),
    ("book", r"\bbook\w*|\bbuck (?:an|a)\b|\blook an appointment\b|\bmake (?:an|a|my)? ?appoint\w*|\bset up\b|"
             r"\bschedule (?:an|a|me|my|in|for)\b|\bsign (?:me )?up\b", 4),
    ("book", r"\bnew (?:appointment|patient)\b|"
             r"\b(?:see|seeing|visit) (?:a|the|my|your) (?:dr|dentist|physician|gp|nurse)\b|"
             r"\bget in (?:to see|with)\b|\bbe seen\b|"
             r"\b(?:check ?up|physical|consultation|cleaning|exam|vaccin\w*|flu shot|follow up)\b", 3),
    ("book", r"\b(?:need|want|like|get) (?:an|a|to see|to get|to come)\b|\bcome in\b|\bsee (?:dr|doctor)\b|"
             r"\bappointment\b|\bsick\b|\bhurt\w*|\bpain\b", 2),
    ("book", r"\bschedul\w*", 1),
]]
PRIORITY = ("staff", "reschedule", "cancel", "availability", "book")


def interpret_intent(text: str, **_: Any) -> dict[str, Any]:
    """book | cancel | reschedule | availability | staff from what the caller said at the menu."""
    said = " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", plain(text)))
    said = re.sub(r"\b(?:doctor|dr)\b", "dr", said)
    menu_choice = _MENU_CHOICE.match(said)
    if menu_choice:
        return {"value": MENU_NUMBERS[menu_choice.group(1)], "confidence": 0.9}
    ordinal_choice = _ORDINAL_CHOICE.match(said)
    if ordinal_choice:
        return {"value": ORDINAL_CHOICES[ordinal_choice.group(1)], "confidence": 0.85}
    scores = {intent: 0 for intent in PRIORITY}
    for intent, pattern, strength in PATTERNS:
        if pattern.search(said):
            scores[intent] = max(scores[intent], strength)
    if scores["staff"] == 2 and re.search(r"\bsee (?:a |the )?(?:someone|somebody|person)\b", said):
        scores["staff"] = 0
    if scores["cancel"] and re.search(r"\b(?:re ?book|book|make|schedule|get|set up|find)\b.*\b(?:new|another|"
                                      r"different|later|other)\b", said):
        scores["reschedule"] = max(scores["reschedule"], 5)
    best = max(scores.values())
    if best == 0:
        return {"value": None, "reason": "no menu choice recognised"}
    leaders = [intent for intent in PRIORITY if scores[intent] == best]
    runners = sorted((score for intent, score in scores.items() if intent != leaders[0]), reverse=True)
    confidence = {5: 0.95, 4: 0.95, 3: 0.9, 2: 0.75, 1: 0.6}[best]
    if runners[0] == best:
        confidence -= 0.15
    answer: dict[str, Any] = {"value": leaders[0], "confidence": round(confidence, 2)}
    alternatives = [{"value": intent, "confidence": round(confidence * scores[intent] / best / 2, 2)}
                    for intent in PRIORITY if intent != leaders[0] and scores[intent] >= max(best - 1, 1)]
    if alternatives:
        answer["alternatives"] = alternatives
    return answer


_UNSURE = re.compile(r"\b(?:not sure|don't know|dont know|do not know|no idea|maybe|perhaps|repeat|say that again|"
                     r"pardon|unsure|hold on|wait|what did you|what was|what's that)\b|^(?:what|huh|sorry|excuse me)$")
_NO_AFTER_YES = re.compile(r"\b(?:absolutely|definitely|certainly|of course|sure|really|exactly|quite) not\b|"
                           r"\bnot (?:right|correct|really|quite|exactly|true|okay|ok|good|fine)\b")
_YES_AFTER_NO = re.compile(r"^(?:no|nah|nope)\s+(?:problem|worries|doubt|question|problemo)\b|\bwhy not\b|"
                           r"\bnot a problem\b|\bno doubt\b|\bnot wrong\b|\bnot incorrect\b|\bcan't complain\b|"
                           r"\bno objection")
_NO = re.compile(r"\b(?:no|nope|nah|naw|na|nay|noe|not|wrong|incorrect|negative|never|don't|dont|do not|isn't|"
                 r"ain't|wasn't|cancel|start over|try again|uh uh|uh-uh|mm mm|nuh uh|false|mistake|change|redo|"
                 r"neither|nein|non)\b")
_YES = re.compile(r"\b(?:yes|yeah|yea|yep|yup|ya|yah|yas|yess|yeh|ye|aye|sure|shore|correct|collect|corect|right|"
                  r"exactly|absolutely|definitely|certainly|indeed|of course|ok|okay|o k|k|alright|all right|"
                  r"sounds good|perfect|great|good|fine|confirm|confirmed|go ahead|please do|do it|affirmative|"
                  r"uh huh|uh-huh|mhm|mm hmm|mmhmm|yes please|that works|works|true|book it|you got it|that's it|"
                  r"(?:use|keep|take) (?:this|that|the same|my|the) (?:number|one)|same number|"
                  r"(?:number|one) i'm calling from|"
                  r"i guess so|i think so|guess so|think so|believe so|si|oui|bingo|precisely|totally|agreed|"
                  r"sounds right|spot on|please)\b")


def interpret_yes_no(text: str, **_: Any) -> dict[str, Any]:
    """True for yes, False for no, null when the caller is unsure or said something else."""
    said = " ".join(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", plain(text)))
    if not said:
        return {"value": None, "reason": "nothing said"}
    said = said.replace("that is", "that's")
    if said in ("know", "now", "nor", "knew"):
        return {"value": False, "confidence": 0.7}
    if _YES_AFTER_NO.search(said):
        return {"value": True, "confidence": 0.85}
    if _NO_AFTER_YES.search(said):
        return {"value": False, "confidence": 0.9}
    no = _NO.search(said)
    yes = _YES.search(said)
    if _UNSURE.search(said) and yes and no:
        return {"value": None, "reason": "the caller is unsure"}
    if _UNSURE.search(said) and not (yes and yes.start() == 0) and not (no and no.start() == 0):
        return {"value": None, "reason": "the caller is unsure"}
    if no and re.search(r"\b(?:not|isn't|wasn't|ain't|don't)\b", said) and yes and yes.start() > no.start():
        return {"value": False, "confidence": 0.9}
    if yes and no:
        first_is_yes = yes.start() < no.start()
        if re.fullmatch(r"(?:yeah|yes) no\b.*", said):
            first_is_yes = False
        return {"value": first_is_yes, "confidence": 0.6}
    if no:
        return {"value": False, "confidence": 0.95 if no.start() == 0 else 0.85}
    if yes:
        return {"value": True, "confidence": 0.95 if yes.start() == 0 else 0.85}
    return {"value": None, "reason": "neither yes nor no"}
