"""The cancel conversation: find the appointment, read it, confirm, cancel; the SMS is queued by calendly."""

from __future__ import annotations

from flask import Response

from services.booking_handler import appointment_lookup as lookup
from services.booking_handler.understanding import YES_NO_HINTS, caller_said_yes
from shared.conversation import Turn
from shared.service_client import ServiceCallError


def start_cancellation(turn: Turn) -> Response:
    """Menu option 2."""
    return lookup.start(turn, "cancel", ask_confirmation)


def ask_confirmation(turn: Turn, intro: str = "") -> Response:
    """Read the appointment and ask whether to cancel it."""
    appointment = lookup.chosen_appointment(turn)
    text = (f"{intro} Your appointment is with {lookup.describe(turn, appointment)}. "
            "Would you like to cancel it? Press 1 for yes, or 2 for no.")
    return turn.ask("/confirm-cancellation", text.strip(), num_digits=1, hints=YES_NO_HINTS)


def confirm_cancellation(turn: Turn) -> Response:
    """Cancel on yes; keep the appointment and offer the menu on no; ask again otherwise."""
    decision = caller_said_yes(turn)
    if decision is None:
        return turn.ask_again_or_transfer("confirm_cancel", lambda: ask_confirmation(turn, "Sorry, I didn't get that."))
    turn.clear_failures("confirm_cancel")
    if decision is False:
        turn.session["outcome"] = "enquiry_only"
        return turn.menu("All right, your appointment is still booked.")
    return cancel(turn)


def cancel(turn: Turn) -> Response:
    """Ask calendly to cancel; cancelling is repeat-safe, so a Twilio retry of this step is harmless."""
    appointment = lookup.chosen_appointment(turn)
    answer = turn.deps.client.call("POST", "calendly", f"/calendly/appointments/{appointment['id']}/cancel",
                                   json={"reason": "cancelled by phone"})
    if answer.status in (404, 409):
        turn.say("I'm sorry, that appointment can no longer be changed by phone.")
        return turn.transfer()
    if not answer.ok:
        raise ServiceCallError("calendly", "/calendly/appointments/cancel", answer.status, "cancel refused")
    turn.record_step("cancelled")
    return turn.goodbye(
        f"Your appointment with {lookup.describe(turn, appointment)} is cancelled. "
        f"We'll send you a text message to confirm. Thank you for calling {turn.clinic['name']}. Goodbye.",
        outcome="cancelled",
    )
