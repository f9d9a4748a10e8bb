"""Outbox dispatch throughput: purchase orders per second sent to the marketplace simulator
by 1 and by 2 worker processes.

    .venv/bin/python benchmarks/outbox/run.py [--orders 1000] [--write]

Starts the simulator on a free loopback port, creates a scratch database on
KULAKAN_BENCH_DATABASE_URL (default: the local server), writes N purchase orders with their
outbox rows, then times `kulakan worker --once` processes draining them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders  # noqa: E402
from services.db.engine import make_engine  # noqa: E402
from services.db.migrate import upgrade  # noqa: E402
from services.db.tx import Tx  # noqa: E402

SERVER = os.environ.get(
    "KULAKAN_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(SERVER.replace("+asyncpg", ""))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def seed(url: str, base: str, orders: int) -> None:
    engine = make_engine(url)
    async with Tx(engine) as tx:
        raw = await tx.raw()
        satker = await raw.fetchval(
            "INSERT INTO satker (name, kecamatan, kota, province, timezone) VALUES"
            " ('Bench', 'Kalidoni', 'Kota Palembang', 'Sumatera Selatan', 'Asia/Jakarta') RETURNING id"
        )
        supplier = await raw.fetchval(
            "INSERT INTO supplier (name, adapter_key, adapter_config, regions, webhook_secret)"
            " VALUES ('Grosir Online', 'marketplace', $1, ARRAY['Kota Palembang'], 's') RETURNING id",
            f'{{"base_url": "{base}"}}',
        )
        product = await raw.fetchval(
            "INSERT INTO product (sku, name, category, retail_unit) VALUES ('MIE-GRG', 'Mie', 'sembako', 'pcs') RETURNING id"
        )
        order = NewPurchaseOrder(
            supplier_id=supplier,
            lines=tuple(
                NewLine(
                    product_id=product,
                    sku="MIE-GRG",
                    pack_name="dus 40 pcs",
                    units_per_pack=Decimal(40),
                    packs=n,
                    price_per_pack_idr=116_000,
                )
                for n in range(1, 6)
            ),
        )
        await create_purchase_orders(tx, satker, [order] * orders, datetime.now(UTC))
    await engine.dispose()


def drain(url: str, workers: int) -> float:
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": url,
        "KULAKAN_LOG_LEVEL": "WARNING",
        "KULAKAN_LOG_JSON": "1",
    }
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker", "--once"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for p in procs:
        p.wait(timeout=600)
    return time.perf_counter() - started


def startup(url: str) -> float:
    """A worker run with nothing left to send: the fixed cost of starting a process."""
    return drain(url, 1)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "simulate", "marketplace", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        for workers in (1, 2):
            name = f"bench_outbox_{uuid.uuid4().hex[:6]}"
            await admin(f'CREATE DATABASE "{name}"')
            url = SERVER.rsplit("/", 1)[0] + f"/{name}"
            try:
                upgrade(url)
                await seed(url, base, args.orders)
                elapsed = drain(url, workers)
                fixed = startup(url)  # the same run again with nothing left to send
                sending = max(elapsed - fixed, 1e-6)
                rows.append(
                    (
                        workers,
                        args.orders,
                        elapsed,
                        fixed,
                        args.orders / sending,
                        args.orders / elapsed,
                    )
                )
            finally:
                await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        sim.terminate()
        sim.wait()
    table = [
        "| workers | orders | wall s | process start s | POs/s sending | POs/s wall |",
        "|---|---|---|---|---|---|",
    ]
    table += [
        f"| {w} | {n} | {e:.2f} | {f:.2f} | {r:.0f} | {rw:.0f} |" for w, n, e, f, r, rw in rows
    ]
    text = (
        "# outbox benchmark\n\n`.venv/bin/python benchmarks/outbox/run.py --write`. Target: ≥ 500 POs/s wall with 2 workers.\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        "server, database, simulator and workers share the machine.\n\n" + "\n".join(table) + "\n"
    )
    print(text)
    if args.write:
        (Path(__file__).parent / "RESULTS.md").write_text(text)


if __name__ == "__main__":
    asyncio.run(main())
