"""The edges of log redaction: which registered values count, longest first, IP addresses with many
digits, and string extras under any name scrubbed like the message."""

from __future__ import annotations

import io
import json
import logging

from flask import Flask

from shared.log import JsonFormatter, RedactionFilter, register_sensitive, scrub


def test_values_of_two_characters_or_more_are_registered_and_blanks_ignored():
    with Flask("t").test_request_context("/"):
        register_sensitive("A", None, "", "  ", " Jo ")
        assert scrub("A and Jo and jo") == "A and [redacted] and [redacted]"


def test_longer_values_are_masked_before_their_prefixes():
    with Flask("t").test_request_context("/"):
        register_sensitive("Ann", "Ann Leeds")
        assert scrub("for Ann Leeds and Ann") == "for [redacted] and [redacted]"


def test_outside_a_request_nothing_is_registered():
    register_sensitive("Grace")
    assert scrub("Grace") == "Grace"


def test_an_ip_address_with_many_digits_is_not_a_phone_number():
    assert scrub("from 192.168.100.200 at 10.0.0.1") == "from 192.168.100.200 at 10.0.0.1"
    assert scrub("ring 617 555 0123") == "ring [phone]"


def test_string_extras_under_any_name_are_scrubbed_and_others_kept():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("redaction-rules-test")
    logger.addHandler(handler)
    try:
        logger.warning("note %s", "x", extra={"note": "caller said +1 617 555 0123", "attempt": 2, "status": "ok"})
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["note"] == "caller said [phone]" and line["attempt"] == 2 and line["status"] == "ok"
    assert line["message"] == "note x"
