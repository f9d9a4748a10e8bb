"""Signed, expiring confirmation links for traders without a system.

A token is ``<payload>.<signature>``: the payload is base64url (no padding) of a small JSON
object (PO number, supplier id, expiry as Unix seconds) and the signature is base64url of
HMAC-SHA256 over the encoded payload. Anyone holding the link can confirm that one order
until it expires; changing any character breaks the signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import msgspec

from contracts.errors import RuleViolation, Unauthorized

DEFAULT_LINK_TTL = timedelta(hours=24)
_DOMAIN = b"kulakan.trader-confirmation.v1:"


class LinkTampered(Unauthorized):
    """The token was not made by us: altered, truncated or signed with another secret."""

    code = "link-tampered"
    title = "Confirmation link is not valid"


class LinkExpired(RuleViolation):
    """The token is ours but its time is up."""

    code = "link-expired"
    title = "Confirmation link has expired"


class LinkPayload(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    rename={"po_number": "po", "supplier_id": "sid", "expires_at_unix": "exp"},
):
    po_number: str
    supplier_id: int
    expires_at_unix: int

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires_at_unix, UTC)


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(LinkPayload)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(encoded_payload: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), _DOMAIN + encoded_payload.encode("ascii"), hashlib.sha256)
    return _b64(mac.digest())


def sign_confirmation_token(
    *, po_number: str, supplier_id: int, secret: str, expires_at: datetime
) -> str:
    """A token for one order's confirmation page, valid until ``expires_at``."""
    if not secret:
        raise ValueError("a confirmation link needs a secret")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    payload = LinkPayload(
        po_number=po_number, supplier_id=supplier_id, expires_at_unix=int(expires_at.timestamp())
    )
    encoded = _b64(_encoder.encode(payload))
    return f"{encoded}.{_signature(encoded, secret)}"


def read_confirmation_token(token: str, *, secret: str) -> LinkPayload:
    """The payload of a token signed with ``secret``, expired or not; raise LinkTampered."""
    if not secret:
        raise ValueError("a confirmation link needs a secret")
    encoded, dot, signature = token.strip().partition(".")
    if not (dot and encoded and encoded.isascii()) or not hmac.compare_digest(
        signature.encode("ascii", "replace"), _signature(encoded, secret).encode("ascii")
    ):
        raise LinkTampered("the confirmation link is not valid")
    try:
        return _decoder.decode(_unb64(encoded))
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:  # signed but unreadable
        raise LinkTampered("the confirmation link is not valid") from exc


def claimed_supplier_id(token: str) -> int | None:
    """The supplier a token says it is for, *unverified*: only to find the secret to verify
    it with. None if the token cannot even be read."""
    encoded, _, _ = token.strip().partition(".")
    try:
        return _decoder.decode(_unb64(encoded)).supplier_id
    except (binascii.Error, ValueError, msgspec.DecodeError):
        return None


def verify_confirmation_token(
    token: str, *, secret: str, now: datetime, supplier_id: int | None = None
) -> LinkPayload:
    """The payload of a good token. Raise LinkTampered if the token was not signed with
    ``secret`` (or is for another supplier), LinkExpired once ``now`` reaches its expiry."""
    payload = read_confirmation_token(token, secret=secret)
    if supplier_id is not None and payload.supplier_id != supplier_id:
        raise LinkTampered("the confirmation link is for another supplier")
    if now >= payload.expires_at:
        raise LinkExpired(
            "the confirmation link has expired",
            extra={"po_number": payload.po_number, "expired_at": payload.expires_at.isoformat()},
        )
    return payload
