"""The one place that reads settings and builds the engine, the key cache, the clock and the
adapter registry into a :class:`Container`. The app, the worker, the CLI and the tests all start
here."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from services.app.container import Container
from services.clock import Clock, system_clock
from services.db.engine import make_engine
from services.registry import AdapterRegistry
from services.settings import Settings

__all__ = ["Container", "bootstrap", "resolve_database_url"]


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    from services.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock | None = None,
    adapters: AdapterRegistry | None = None,
) -> Container:
    settings = settings or Settings.from_env()
    if engine is None:
        engine = make_engine(
            resolve_database_url(settings),
            pool_size=settings.db_pool_size,
            max_overflow=0,
            pgbouncer=settings.db_pgbouncer,
        )
    return Container(
        settings=settings,
        engine=engine,
        clock=clock or system_clock,
        adapters=adapters or AdapterRegistry(),
    )
