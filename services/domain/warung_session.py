"""The rules of a warung owner's sign-in without a password: a signed, single-use link the
coordinator sends by WhatsApp, valid 30 minutes, which opens a session on that phone for 30
days. Pure: the caller passes ``now`` and the secret.

A link is ``<nonce>.<signature>``: the nonce is random, the signature an HMAC-SHA256 of it
under the service's secret key. What the link grants (which warung, until when, whether it was
used) is kept server-side under the nonce's SHA-256, so the link itself reveals nothing.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from datetime import datetime, timedelta

LINK_LIFETIME = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(days=30)
_PURPOSE = b"kulakan warung sign-in link\0"
_NONCE = re.compile(r"^[A-Za-z0-9_-]{20,80}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


class LinkVerdict(enum.StrEnum):
    VALID = "valid"  # start a session
    TAMPERED = "tampered"  # not a link we made: 400, nothing else said
    SPENT = "spent"  # expired, used or withdrawn: ask the coordinator for a new one


def sign(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), _PURPOSE + nonce.encode(), hashlib.sha256).hexdigest()


def make_token(secret: str, nonce: str) -> str:
    """The link's last path segment."""
    return f"{nonce}.{sign(secret, nonce)}"


def nonce_of(secret: str, token: str) -> str | None:
    """The nonce of a token whose signature is ours, else None (tampered or malformed)."""
    nonce, dot, signature = token.partition(".")
    if not dot or not _NONCE.match(nonce) or not _SIGNATURE.match(signature):
        return None
    return nonce if hmac.compare_digest(sign(secret, nonce), signature) else None


def link_id(nonce: str) -> str:
    """The stored key of a link: a leaked table does not hand out links."""
    return hashlib.sha256(nonce.encode()).hexdigest()


def link_expires_at(issued_at: datetime) -> datetime:
    return issued_at + LINK_LIFETIME


def link_verdict(
    signed: bool, expires_at: datetime | None, used_at: datetime | None, now: datetime
) -> LinkVerdict:
    """Whether a link opens a session. ``signed``: its signature is ours; ``expires_at`` and
    ``used_at`` from its stored row (``expires_at`` None: no row, e.g. withdrawn when the
    coordinator ended the warung's sessions)."""
    if not signed:
        return LinkVerdict.TAMPERED
    if expires_at is None or used_at is not None or now >= expires_at:
        return LinkVerdict.SPENT
    return LinkVerdict.VALID


def session_expires_at(created_at: datetime) -> datetime:
    """A warung's session lasts 30 days from the link's use, however often it is used: the
    phone is the owner's own, and a new link is one message away."""
    return created_at + SESSION_LIFETIME


def session_alive(created_at: datetime, now: datetime) -> bool:
    return now < session_expires_at(created_at)
