"""The marketplace simulator as a real process, and a real worker process placing an order
with it exactly once — also when the worker is killed between the supplier's acceptance and
our commit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text

from services.processes import free_port, start, stop, wait_for
from tests.fixtures_db import ROOT
from tests.support_purchasing import make_orders


@pytest.fixture
def simulator() -> Iterator[str]:
    port = free_port()
    proc = start(["simulate", "marketplace", "--port", str(port), "--fail-first", "3"])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/health")
        yield base
    finally:
        stop(proc)


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
    # 30 ms an order keeps the first worker busy long enough (about 6 s alone) for the
    # second to start and take part, however slowly the machine starts processes
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(f"{simulator}/_admin/faults", json={"latency_ms": 30})
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


async def test_from_restock_requests_to_an_order_at_the_marketplace(
    engine, make_container, simulator
):
    """Through HTTP: warungs request, the cycle closes, the simulator quotes, the split and
    prices are reviewed, the coordinator approves, the worker places the order once."""
    from services.api.app import create_app
    from services.clock import FixedClock
    from services.worker.outbox import Dispatcher
    from tests.support_demand import at, new_product, new_tenant

    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(f"{simulator}/_admin/faults", json={"fail_first": 1})
    tenant = await new_tenant(engine, warungs=2)
    mie = await new_product(
        engine, sku="MIE-GRG", name="Mie instan goreng", retail_unit="pcs", fractional=False
    )
    terigu = await new_product(engine, sku="TERIGU", name="Tepung terigu")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO supplier (name, adapter_key, adapter_config, regions, webhook_secret)"
                " VALUES ('Grosir Online', 'marketplace', CAST(:c AS jsonb), ARRAY['Kota Palembang'], 'sec')"
            ),
            {"c": f'{{"base_url": "{simulator}"}}'},
        )
        await conn.execute(
            text(
                "INSERT INTO market_price (product_id, kota, price_date, price_idr, source) VALUES"
                " (:m, 'Kota Palembang', '2026-11-24', 3500, 'SP2KP'), (:t, 'Kota Palembang', '2026-11-24', 12000, 'SP2KP')"
            ),
            {"m": mie, "t": terigu},
        )
    container = make_container(clock=FixedClock(at("2026-11-24T03:00:00+00:00")))
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        base = f"/v1/satkers/{tenant.satker_id}"
        template = {
            "name": "Sembako harian",
            "categories": ["sembako"],
            "cadence": "daily",
            "opens_at": "06:00:00",
            "cutoff_at": "12:00:00",
            "delivery_days_after": 1,
        }
        assert (
            await api.post(f"{base}/cycle-templates", json=template, headers=tenant.coordinator)
        ).status_code == 201
        for key, (noodles, flour) in zip(
            tenant.warung_keys, [(240, "100"), (200, "112.5")], strict=True
        ):
            made = await api.post(
                "/v1/restock-requests",
                json={
                    "lines": [
                        {"product_id": mie, "quantity": noodles},
                        {"product_id": terigu, "quantity": flour},
                    ]
                },
                headers=key,
            )
            assert made.status_code == 201, made.text
        cycle = (await api.get(f"{base}/cycles", headers=tenant.coordinator)).json()["items"][0]
        await api.post(f"{base}/cycles/{cycle['id']}/close", headers=tenant.coordinator)
        built = await api.post(f"{base}/cycles/{cycle['id']}/bulk-buy", headers=tenant.coordinator)
        assert built.status_code == 201, built.text
        bb = built.json()
        lines = {ln["sku"]: ln for ln in bb["lines"]}
        # 440 noodles = 11 cartons of 40 (MOQ 10); 212.5 kg of flour = 9 sacks, MOQ 5
        assert lines["MIE-GRG"]["allocations"][0]["packs"] == 11
        assert lines["TERIGU"]["allocations"][0]["packs"] == 9
        assert all(ln["suggested_retail_idr"] < ln["market_ref_idr"] for ln in bb["lines"])
        assert bb["quotes"][0]["status"] == "ok" and bb["fees_idr"] == 75_000
        for ln in bb["lines"]:
            if ln["blocking"]:
                built = await api.post(
                    f"{base}/bulk-buys/{bb['id']}/lines/{ln['product_id']}/override",
                    json={"reason": "margin tipis tapi tetap di bawah pasar"},
                    headers=tenant.coordinator,
                )
        approved = await api.post(
            f"{base}/bulk-buys/{bb['id']}/approve",
            headers={**tenant.coordinator, "If-Match": built.headers["etag"]},
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "ordered"
    assert await Dispatcher(container).drain() == 1
    async with engine.connect() as conn:
        number, status = (
            await conn.execute(text("SELECT po_number, status FROM purchase_order"))
        ).one()
    seen = await counters(simulator)
    assert status == "sent" and seen["orders"] == {number: 1} and seen["attempts"][number] == 2
