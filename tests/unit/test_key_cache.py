"""The API key cache: a bounded LRU for known keys, a separate short-lived one for unknown
prefixes, one look-up per prefix however many callers ask at once."""

from __future__ import annotations

import asyncio
import secrets

import msgspec
import pytest

from contracts.errors import Unauthorized
from services.auth import KeyCache, StoredKey, new_key


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Keys:
    """A key table in memory, counting look-ups."""

    def __init__(self) -> None:
        self.rows: dict[str, StoredKey] = {}
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    def add(self, role: str = "admin") -> str:
        plaintext, prefix, key_hash = new_key()
        self.rows[prefix] = StoredKey(
            id=len(self.rows) + 1,
            key_hash=key_hash,
            role=role,
            satker_id=None,
            warung_id=None,
            supplier_id=None,
            revoked=False,
        )
        return plaintext

    async def load(self, prefix: str) -> StoredKey | None:
        self.calls.append(prefix)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        return self.rows.get(prefix)


def random_key() -> str:
    return f"kul_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def bearer(key: str) -> str:
    return f"Bearer {key}"


async def test_a_flood_of_random_prefixes_does_not_evict_real_keys() -> None:
    keys, clock = Keys(), Clock()
    cache = KeyCache(keys.load, ttl=60, clock=clock)  # the sizes the server uses
    real = [keys.add() for _ in range(20)]
    for k in real:
        await cache.authenticate(bearer(k))
    assert len(keys.calls) == 20
    for _ in range(60_000):  # more than any bound the cache could have
        with pytest.raises(Unauthorized):
            await cache.authenticate(bearer(random_key()))
    keys.calls.clear()
    for k in real:
        assert (await cache.authenticate(bearer(k))).key_id >= 1
    assert keys.calls == []  # every real key still cached


async def test_an_unknown_prefix_is_looked_up_once_while_its_miss_is_cached() -> None:
    keys, clock = Keys(), Clock()
    cache = KeyCache(keys.load, ttl=5, clock=clock, miss_ttl=2)
    unknown = random_key()
    for _ in range(100):
        with pytest.raises(Unauthorized):
            await cache.authenticate(bearer(unknown))
    assert len(keys.calls) == 1
    clock.now = 2.5  # the miss has expired: asked again
    with pytest.raises(Unauthorized):
        await cache.authenticate(bearer(unknown))
    assert len(keys.calls) == 2


async def test_the_known_keys_are_a_bounded_lru() -> None:
    keys, clock = Keys(), Clock()
    cache = KeyCache(keys.load, ttl=60, clock=clock, size=3)
    a, b, c, d = (keys.add() for _ in range(4))
    for k in (a, b, c):
        await cache.authenticate(bearer(k))
    await cache.authenticate(bearer(a))  # a is now the most recently used
    await cache.authenticate(bearer(d))  # evicts b, the least recently used
    keys.calls.clear()
    for k in (a, c, d):
        await cache.authenticate(bearer(k))
    assert keys.calls == []
    await cache.authenticate(bearer(b))
    assert len(keys.calls) == 1


async def test_concurrent_callers_share_one_look_up() -> None:
    keys, clock = Keys(), Clock()
    cache = KeyCache(keys.load, ttl=5, clock=clock)
    key = keys.add()
    keys.gate = asyncio.Event()
    waiting = [asyncio.create_task(cache.authenticate(bearer(key))) for _ in range(50)]
    await keys.entered.wait()
    keys.gate.set()
    principals = await asyncio.gather(*waiting)
    assert {p.key_id for p in principals} == {1}
    assert len(keys.calls) == 1


async def test_a_malformed_prefix_is_refused_without_a_look_up() -> None:
    keys = Keys()
    cache = KeyCache(keys.load, ttl=5)
    for token in ("kul_nope_nope", "kul__x", f"kul_{'Z' * 12}_x", "kul_" + "a" * 40 + "_x"):
        with pytest.raises(Unauthorized):
            await cache.authenticate(bearer(token))
    assert keys.calls == []


async def test_invalidate_forgets_a_key_and_a_wrong_secret_is_refused() -> None:
    keys, clock = Keys(), Clock()
    cache = KeyCache(keys.load, ttl=60, clock=clock)
    key = keys.add()
    prefix = key.split("_")[1]
    await cache.authenticate(bearer(key))
    with pytest.raises(Unauthorized):
        await cache.authenticate(bearer(f"kul_{prefix}_wrong"))
    old = keys.rows[prefix]
    keys.rows[prefix] = msgspec.structs.replace(old, revoked=True)
    await cache.authenticate(bearer(key))  # still cached: TTL not over, nobody told us
    cache.invalidate(prefix)
    with pytest.raises(Unauthorized, match="revoked"):
        await cache.authenticate(bearer(key))
