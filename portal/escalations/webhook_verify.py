"""Reference verifier for Redress webhooks (Standard Webhooks scheme), standard library only.

Receivers may copy this file as is. Redress signs each message with HMAC-SHA256 over
"{webhook-id}.{webhook-timestamp}.{body}" using the endpoint secret, and sends "v1,<base64 signature>" in
`webhook-signature`. See docs/webhooks.md.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
DEFAULT_TOLERANCE = 300


class WebhookVerificationError(Exception):
    """The message is not a genuine, fresh, first-seen Redress webhook: do not act on it."""


def secret_key(secret: str) -> bytes:
    """The HMAC key: a "whsec_" secret is the base64 of the key bytes; a secret without the prefix (issued
    before the Standard Webhooks format) is used as its UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        try:
            return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
        except binascii.Error as error:
            raise WebhookVerificationError("malformed secret") from error
    return secret.encode()


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for a message."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    *,
    secret: str,
    headers: dict,
    body: bytes,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
    seen_ids: set | None = None,
) -> dict:
    """Check a received webhook and return its JSON payload.

    `body` must be the raw request body, exactly as received (not re-serialised JSON). `seen_ids` is the
    receiver's store of processed `webhook-id`s: a retry of a message already handled is refused, and the id is
    added once the message verifies. Raises WebhookVerificationError otherwise.
    """
    lowered = {str(key).lower(): value for key, value in headers.items()}
    try:
        msg_id = lowered["webhook-id"]
        timestamp_header = lowered["webhook-timestamp"]
        signatures = lowered["webhook-signature"]
    except KeyError as error:
        raise WebhookVerificationError(f"missing header {error.args[0]}") from error
    try:
        timestamp = int(timestamp_header)
    except ValueError as error:
        raise WebhookVerificationError("invalid timestamp") from error
    now = time.time() if now is None else now
    # Refusing old and future timestamps bounds how long a captured message could be replayed.
    if abs(now - timestamp) > tolerance:
        raise WebhookVerificationError("timestamp outside the tolerance")
    expected = sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body).encode()
    # The header may carry several space-separated signatures (e.g. while a secret is rotated): one match is enough.
    if not any(hmac.compare_digest(candidate.encode(), expected) for candidate in signatures.split()):
        raise WebhookVerificationError("no matching signature")
    if seen_ids is not None:
        if msg_id in seen_ids:
            raise WebhookVerificationError("message already processed")
        seen_ids.add(msg_id)
    try:
        return json.loads(body)
    except ValueError as error:
        raise WebhookVerificationError("body is not JSON") from error
