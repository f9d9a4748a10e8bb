"""The API server as a process on the test database, for tests that need a real server (the
process helpers themselves are ``services.processes``, shared with the demo)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from services.processes import free_port, start, stop, wait_for

__all__ = ["api_server"]


@contextlib.contextmanager
def api_server(
    database_url: str, env: dict[str, str] | None = None, *, workers: int = 1
) -> Iterator[str]:
    """``kulakan serve`` on the test database with ``workers`` processes; yields its base URL.
    ``env`` adds settings."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": database_url,
        "KULAKAN_PUBLIC_BASE_URL": base,
        "KULAKAN_LOG_JSON": "1",
        **(env or {}),
    }
    proc = start(["serve", "--port", str(port), "--workers", str(workers)], env=env)
    try:
        wait_for(f"{base}/health/ready", seconds=90)  # a loaded machine starts slowly
        yield base
    finally:
        stop(proc)
