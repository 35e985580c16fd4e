"""Tests of the receptionist_agent service: interpreters, HTTP contract, validation, evaluation set."""
