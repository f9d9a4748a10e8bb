"""Engine construction and driver-error translation."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    null_pool: bool = False,
    pgbouncer: bool = False,
) -> AsyncEngine:
    """``max_overflow`` connections beyond ``pool_size`` are opened when all are busy and closed
    again when returned (``None``: as many as ``pool_size``). A server under steady load wants
    none: each reopened connection costs a connect and asyncpg's type introspection.

    ``pgbouncer``: the URL is a PgBouncer in transaction mode, where a connection's
    prepared statements do not outlive the transaction, so none is kept by name (asyncpg's
    statement cache and SQLAlchemy's are off; the unnamed statement of each query works)."""
    # asyncpg looks up the types of a connection's first statements in pg_type/pg_class; on
    # Citus that catalog query costs ~2 s per type while Citus hides its shards from
    # pg_class, so the hiding is off for our sessions (a harmless placeholder setting on
    # PostgreSQL without Citus). JIT never pays on these short statements either.
    connect_args: dict[str, object] = {
        "server_settings": {
            "timezone": "UTC",
            "application_name": "kulakan",
            "jit": "off",
            "citus.override_table_visibility": "off",
        }
    }
    if pgbouncer:
        connect_args.update(
            statement_cache_size=0,
            prepared_statement_cache_size=0,
            prepared_statement_name_func=lambda: f"__kulakan_{uuid.uuid4().hex}__",
        )
    kwargs: dict[str, object] = {
        "json_serializer": lambda v: json.dumps(v, ensure_ascii=False, default=str),
        "connect_args": connect_args,
    }
    if null_pool:
        from sqlalchemy.pool import NullPool

        kwargs["poolclass"] = NullPool
    else:
        overflow = pool_size if max_overflow is None else max_overflow
        kwargs.update(pool_size=pool_size, max_overflow=overflow, pool_pre_ping=False)
    return create_async_engine(url, **kwargs)
