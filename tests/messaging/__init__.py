"""Tests of SMS: sending exactly once, status callbacks, reminders, replies and opt-outs."""
