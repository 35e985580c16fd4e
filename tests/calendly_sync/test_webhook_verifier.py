"""Calendly's webhook signature checked on its own: key required, header parsed strictly, the HMAC over
"<t>.<body>" compared, and the timestamp within the tolerance on both sides."""

from __future__ import annotations

import pytest

from services.calendly.webhooks import verify_signature
from shared.api import ApiError
from tests.calendly_sync.fake_calendly import sign

KEY, BODY, NOW, TOLERANCE = "signing-key", b'{"event":"invitee.created"}', 1_800_000_000, 180


def refusal(header, body=BODY, key=KEY, now=NOW) -> tuple[int, str]:
    with pytest.raises(ApiError) as refused:
        verify_signature(header, body, key, now, TOLERANCE)
    return refused.value.status, refused.value.error


def test_a_fresh_signature_over_the_body_passes_at_both_edges_of_the_tolerance():
    for stamp in (NOW, NOW - TOLERANCE, NOW + TOLERANCE):
        assert verify_signature(sign(BODY, KEY, stamp), BODY, KEY, NOW, TOLERANCE) is None


def test_no_key_configured_refuses_everything():
    for key in (None, ""):
        assert refusal(sign(BODY, "", NOW), key=key) == (401, "webhook_not_configured")


@pytest.mark.parametrize("header, expected", [
    (None, (401, "missing_signature")), ("", (401, "missing_signature")),
    ("garbage", (400, "malformed_signature")), ("t=1,v1", (400, "malformed_signature")),
    ("v1=00", (400, "malformed_signature")), (f"t={NOW}", (400, "malformed_signature")),
    ("t=abc,v1=00", (400, "malformed_signature")), (f"t={NOW},v1=00", (401, "bad_signature")),
])
def test_missing_and_malformed_headers(header, expected):
    assert refusal(header) == expected


def test_other_body_key_or_timestamp_do_not_match():
    good = sign(BODY, KEY, NOW)
    assert refusal(good, body=BODY + b" ") == (401, "bad_signature")
    assert refusal(sign(BODY, "other-key", NOW)) == (401, "bad_signature")
    stamp, digest = good.split(",")
    assert refusal(f"t={NOW + 1},{digest}") == (401, "bad_signature")
    assert verify_signature(f" {stamp} , {digest} ", BODY, KEY, NOW, TOLERANCE) is None  # spaces tolerated


def test_stale_or_future_timestamps_are_refused():
    assert refusal(sign(BODY, KEY, NOW - TOLERANCE - 1)) == (401, "stale_signature")
    assert refusal(sign(BODY, KEY, NOW + TOLERANCE + 1)) == (401, "stale_signature")
