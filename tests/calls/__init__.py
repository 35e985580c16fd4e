"""Phone flows beyond booking: cancel, reschedule, check availability, and call outcomes."""
