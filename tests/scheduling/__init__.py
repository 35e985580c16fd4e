"""Free-slot rules: grid, DST, lead time, horizon, exceptions; the cancel and reschedule API."""
