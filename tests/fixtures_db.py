"""Database fixtures: one freshly created PostgreSQL database per test run (per xdist
worker), migrated once with Alembic, emptied before each test that uses it.

``KULAKAN_TEST_DATABASE_URL`` names a server to create it on (CI: the machine's PostgreSQL);
without it the embedded server is started under ``.kulakan/test`` (or
``KULAKAN_TEST_DATA_DIR``) and stopped when the session ends — unless it was already running
when the session began. No reachable server is a failure, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

ROOT = Path(__file__).resolve().parent.parent
_EMBEDDED_WAS_RUNNING = pytest.StashKey[bool]()
CITUS_TEST_SHARDS = 4


def _embedded_dir() -> Path:
    return Path(os.environ.get("KULAKAN_TEST_DATA_DIR") or ROOT / ".kulakan" / "test")


def _server_url() -> str:
    url = os.environ.get("KULAKAN_TEST_DATABASE_URL")
    if url:
        return url
    from services.db.embedded import start_embedded

    return start_embedded(_embedded_dir(), database="postgres")


def pytest_configure(config: pytest.Config) -> None:
    """Note whether the embedded test server runs before the session (in the controlling
    process only: xdist workers start it on demand and leave it to the controller)."""
    if os.environ.get("KULAKAN_TEST_DATABASE_URL") or hasattr(config, "workerinput"):
        return
    from services.db.embedded import is_running

    config.stash[_EMBEDDED_WAS_RUNNING] = is_running(_embedded_dir())


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the embedded test server if this session started it."""
    if config.stash.get(_EMBEDDED_WAS_RUNNING, True):
        return
    from services.db.embedded import stop_embedded

    stop_embedded(_embedded_dir())


def _dsn(url: str) -> str:
    """An asyncpg DSN from a SQLAlchemy URL."""
    u = make_url(url).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(url), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    from services.db.citus_databases import create_database, drop_database
    from services.db.migrate import upgrade

    server = _server_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"kulakan_test_{worker}_{uuid.uuid4().hex[:8]}"
    # On a Citus coordinator the database is made on every worker too, with few shards per
    # table (each test empties every shard); on PostgreSQL this is a plain CREATE DATABASE.
    asyncio.run(create_database(server, name, shard_count=CITUS_TEST_SHARDS))
    url = with_database(server, name)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(drop_database(server, name))


@pytest.fixture(scope="session")
async def _engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    from services.db.engine import make_engine

    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


_TABLES: list[str] = []


@pytest.fixture
async def engine(_engine: AsyncEngine) -> AsyncEngine:
    """The test database, emptied of every row (reference data included)."""
    async with _engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        if not _TABLES:
            # (on a Citus coordinator the engine sees shards too: table_<shard id>)
            rows = await raw.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version' AND tablename !~ '_[0-9]+$'"
            )
            _TABLES.extend(sorted(r["tablename"] for r in rows))
        await raw.execute(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY CASCADE")
    return _engine


@pytest.fixture
def make_container(engine: AsyncEngine) -> Callable[..., object]:
    from services.bootstrap import Container
    from services.settings import Settings

    def make(**kwargs: object) -> object:
        settings = kwargs.pop("settings", None) or Settings(api_key_cache_seconds=0.0)
        return Container(settings=settings, engine=engine, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def client(make_container: Callable[..., object]) -> AsyncIterator[object]:
    """An HTTP client on the app in this event loop (httpx over ASGI; no lifespan run)."""
    import httpx

    from services.api.app import create_app

    app = create_app(make_container())  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kulakan.test") as c:
        yield c
