"""Schema migrations (Alembic) and the start-up check that the schema is current."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "kulakan db upgrade"


class SchemaNotCurrent(RuntimeError):
    pass


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s_%%(rev)s")
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Apply migrations. Runs Alembic in a worker thread when called inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(url), revision)
        return
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(command.upgrade, alembic_config(url), revision).result()


def script_heads(url: str = "postgresql://") -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(url)).get_heads())


async def ensure_schema_current(engine: AsyncEngine) -> None:
    """Refuse to serve on a database whose schema is behind the code."""
    async with engine.connect() as conn:
        current = await conn.run_sync(
            lambda c: set(MigrationContext.configure(c).get_current_heads())
        )
    wanted = script_heads()
    if current != wanted:
        state = ", ".join(sorted(current)) or "no migrations applied"
        raise SchemaNotCurrent(
            f"The database schema is not current ({state}; the code needs "
            f"{', '.join(sorted(wanted))}). Run `{UPGRADE_COMMAND}` to migrate it."
        )
