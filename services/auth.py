"""API keys and the caller's principal.

A key looks like ``kul_<prefix>_<secret>``; we store the prefix (for lookup) and a SHA-256 of
the whole key. Keys are 256-bit random, so a fast hash is enough: nothing to brute-force.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import hmac
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import msgspec

from contracts.errors import Forbidden, NotFound, Unauthorized

KEY_REVOKED_CHANNEL = "kulakan_api_key_revoked"
"""PostgreSQL notification channel; the payload is the revoked key's prefix."""


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
    user_id: int | None = None  # a person signed in to the console (then key_id is 0)

    @property
    def identity(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"key:{self.key_id}"

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"role {self.role} may not do this")

    def acting_supplier(self) -> int:
        """The supplier a supplier's key acts for; Forbidden for any other role."""
        self.require(Role.SUPPLIER)
        if self.supplier_id is None:  # every supplier key names its supplier
            raise Forbidden("this key acts for no supplier")
        return self.supplier_id

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


_PREFIX = re.compile(r"[0-9a-f]{12}")


def parse_bearer(header: str | None) -> tuple[str, str]:
    """Return (plaintext, prefix) from an Authorization header, or raise Unauthorized. A prefix
    that :func:`new_key` could not have made is refused here, without a look-up."""
    if not header:
        raise Unauthorized("missing Authorization: Bearer <api key>")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("expected Authorization: Bearer <api key>")
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "kul" or not _PREFIX.fullmatch(parts[1]):
        raise Unauthorized("malformed api key")
    return token, parts[1]


KeyLoader = Callable[[str], Awaitable[StoredKey | None]]


class _Lru:
    """A bounded map from prefix to (expires, value); the least recently used entry goes first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[float, StoredKey | None]] = OrderedDict()

    def get(self, prefix: str, now: float) -> tuple[bool, StoredKey | None]:
        hit = self._entries.get(prefix)
        if hit is None:
            return False, None
        if hit[0] < now:
            del self._entries[prefix]
            return False, None
        self._entries.move_to_end(prefix)
        return True, hit[1]

    def put(self, prefix: str, expires: float, value: StoredKey | None) -> None:
        self._entries[prefix] = (expires, value)
        self._entries.move_to_end(prefix)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def pop(self, prefix: str) -> None:
        self._entries.pop(prefix, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class KeyCache:
    """Looks keys up by prefix and keeps them ``ttl`` seconds.

    Known keys and unknown prefixes live in two separate bounded LRU maps, so a flood of random
    prefixes can neither evict a real key nor cost a database look-up per repeated prefix (a miss
    is kept ``miss_ttl`` seconds), and concurrent look-ups of one prefix share one query.
    Revocation evicts at once: through this process by :meth:`invalidate`, in every other API
    process by the ``api_key_revoked`` notification (see :mod:`services.app.api_keys`); the
    TTL is the fallback when a notification is lost.
    """

    def __init__(
        self,
        loader: KeyLoader,
        ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        size: int = 20_000,
        miss_ttl: float = 2.0,
        miss_size: int = 10_000,
    ):
        self._loader = loader
        self._ttl = ttl
        self._miss_ttl = min(miss_ttl, ttl) if ttl > 0 else 0.0
        self._clock = clock
        self._known = _Lru(size)
        self._misses = _Lru(miss_size)
        self._pending: dict[str, asyncio.Future[StoredKey | None]] = {}
        self.lookups = 0  # database look-ups made, for tests and metrics

    async def _stored(self, prefix: str) -> StoredKey | None:
        now = self._clock()
        for lru in (self._known, self._misses):
            found, stored = lru.get(prefix, now)
            if found:
                return stored
        pending = self._pending.get(prefix)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[StoredKey | None] = asyncio.get_running_loop().create_future()
        self._pending[prefix] = future
        try:
            self.lookups += 1
            stored = await self._loader(prefix)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it as lost
            raise
        finally:
            self._pending.pop(prefix, None)
        future.set_result(stored)
        if stored is None:
            if self._miss_ttl > 0:
                self._misses.put(prefix, now + self._miss_ttl, None)
        elif self._ttl > 0:
            self._known.put(prefix, now + self._ttl, stored)
        return stored

    async def authenticate(self, header: str | None) -> Principal:
        plaintext, prefix = parse_bearer(header)
        stored = await self._stored(prefix)
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
            self._known.clear()
            self._misses.clear()
        else:
            self._known.pop(prefix)
            self._misses.pop(prefix)
