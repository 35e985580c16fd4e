"""The main menu: 1 book, 2 cancel, 3 reschedule, 4 availability, 5 staff, by key or in the caller's
own words. Whatever else the caller said with their choice ("book with Dr. Chen on Tuesday at 10")
is kept by the runner, so the chosen flow starts at its first missing question."""

from __future__ import annotations

from shared.call_session import FlowName
from shared.dialogue.engine import NOT_UNDERSTOOD, Accepts, Conversation, Flow, Input, Outcome, Row, Step
from shared.dialogue.handover import hand_over
from shared.dialogue.ports import Reading

KEY_CHOICES = {"1": "book", "2": "cancel", "3": "reschedule", "4": "availability", "5": "staff"}
FLOW_CHOICES: dict[str, FlowName] = {"book": "book", "cancel": "cancel", "reschedule": "reschedule",
                                     "availability": "availability"}
MENU_HINTS = ("book", "cancel", "reschedule", "availability", "staff", "receptionist")


def _question(conversation: Conversation) -> list:
    first_time = conversation.session.steps == ["greeting"]
    return [conversation.text("menu.question" if first_time else "menu.again")]


def _read_choice(conversation: Conversation, given: Input, reading: Reading | None) -> Outcome:
    session = conversation.session
    choice = KEY_CHOICES.get(given.key) if given.digits else reading.intent if reading else None
    if choice == "staff":
        session.record_step("menu:staff")
        return hand_over(conversation, "staff_requested")
    flow = FLOW_CHOICES.get(choice or "")
    if flow is None:
        return NOT_UNDERSTOOD
    session.flow = flow
    return None


MENU = Step(
    name="menu", route="/process-selection", accepts=Accepts.BOTH, expects="intent",
    question=_question, retry=lambda c: [c.text("menu.retry")], read=_read_choice,
    hints=lambda c: MENU_HINTS, handover_reason="menu", reads_staff_requests=True,
)
MENU_FLOW = Flow("menu", rows=(Row(MENU, lambda s: True),), finish=lambda conversation: None)
