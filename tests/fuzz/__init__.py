"""Our own fuzzer: generated requests to every internal, staff and Twilio route of the whole system."""
