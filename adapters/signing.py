"""HMAC-SHA256 signatures for webhooks: ``x-kulakan-timestamp`` (unix seconds) and
``x-kulakan-signature: sha256=<hex of HMAC(secret, "<timestamp>." + body)>``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from contracts.errors import Unauthorized

TIMESTAMP = "x-kulakan-timestamp"
SIGNATURE = "x-kulakan-signature"
MAX_SKEW_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signed_headers(secret: str, body: bytes, now: datetime) -> dict[str, str]:
    ts = int(now.timestamp())
    return {TIMESTAMP: str(ts), SIGNATURE: signature(secret, ts, body)}


def verify(secret: str, headers: Mapping[str, str], body: bytes, received_at: datetime) -> None:
    """Raise Unauthorized unless the body is signed with ``secret`` within five minutes."""
    if not secret:
        raise Unauthorized("this supplier has no webhook secret")
    raw_ts, given = headers.get(TIMESTAMP), headers.get(SIGNATURE)
    if not raw_ts or not given:
        raise Unauthorized("missing webhook signature headers")
    try:
        ts = int(raw_ts)
    except ValueError as exc:
        raise Unauthorized("malformed webhook timestamp") from exc
    if abs(received_at.timestamp() - ts) > MAX_SKEW_SECONDS:
        raise Unauthorized("webhook timestamp is more than 5 minutes off")
    if not hmac.compare_digest(given, signature(secret, ts, body)):
        raise Unauthorized("bad webhook signature")
