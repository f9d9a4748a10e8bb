"""Engine construction and driver-error translation."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, *, pool_size: int = 10, null_pool: bool = False) -> AsyncEngine:
    kwargs: dict[str, object] = {
        "json_serializer": lambda v: json.dumps(v, ensure_ascii=False, default=str),
        "connect_args": {"server_settings": {"timezone": "UTC", "application_name": "kulakan"}},
    }
    if null_pool:
        from sqlalchemy.pool import NullPool

        kwargs["poolclass"] = NullPool
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)
    return create_async_engine(url, **kwargs)
