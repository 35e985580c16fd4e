"""Hypothesis strategies for hostile input: the text an attacker, a broken client or a confused
speech recogniser could put in a Twilio parameter or an internal JSON body."""

from __future__ import annotations

from hypothesis import strategies as st

HOSTILE_FRAGMENTS = (
    "'; DROP TABLE appointments; --", "\" OR 1=1 --", "<Say>injected</Say>", "</Response><Dial>+19005550000</Dial>",
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY y SYSTEM 'file:///etc/passwd'>]>&y;", "]]>", "&amp;&lt;&#0;",
    "{{7*7}}", "${jndi:ldap://x}", "%s%s%s%n", "\u202e\u200b\ufeff", "\x00\x01\x02\x1b[31m", "\ud7ff\ue000\U0010ffff",
    "🦷📞 Dr. Chén ñ", "1" * 40, "#*#*", "-1", "9" * 400, "NaN", "null", "", " ", "\r\n\t",
)


def hostile_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Random unicode (control characters included), known nasty fragments, or a mix of both."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(HOSTILE_FRAGMENTS),
        st.lists(st.sampled_from(HOSTILE_FRAGMENTS), max_size=5).map("".join),
        st.integers(min_value=1, max_value=200_000).map(lambda size: "book " * (size // 5)),
    )


TWILIO_FIELDS = ("CallSid", "From", "To", "Digits", "SpeechResult", "Confidence", "CallStatus", "CallDuration",
                 "AccountSid", "Direction")


def twilio_params() -> st.SearchStrategy[dict[str, str]]:
    """Twilio-like form parameters where any field may be missing, hostile or huge."""
    return st.dictionaries(st.sampled_from(TWILIO_FIELDS), hostile_text(), max_size=len(TWILIO_FIELDS))


def json_values() -> st.SearchStrategy:
    """Any JSON document, nested a little."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text(80))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)


def json_bodies(field_names: tuple[str, ...]) -> st.SearchStrategy:
    """JSON objects that mostly use the route's own field names (so validation goes deep), or anything."""
    known = (st.dictionaries(st.sampled_from(field_names), json_values(), max_size=len(field_names))
             if field_names else st.nothing())
    return st.one_of(known, json_values())

FIELD_NAMES = (
    "doctor_id", "start", "patient", "call_sid", "name", "phone", "email", "address", "kind", "text", "timezone",
    "now", "doctors", "region", "clinic", "language", "patient_data", "idempotency_key", "to", "clinic_id",
    "appointment_id", "first_name", "clinic_name", "doctor_name", "starts_at", "from", "near", "limit", "number",
    "status", "upcoming", "purpose", "reason", "appointment", "new_start", "replace", "voice_id", "slug",
)
PLAUSIBLE = (
    1, 2, 0, -1, 2**31, 2**63, 10**30, 1.5, True, "1", "2026-12-01T10:00:00-05:00", "2026-12-01T10:00:00",
    "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00+00:00", "yesterday", "Not/AZone", "America/New_York",
    "+16175550123", "+1", "riverside", "intent", "datetime", "doctor", "name", "phone", "yes_no",
    "booked", "cancelled", "confirmation", {"name": "Jane Doe", "phone": "+16175550123"}, [{"id": 1, "name": "x"}],
    [], {}, None,
)


def field_values() -> st.SearchStrategy:
    """Values that look right for some field, so validation passes often enough to reach deeper code."""
    return st.one_of(st.sampled_from(PLAUSIBLE), json_values())


def query_params() -> st.SearchStrategy[dict[str, str]]:
    """Query strings with the usual field names and hostile or plausible values."""
    return st.dictionaries(st.sampled_from(FIELD_NAMES),
                           st.one_of(hostile_text(60), st.sampled_from(PLAUSIBLE).map(str)), max_size=6)


def plausible_bodies() -> st.SearchStrategy:
    """JSON objects built from the usual field names, or any JSON at all."""
    return st.one_of(st.dictionaries(st.sampled_from(FIELD_NAMES), field_values(), max_size=8), json_values())
