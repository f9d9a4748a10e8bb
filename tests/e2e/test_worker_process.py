"""The real ``kulakan worker`` process applies cut-offs that passed while no worker ran and
consolidates the closed cycle into a bulk buy."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import text

from tests.fixtures_db import ROOT
from tests.support import new_satker


async def test_worker_once_closes_and_consolidates_a_cycle_whose_cut_off_passed(
    engine, database_url
):
    satker = await new_satker(engine)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
                " delivery_date, status) VALUES (:s, 'Sembako mingguan', ARRAY['sembako'],"
                " now() - interval '2 days', now() - interval '1 hour', current_date, 'open')"
            ),
            {"s": satker},
        )
        await conn.execute(
            text(
                "INSERT INTO idempotency_record (principal, key, request_hash, method, path,"
                " status_code, response_headers, response_body, expires_at) VALUES"
                " ('key:1', 'old', 'h', 'POST', '/x', 201, '{}', '', now() - interval '1 minute')"
            )
        )
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": database_url,
        "KULAKAN_LOG_JSON": "1",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", "worker", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "idempotency_purge=1" in result.stdout
    async with engine.connect() as conn:
        status = (
            await conn.execute(
                text("SELECT status FROM order_cycle WHERE satker_id = :s"), {"s": satker}
            )
        ).scalar()
        left = (await conn.execute(text("SELECT count(*) FROM idempotency_record"))).scalar()
        bulk_buys = (await conn.execute(text("SELECT count(*) FROM bulk_buy"))).scalar()
    assert status == "consolidated" and bulk_buys == 1
    assert left == 0
