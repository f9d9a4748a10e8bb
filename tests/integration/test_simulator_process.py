"""The marketplace simulator as a real process, and a real worker process placing an order
with it exactly once — also when the worker is killed between the supplier's acceptance and
our commit."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from tests.fixtures_db import ROOT
from tests.support_purchasing import make_orders


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@pytest.fixture
def simulator() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "simulate",
            "marketplace",
            "--port",
            str(port),
            "--fail-first",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{base}/health"))
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run_worker(database_url: str, *, kill_after_send: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "KULAKAN_DATABASE_URL": database_url, "KULAKAN_LOG_JSON": "1"}
    if kill_after_send:
        env["KULAKAN_FAULT_KILL_AFTER_SEND"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "worker", "--once"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def counters(base: str) -> dict:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{base}/_admin/counters")).json()


async def marketplace_supplier(engine, base: str) -> tuple[int, int, int]:
    from tests.support import new_satker

    satker = await new_satker(engine)
    async with engine.begin() as conn:
        supplier = (
            await conn.execute(
                text(
                    "INSERT INTO supplier (name, adapter_key, adapter_config, regions, webhook_secret)"
                    " VALUES ('Grosir Online', 'marketplace', CAST(:c AS jsonb), ARRAY['Kota Palembang'], 'sec')"
                    " RETURNING id"
                ),
                {"c": f'{{"base_url": "{base}", "max_attempts": 2}}'},
            )
        ).scalar()
        product = (
            await conn.execute(
                text(
                    "INSERT INTO product (sku, name, category, retail_unit) VALUES"
                    " ('MIE-GRG', 'Mie instan goreng', 'sembako', 'pcs') RETURNING id"
                )
            )
        ).scalar()
    return satker, supplier, product


async def test_a_worker_process_places_the_order_exactly_once(engine, database_url, simulator):
    satker, supplier, product = await marketplace_supplier(engine, simulator)
    [(_, number)] = await make_orders(engine, satker, supplier, product)
    # the simulator fails the first 3 attempts; the adapter retries twice per run
    first = await asyncio.to_thread(run_worker, database_url)
    assert first.returncode == 0, first.stderr[-2000:]
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE outbox SET due_at = now()"))  # skip the back-off
    second = await asyncio.to_thread(run_worker, database_url)
    assert second.returncode == 0, second.stderr[-2000:]
    seen = await counters(simulator)
    assert seen["orders"] == {number: 1} and seen["attempts"][number] == 4
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT status FROM purchase_order"))).scalar() == "sent"


async def test_killed_after_the_supplier_accepted_still_one_order(engine, database_url, simulator):
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(f"{simulator}/_admin/faults", json={})  # no failures this time
    satker, supplier, product = await marketplace_supplier(engine, simulator)
    [(_, number)] = await make_orders(engine, satker, supplier, product)
    killed = await asyncio.to_thread(run_worker, database_url, kill_after_send=True)
    assert killed.returncode == 137
    async with engine.begin() as conn:
        assert (await conn.execute(text("SELECT status FROM outbox"))).scalar() == "sending"
        await conn.execute(text("UPDATE outbox SET claimed_until = now() - interval '1 second'"))
    restarted = await asyncio.to_thread(run_worker, database_url)
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    seen = await counters(simulator)
    assert seen["orders"] == {number: 1} and seen["attempts"][number] == 2
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT status FROM outbox"))).scalar() == "done"


async def test_two_worker_processes_send_200_orders_each_once(engine, database_url, simulator):
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(f"{simulator}/_admin/faults", json={})
    satker, supplier, product = await marketplace_supplier(engine, simulator)
    made = await make_orders(engine, satker, supplier, product, n=200)
    results = await asyncio.gather(
        asyncio.to_thread(run_worker, database_url), asyncio.to_thread(run_worker, database_url)
    )
    assert all(r.returncode == 0 for r in results), [r.stderr[-1000:] for r in results]
    seen = await counters(simulator)
    assert seen["orders"] == {number: 1 for _, number in made}
    async with engine.connect() as conn:
        done = (
            await conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'done'"))
        ).scalar()
        workers = (
            await conn.execute(text("SELECT count(DISTINCT worker) FROM outbox_attempt"))
        ).scalar()
    assert done == 200 and workers == 2
