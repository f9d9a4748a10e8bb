"""API keys and the caller's principal.

A key looks like ``kul_<prefix>_<secret>``; we store the prefix (for lookup) and a SHA-256 of
the whole key. Keys are 256-bit random, so a fast hash is enough: nothing to brute-force.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import msgspec

from contracts.errors import Forbidden, NotFound, Unauthorized

if TYPE_CHECKING:
    from services.db.tx import Tx


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    WARUNG = "warung"
    SUPPLIER = "supplier"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    key_id: int
    role: Role
    satker_id: int | None = None
    warung_id: int | None = None
    supplier_id: int | None = None

    @property
    def identity(self) -> str:
        return f"key:{self.key_id}"

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"role {self.role} may not do this")

    def satker_scope(self, satker_id: int) -> None:
        """Refuse (as not found) a satker outside the caller's scope."""
        if self.role == Role.ADMIN:
            return
        if self.satker_id != satker_id:
            raise NotFound(f"satker {satker_id} not found")

    def warung_scope(self, satker_id: int, warung_id: int) -> None:
        self.satker_scope(satker_id)
        if self.role == Role.WARUNG and self.warung_id != warung_id:
            raise NotFound(f"warung {warung_id} not found")


async def check_satker_scope(principal: Principal, satker_id: int, tx: Tx) -> None:
    """The one satker scope check of a request whose path names a satker: outside the caller's
    scope it does not exist, and for an admin (whose scope is every satker) it must exist."""
    principal.satker_scope(satker_id)
    if principal.role == Role.ADMIN:
        raw = await tx.raw()
        if not await raw.fetchval("SELECT EXISTS (SELECT 1 FROM satker WHERE id = $1)", satker_id):
            raise NotFound(f"satker {satker_id} not found")


class StoredKey(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    key_hash: str
    role: str
    satker_id: int | None
    warung_id: int | None
    supplier_id: int | None
    revoked: bool


def new_key() -> tuple[str, str, str]:
    """Return (plaintext key, prefix, hash)."""
    prefix = secrets.token_hex(6)
    plaintext = f"kul_{prefix}_{secrets.token_urlsafe(32)}"
    return plaintext, prefix, hash_key(plaintext)


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def parse_bearer(header: str | None) -> tuple[str, str]:
    """Return (plaintext, prefix) from an Authorization header, or raise Unauthorized."""
    if not header:
        raise Unauthorized("missing Authorization: Bearer <api key>")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected Authorization: Bearer <api key>")
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "kul" or not parts[1]:
        raise Unauthorized("malformed api key")
    return token, parts[1]


KeyLoader = Callable[[str], Awaitable[StoredKey | None]]


class KeyCache:
    """Looks keys up by prefix with a short TTL. Revocation through this process clears the
    entry at once; other processes see it within ``ttl`` seconds."""

    def __init__(
        self, loader: KeyLoader, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic
    ):
        self._loader = loader
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, StoredKey | None]] = {}

    async def authenticate(self, header: str | None) -> Principal:
        plaintext, prefix = parse_bearer(header)
        now = self._clock()
        hit = self._entries.get(prefix)
        if hit is None or hit[0] < now:
            stored = await self._loader(prefix)
            if len(self._entries) > 50_000:
                self._entries.clear()
            self._entries[prefix] = (now + self._ttl, stored)
        else:
            stored = hit[1]
        if stored is None or not hmac.compare_digest(stored.key_hash, hash_key(plaintext)):
            raise Unauthorized("unknown api key")
        if stored.revoked:
            raise Unauthorized("api key revoked")
        return Principal(
            key_id=stored.id,
            role=Role(stored.role),
            satker_id=stored.satker_id,
            warung_id=stored.warung_id,
            supplier_id=stored.supplier_id,
        )

    def invalidate(self, prefix: str | None = None) -> None:
        if prefix is None:
            self._entries.clear()
        else:
            self._entries.pop(prefix, None)
