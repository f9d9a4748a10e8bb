"""Engine construction and driver-error translation."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(
    url: str, *, pool_size: int = 10, max_overflow: int | None = None, null_pool: bool = False
) -> AsyncEngine:
    """``max_overflow`` connections beyond ``pool_size`` are opened when all are busy and closed
    again when returned (``None``: as many as ``pool_size``). A server under steady load wants
    none: each reopened connection costs a connect and asyncpg's type introspection."""
    kwargs: dict[str, object] = {
        "json_serializer": lambda v: json.dumps(v, ensure_ascii=False, default=str),
        "connect_args": {"server_settings": {"timezone": "UTC", "application_name": "kulakan"}},
    }
    if null_pool:
        from sqlalchemy.pool import NullPool

        kwargs["poolclass"] = NullPool
    else:
        overflow = pool_size if max_overflow is None else max_overflow
        kwargs.update(pool_size=pool_size, max_overflow=overflow, pool_pre_ping=False)
    return create_async_engine(url, **kwargs)
