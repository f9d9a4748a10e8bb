"""What the use cases are given: settings, the engine, the clock, the adapter registry and the
in-process caches. :func:`services.bootstrap.bootstrap` builds it; the app, the worker, the CLI
and the tests hold one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import msgspec
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from services.app.product_cache import ProductCache
from services.auth import KEY_REVOKED_CHANNEL, KeyCache, StoredKey
from services.clock import Clock, system_clock
from services.registry import AdapterRegistry
from services.settings import Settings

log = structlog.get_logger(__name__)


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    clock: Clock = system_clock
    adapters: AdapterRegistry = field(default_factory=AdapterRegistry)
    product_cache: ProductCache = field(default_factory=ProductCache)
    keys: KeyCache = field(init=False)

    def __post_init__(self) -> None:
        self.keys = KeyCache(self._load_key, ttl=self.settings.api_key_cache_seconds)

    async def _load_key(self, prefix: str) -> StoredKey | None:
        async with self.engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            if raw is None:  # only a connection closed under us has none
                raise RuntimeError("the pooled connection has no driver connection")
            row = await raw.fetchrow(
                "SELECT id, key_hash, role, satker_id, warung_id, supplier_id,"
                " revoked_at IS NOT NULL AS revoked FROM api_key WHERE prefix = $1",
                prefix,
            )
        return msgspec.convert(dict(row), StoredKey) if row else None

    @contextlib.asynccontextmanager
    async def key_revocations(self) -> AsyncIterator[None]:
        """While open, a revocation committed by any process (``pg_notify`` on
        :data:`KEY_REVOKED_CHANNEL`) evicts the key from this process's cache at once. A lost
        connection is re-made; the cache is emptied then, since notifications may have been
        missed meanwhile (the TTL bounds that gap in any case)."""
        subscribed = asyncio.Event()
        task = asyncio.create_task(self._listen_for_revocations(subscribed))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(subscribed.wait(), timeout=10)  # serve anyway: the TTL holds
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen_for_revocations(self, subscribed: asyncio.Event) -> None:
        import asyncpg

        _, params = self.engine.dialect.create_connect_args(self.engine.url)
        delay = 0.5
        while True:
            lost = asyncio.Event()
            try:
                conn = await asyncpg.connect(**params, timeout=10)
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning("key_revocation_listener_unavailable", error=str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            try:
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(
                    KEY_REVOKED_CHANNEL, lambda _c, _pid, _ch, prefix: self.keys.invalidate(prefix)
                )
                self.keys.invalidate()  # anything revoked while we were not listening
                subscribed.set()
                delay = 0.5
                await lost.wait()
                log.warning("key_revocation_listener_lost")
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.shield(conn.close(timeout=2))

    async def close(self) -> None:
        """Close every supplier adapter (their HTTP clients), then the engine."""
        await self.adapters.aclose()
        await self.engine.dispose()
