"""intent_handler routes: the caller's menu choice."""

from __future__ import annotations

from services.intent_handler.menu import handle_selection
from shared.conversation import Turn
from shared.wiring import dependencies


def process_selection():
    """Act on the caller's menu choice (keypad or voice)."""
    return handle_selection(Turn.begin(dependencies()))


VIEWS = {"/process-selection": process_selection}
