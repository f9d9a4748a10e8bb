"""A key revoked with ``kulakan keys revoke`` stops working at once on a running server, long
before its cache entry would expire: the revocation is a PostgreSQL notification every API
process listens to."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.api.registry import ApiKeyCreate, KeyRole
from services.app.api_keys import create_api_key
from services.db.tx import Tx
from tests.fixtures_db import ROOT
from tests.support_process import api_server

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


async def test_a_revoked_key_is_refused_at_once_by_a_running_server(
    engine: AsyncEngine, database_url: str
) -> None:
    async with Tx(engine) as tx:
        created = await create_api_key(tx, ApiKeyCreate(role=KeyRole.ADMIN, label="revoke me"))
    headers = {"Authorization": f"Bearer {created.key}"}
    # A cache entry would live ten minutes: only the notification can explain a quick refusal.
    with api_server(database_url, env={"KULAKAN_API_KEY_CACHE_SECONDS": "600"}) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            await check_revocation(http, headers, created.id, database_url)


async def check_revocation(
    http: httpx.AsyncClient, headers: dict[str, str], key_id: int, database_url: str
) -> None:
    assert (await http.get("/v1/satkers", headers=headers)).status_code == 200  # now cached
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", "keys", "revoke", str(key_id)],
        cwd=ROOT,
        env={**os.environ, "KULAKAN_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # The notification travels asynchronously after the revoking commit: poll briefly.
    deadline = time.monotonic() + 3
    status = (await http.get("/v1/satkers", headers=headers)).status_code
    while status == 200 and time.monotonic() < deadline:
        status = (await http.get("/v1/satkers", headers=headers)).status_code
    assert status == 401
    body = (await http.get("/v1/satkers", headers=headers)).json()
    assert body["detail"] == "api key revoked"
