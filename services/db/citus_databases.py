"""Creating and dropping a whole database on a Citus cluster.

Citus keeps its node list per database, and a new database on the coordinator is not made
on the workers: each needs the database and the extension, and the coordinator's copy needs
the nodes registered. These helpers do that, reading the workers from the database the
server URL names (where ``deploy/citus/cluster.sh up`` registered them). On a server without
Citus, :func:`cluster_workers` is empty and the callers do what they do on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Node:
    host: str
    port: int


def _dsn(
    url: str, *, host: str | None = None, port: int | None = None, db: str | None = None
) -> str:
    u = make_url(url).set(drivername="postgresql")
    if host is not None:
        u = u.set(host=host, port=port)
    if db is not None:
        u = u.set(database=db)
    return u.render_as_string(hide_password=False)


async def _run(dsn: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def cluster_workers(server_url: str) -> list[Node]:
    """The worker nodes registered in the server URL's database; empty when it is not a
    Citus coordinator."""
    conn = await asyncpg.connect(_dsn(server_url), timeout=10)
    try:
        if not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')"
        ):
            return []
        rows = await conn.fetch(
            "SELECT nodename, nodeport FROM pg_dist_node"
            " WHERE groupid <> 0 AND noderole = 'primary' ORDER BY nodeid"
        )
    finally:
        await conn.close()
    return [Node(r["nodename"], r["nodeport"]) for r in rows]


async def create_database(server_url: str, name: str, *, shard_count: int | None = None) -> bool:
    """Create database ``name`` on the server and, when it is a Citus coordinator, on every
    worker, with the extension and the nodes registered; returns whether it is Citus.
    ``shard_count`` sets the database's ``citus.shard_count`` (tables distributed later)."""
    workers = await cluster_workers(server_url)
    await _run(_dsn(server_url), f'CREATE DATABASE "{name}"')
    if not workers:
        return False
    for node in workers:
        await _run(_dsn(server_url, host=node.host, port=node.port), f'CREATE DATABASE "{name}"')
        await _run(
            _dsn(server_url, host=node.host, port=node.port, db=name), "CREATE EXTENSION citus"
        )
    coordinator = make_url(server_url)
    statements = [
        "CREATE EXTENSION citus",
        f"SELECT citus_set_coordinator_host('{coordinator.host}', {coordinator.port or 5432})",
        *(f"SELECT citus_add_node('{n.host}', {n.port})" for n in workers),
    ]
    if shard_count is not None:
        statements.append(f'ALTER DATABASE "{name}" SET citus.shard_count = {int(shard_count)}')
    await _run(_dsn(server_url, db=name), *statements)
    return True


async def drop_database(server_url: str, name: str) -> None:
    """Drop ``name`` on the server and on every worker of a Citus coordinator."""
    workers = await cluster_workers(server_url)
    await _run(_dsn(server_url), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for node in workers:
        await _run(
            _dsn(server_url, host=node.host, port=node.port),
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        )
