import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.escalations.webhook_verify import WebhookVerificationError, secret_key, sign, verify

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
NOW = 1_800_000_000
BODY = json.dumps({"type": "escalation.opened", "escalation": "e1"}).encode()


def _headers(*, msg_id="msg_1", timestamp=NOW, body=BODY, secret=SECRET):
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body),
    }


def test_genuine_message_verifies_and_returns_payload():
    assert verify(secret=SECRET, headers=_headers(), body=BODY, now=NOW) == json.loads(BODY)


def test_header_names_are_case_insensitive():
    headers = {key.title(): value for key, value in _headers().items()}
    assert verify(secret=SECRET, headers=headers, body=BODY, now=NOW)["escalation"] == "e1"


def test_signature_matches_the_standard_webhooks_test_vector():
    # The example from the Standard Webhooks specification (github.com/standard-webhooks/standard-webhooks).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign(secret=secret, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330, body=body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_tampered_body_is_refused():
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify(secret=SECRET, headers=_headers(), body=BODY.replace(b"e1", b"e2"), now=NOW)


def test_wrong_secret_is_refused():
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify(secret=other, headers=_headers(), body=BODY, now=NOW)


@pytest.mark.parametrize("skew", [-301, 301, -86400])
def test_old_or_future_timestamp_is_refused(skew):
    headers = _headers(timestamp=NOW + skew)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(secret=SECRET, headers=headers, body=BODY, now=NOW)


def test_timestamp_at_the_edge_of_the_tolerance_passes():
    assert verify(secret=SECRET, headers=_headers(timestamp=NOW - 300), body=BODY, now=NOW)


def test_timestamp_is_part_of_the_signature():
    headers = _headers()
    headers["webhook-timestamp"] = str(NOW + 1)
    with pytest.raises(WebhookVerificationError, match="signature"):
        verify(secret=SECRET, headers=headers, body=BODY, now=NOW)


def test_replayed_id_is_refused():
    seen = set()
    verify(secret=SECRET, headers=_headers(), body=BODY, now=NOW, seen_ids=seen)
    assert seen == {"msg_1"}
    with pytest.raises(WebhookVerificationError, match="already processed"):
        verify(secret=SECRET, headers=_headers(), body=BODY, now=NOW + 5, seen_ids=seen)


def test_forged_message_does_not_mark_its_id_seen():
    seen = set()
    with pytest.raises(WebhookVerificationError):
        verify(secret=SECRET, headers=_headers(), body=b"{}", now=NOW, seen_ids=seen)
    assert seen == set()


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_refused(missing):
    headers = _headers()
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="missing header"):
        verify(secret=SECRET, headers=headers, body=BODY, now=NOW)


def test_one_matching_signature_among_several_is_enough():
    headers = _headers()
    headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
    assert verify(secret=SECRET, headers=headers, body=BODY, now=NOW)


def test_secret_without_prefix_is_used_as_bytes():
    assert secret_key("legacy-secret") == b"legacy-secret"
    assert secret_key(SECRET) == b"k" * 32


@given(st.binary(max_size=200), st.binary(min_size=1, max_size=200))
def test_any_body_change_breaks_the_signature(body, extra):
    headers = _headers(body=body)
    with pytest.raises(WebhookVerificationError):
        verify(secret=SECRET, headers=headers, body=body + extra, now=NOW)
