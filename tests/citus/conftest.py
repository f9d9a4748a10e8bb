"""Tests that only mean something on a Citus cluster. They are collected only with
``KULAKAN_TEST_CITUS=1`` (see tests/conftest.py) and then fail, never skip, when the test
server is not a Citus coordinator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@pytest.fixture
async def statements(database_url: str) -> AsyncIterator[tuple[AsyncEngine, list[Any]]]:
    """An engine whose connections record every statement they run (query text and
    arguments), for the routing checks."""
    from services.db.engine import make_engine

    engine = make_engine(database_url, pool_size=2)
    seen: list[Any] = []

    @event.listens_for(engine.sync_engine, "connect")
    def _record(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(seen.append)

    async with engine.connect() as conn:
        citus = (
            await conn.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')"
            )
        ).scalar()
    assert citus, "KULAKAN_TEST_CITUS=1 needs KULAKAN_TEST_DATABASE_URL on a Citus coordinator"
    seen.clear()
    yield engine, seen
    await engine.dispose()


@pytest.fixture
def make_container(
    engine: AsyncEngine, statements: tuple[AsyncEngine, list[Any]]
) -> Callable[..., object]:
    """As the shared fixture, on the recording engine (after ``engine`` emptied the tables)."""
    from services.bootstrap import Container
    from services.settings import Settings

    recording, _ = statements

    def make(**kwargs: object) -> object:
        settings = kwargs.pop("settings", None) or Settings(api_key_cache_seconds=0.0)
        return Container(settings=settings, engine=recording, **kwargs)  # type: ignore[arg-type]

    return make
