"""The one place that reads settings and builds the engine, the key cache, the clock and the
adapter registry. The app, the worker, the CLI and the tests all start here."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine

from services.app.product_cache import ProductCache
from services.auth import KeyCache, StoredKey
from services.clock import Clock, system_clock
from services.db.engine import make_engine
from services.registry import AdapterRegistry
from services.settings import Settings


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    from services.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


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
            row = await raw.fetchrow(
                "SELECT id, key_hash, role, satker_id, warung_id, supplier_id,"
                " revoked_at IS NOT NULL AS revoked FROM api_key WHERE prefix = $1",
                prefix,
            )
        return msgspec.convert(dict(row), StoredKey) if row else None

    async def close(self) -> None:
        """Close every supplier adapter (their HTTP clients), then the engine."""
        await self.adapters.aclose()
        await self.engine.dispose()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock | None = None,
    adapters: AdapterRegistry | None = None,
) -> Container:
    settings = settings or Settings.from_env()
    if engine is None:
        engine = make_engine(resolve_database_url(settings), pool_size=settings.db_pool_size)
    return Container(
        settings=settings,
        engine=engine,
        clock=clock or system_clock,
        adapters=adapters or AdapterRegistry(),
    )
