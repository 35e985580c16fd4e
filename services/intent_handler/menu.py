"""The main menu's logic: keys and words to a choice, and where each choice leads."""

from __future__ import annotations

from flask import Response

from shared.conversation import Turn
from shared.service_client import ServiceCallError

KEY_CHOICES = {"1": "book", "2": "cancel", "3": "reschedule", "4": "availability", "5": "staff"}
CHOICE_ROUTES = {
    "book": "/book-appointment",
    "cancel": "/cancel-appointment",
    "reschedule": "/reschedule-appointment",
    "availability": "/check-availability",
}


def understand_choice(turn: Turn) -> str | None:
    """The caller's choice from keys, or from words through receptionist_agent."""
    if turn.digits:
        return KEY_CHOICES.get(turn.digits[:1])
    if not turn.speech:
        return None
    try:
        answer = turn.deps.client.post("receptionist_agent", "/agent/interpret", {"kind": "intent", "text": turn.speech})
    except ServiceCallError:
        return None
    return answer.get("value")


def handle_selection(turn: Turn) -> Response:
    """Route a menu answer: go to the chosen flow, put through to staff, or ask again."""
    choice = understand_choice(turn)
    if choice == "staff":
        turn.record_step("menu:staff")
        return turn.transfer()
    if choice in CHOICE_ROUTES:
        turn.clear_failures("menu")
        turn.record_step(f"menu:{choice}")
        return turn.redirect(CHOICE_ROUTES[choice])
    return turn.ask_again_or_transfer("menu", lambda: turn.menu("Sorry, I didn't catch that."),
                                      "I'm sorry, I didn't get that.")
