"""booking_handler routes: one thin view per step of the conversation."""

from __future__ import annotations

from services.booking_handler import appointment_lookup, availability, booking, cancellation, rescheduling
from shared.conversation import Turn
from shared.wiring import dependencies


def _turn() -> Turn:
    return Turn.begin(dependencies())


def book_appointment():
    """Start a booking: which doctor."""
    return booking.start_booking(_turn())


def capture_doctor_name():
    """The doctor, by key or name."""
    return booking.capture_doctor(_turn())


def confirm_doctor():
    """Yes or no to an uncertain doctor match."""
    return booking.confirm_doctor(_turn())


def capture_appointment_time():
    """The time, in the caller's words."""
    return booking.capture_time(_turn())


def choose_slot():
    """One of the offered free slots."""
    return booking.choose_slot(_turn())


def capture_user_name():
    """The caller's name."""
    return booking.capture_name(_turn())


def capture_user_phone():
    """The caller's phone number."""
    return booking.capture_phone(_turn())


def capture_user_address():
    """The caller's address."""
    return booking.capture_address(_turn())


def confirm_booking():
    """Yes books, no starts over."""
    return booking.confirm_booking(_turn())


def cancel_appointment():
    """Cancelling by phone: find the caller's appointments."""
    return cancellation.start_cancellation(_turn())


def reschedule_appointment():
    """Rescheduling by phone: find the caller's appointments."""
    return rescheduling.start_rescheduling(_turn())


def _after_choosing(turn: Turn) -> appointment_lookup.Proceed:
    action = turn.session.get("manage", {}).get("action")
    return rescheduling.ask_new_time if action == "reschedule" else cancellation.ask_confirmation


def choose_appointment():
    """One appointment from the numbered list."""
    turn = _turn()
    return appointment_lookup.choose_appointment(turn, _after_choosing(turn))


def capture_booking_phone():
    """The phone number the appointment was booked with."""
    turn = _turn()
    return appointment_lookup.capture_booking_phone(turn, _after_choosing(turn))


def confirm_cancellation():
    """Yes cancels, no keeps the appointment."""
    return cancellation.confirm_cancellation(_turn())


def capture_new_time():
    """The new time, in the caller's words."""
    return rescheduling.capture_new_time(_turn())


def choose_new_slot():
    """One of the offered free slots for the move."""
    return rescheduling.choose_new_slot(_turn())


def confirm_reschedule():
    """Yes moves, no keeps the appointment."""
    return rescheduling.confirm_reschedule(_turn())


def check_availability():
    """Checking a doctor's availability by phone: which doctor."""
    return availability.start_availability(_turn())


def capture_availability_doctor():
    """The doctor (or any doctor) whose free times to read."""
    return availability.capture_doctor(_turn())


def choose_available_slot():
    """Book one of the free times read out."""
    return availability.choose_available_slot(_turn())


def no_slots_choice():
    """Staff or a callback when nothing is free."""
    return availability.no_slots_choice(_turn())


VIEWS = {
    "/book-appointment": book_appointment,
    "/capture-doctor-name": capture_doctor_name,
    "/confirm-doctor": confirm_doctor,
    "/capture-appointment-time": capture_appointment_time,
    "/choose-slot": choose_slot,
    "/capture-user-name": capture_user_name,
    "/capture-user-phone": capture_user_phone,
    "/capture-user-address": capture_user_address,
    "/confirm-booking": confirm_booking,
    "/cancel-appointment": cancel_appointment,
    "/reschedule-appointment": reschedule_appointment,
    "/check-availability": check_availability,
    "/choose-appointment": choose_appointment,
    "/capture-booking-phone": capture_booking_phone,
    "/confirm-cancellation": confirm_cancellation,
    "/capture-new-time": capture_new_time,
    "/choose-new-slot": choose_new_slot,
    "/confirm-reschedule": confirm_reschedule,
    "/capture-availability-doctor": capture_availability_doctor,
    "/choose-available-slot": choose_available_slot,
    "/no-slots-choice": no_slots_choice,
}
