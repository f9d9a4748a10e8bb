"""Running kulakan's own commands as processes for tests: a free port, waiting for a
condition, and the API server on the test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx

from services.app.demo_run import free_port
from tests.fixtures_db import ROOT

__all__ = ["answers", "api_server", "free_port", "wait_until"]


def wait_until(check, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def api_server(database_url: str) -> Iterator[str]:
    """``kulakan serve`` on the test database; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": database_url,
        "KULAKAN_PUBLIC_BASE_URL": base,
        "KULAKAN_LOG_JSON": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: answers(f"{base}/health/ready"), seconds=30)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
