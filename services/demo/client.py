"""How the demo's parties call the API: a bearer header, a status check that names the call
that failed, and polling until a condition holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def check(response: httpx.Response, *ok: int) -> Any:
    """The response's JSON when its status is one of ``ok`` (200 or 201 by default)."""
    if response.status_code not in (ok or (200, 201)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
    return response.json()


async def until(condition: Callable[[], Awaitable[Any]], seconds: float, what: str) -> Any:
    """The first truthy result of ``condition``, asked every 0.3 s; RuntimeError after
    ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = await condition()
        if result:
            return result
        await asyncio.sleep(0.3)
    raise RuntimeError(f"timed out waiting for {what}")
