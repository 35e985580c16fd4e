"""booking_handler routes: one thin view per step of the conversation."""

from __future__ import annotations

from services.booking_handler import booking
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
    """Cancelling by phone."""
    return booking.not_yet_by_phone(_turn(), "cancel an appointment")


def reschedule_appointment():
    """Rescheduling by phone."""
    return booking.not_yet_by_phone(_turn(), "reschedule an appointment")


def check_availability():
    """Checking a doctor's availability by phone."""
    return booking.not_yet_by_phone(_turn(), "check a doctor's availability")


VIEWS = {
    "/book-appointment": book_appointment,
    "/capture-doctor-name": capture_doctor_name,
    "/capture-appointment-time": capture_appointment_time,
    "/choose-slot": choose_slot,
    "/capture-user-name": capture_user_name,
    "/capture-user-phone": capture_user_phone,
    "/capture-user-address": capture_user_address,
    "/confirm-booking": confirm_booking,
    "/cancel-appointment": cancel_appointment,
    "/reschedule-appointment": reschedule_appointment,
    "/check-availability": check_availability,
}
