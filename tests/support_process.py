"""Running kulakan's own commands as processes for tests: a free port, waiting for a URL
to answer, and the API server on the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from services.app.demo_run import free_port, wait_for
from tests.fixtures_db import ROOT

__all__ = ["api_server", "free_port", "wait_for"]


@contextlib.contextmanager
def api_server(database_url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``kulakan serve`` on the test database; yields its base URL. ``env`` adds settings."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": database_url,
        "KULAKAN_PUBLIC_BASE_URL": base,
        "KULAKAN_LOG_JSON": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/health/ready")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
