"""An in-process cache of the product catalogue for hot paths (restock submission).

Products are reference data that change rarely; an entry lives ``ttl`` seconds and a miss
loads just the missing ids in one query. Whoever changes a product in this process calls
:meth:`ProductCache.invalidate`; other processes see the change within ``ttl``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

DEFAULT_TTL_SECONDS = 30.0


class CachedProduct(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    category: str
    retail_unit: str
    fractional: bool
    active: bool


class ProductCache:
    def __init__(
        self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[int, tuple[float, CachedProduct | None]] = {}

    async def get_many(self, raw: Any, ids: Iterable[int]) -> dict[int, CachedProduct]:
        """Products by id; unknown ids are absent. ``raw`` is an asyncpg connection, used only
        on a miss."""
        now = self._clock()
        found: dict[int, CachedProduct] = {}
        missing: list[int] = []
        for pid in ids:
            hit = self._entries.get(pid)
            if hit is None or hit[0] < now:
                missing.append(pid)
            elif hit[1] is not None:
                found[pid] = hit[1]
        if missing:
            rows = await raw.fetch(
                "SELECT id, name, category, retail_unit, fractional, active"
                " FROM product WHERE id = ANY($1::bigint[])",
                missing,
            )
            expires = now + self._ttl
            if len(self._entries) > 100_000:
                self._entries.clear()
            for pid in missing:
                self._entries[pid] = (expires, None)
            for row in rows:
                product = CachedProduct(**dict(row))
                self._entries[product.id] = (expires, product)
                found[product.id] = product
        return found

    def invalidate(self, product_id: int | None = None) -> None:
        if product_id is None:
            self._entries.clear()
        else:
            self._entries.pop(product_id, None)
