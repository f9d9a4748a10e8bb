"""Peak memory of a worker process that builds and settles a 2,500-warung cycle.

    KULAKAN_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/consolidation/worker_memory.py [--write]

A fresh database (dropped afterwards) holds one satker with 2,500 warungs × 30 locked restock
lines over 200 products in a closed cycle, and 5 benchmark suppliers (``rush_app.py``). One
worker process (the worker's own jobs, ``Worker.run_once``) runs twice:

1. the consolidation job builds the bulk buy (quotes, consolidation, split, pricing, store);
2. the bulk buy is then marked ordered by this script, one purchase order per supplier from
   the build's allocations, each delivered at 97 % (what approval, dispatch and the
   suppliers' deliveries would leave), and the same process runs its jobs again: the
   settlement job allocates and invoices it.

The worker reports its peak resident set (``resource.getrusage``: ``ru_maxrss``) and its
current one (``/proc/self/status``: ``VmRSS``) after start-up and after each run.
Target (issue 16): peak ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_WORKER_ROOT") or str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "split"))

import asyncpg
from catalogue_rows import insert_catalogue
from run import machine  # the split benchmark's machine description
from sqlalchemy.engine import make_url

from services.bootstrap import resolve_database_url
from services.db.migrate import upgrade
from services.settings import Settings

WARUNGS, PRODUCTS, LINES, SUPPLIERS = 2_500, 200, 30, 5
HERE = Path(__file__).resolve().parent


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def commit(root: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()


def memory() -> dict[str, float]:
    """Peak and current resident set of this process, in MB."""
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    current_kb = next(
        int(line.split()[1])
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    return {"peak_mb": peak_kb / 1024, "rss_mb": current_kb / 1024}


async def child(url: str) -> None:
    """The worker: its jobs, run once per line read from stdin; memory after each run."""
    sys.path.append(str(HERE))
    from rush_app import BenchFactory

    from services.bootstrap import bootstrap
    from services.registry import AdapterRegistry
    from services.worker.runner import Worker, default_jobs

    settings = Settings(database_url=url, log_level="WARNING")
    container = bootstrap(settings, adapters=AdapterRegistry({"bench": BenchFactory()}))
    worker = Worker(container, default_jobs())
    print(json.dumps({"step": "started", **memory()}), flush=True)
    try:
        for step in sys.stdin:
            results = await worker.run_once()
            print(
                json.dumps({"step": step.strip(), "results": str(results), **memory()}),
                flush=True,
            )
    finally:
        await container.close()


async def seed(conn: asyncpg.Connection, rnd: random.Random) -> None:
    now = datetime.now(UTC)
    satker = await conn.fetchval(
        "INSERT INTO satker (name, kecamatan, kota, province, timezone) VALUES"
        " ('Bench', 'Kalidoni', 'Kota Palembang', 'Sumatera Selatan', 'Asia/Jakarta') RETURNING id"
    )
    warungs = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO warung (satker_id, name, owner_name, phone, kota, address)"
            " SELECT $1, 'W' || g, 'O', '0811', 'Kota Palembang', 'Jl' FROM generate_series(1, $2) g"
            " RETURNING id",
            satker,
            WARUNGS,
        )
    ]
    products = await insert_catalogue(conn, rnd, now.date(), PRODUCTS, SUPPLIERS)
    cycle = await conn.fetchval(
        "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at, delivery_date,"
        " status) VALUES ($1, 'Bench', '{sembako}', $2, $3, $4, 'closed') RETURNING id",
        satker,
        now - timedelta(days=1),
        now - timedelta(hours=1),
        (now + timedelta(days=1)).date(),
    )
    requests = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)"
            " SELECT $1, w, $2, 'locked' FROM unnest($3::bigint[]) w RETURNING id",
            satker,
            cycle,
            warungs,
        )
    ]
    await conn.copy_records_to_table(
        "restock_line",
        records=[
            (satker, request, n, product, Decimal(rnd.randint(1, 10)), rnd.random() < 0.1)
            for request in requests
            for n, product in enumerate(rnd.sample(products, LINES), start=1)
        ],
        columns=["satker_id", "request_id", "line_no", "product_id", "quantity", "for_preorder"],
    )
    await conn.execute("ANALYZE")  # as after the close


async def order_and_deliver(conn: asyncpg.Connection) -> None:
    """What approval, dispatch and the deliveries leave: one delivered order per supplier."""
    await conn.execute(
        """
        INSERT INTO purchase_order (satker_id, po_number, supplier_id, bulk_buy_id, status,
            delivery_fee_idr)
        SELECT DISTINCT satker_id, 'PO-' || bulk_buy_id || '-' || supplier_id, supplier_id,
            bulk_buy_id, 'delivered', 75000
        FROM bulk_buy_allocation
        """
    )
    await conn.execute(
        """
        INSERT INTO purchase_order_line (satker_id, purchase_order_id, line_no, product_id, sku,
            pack_name, units_per_pack, packs, price_per_pack_idr, status, delivered_quantity)
        SELECT a.satker_id, o.id,
            row_number() OVER (PARTITION BY o.id ORDER BY a.product_id, a.pack_name),
            a.product_id, p.sku, a.pack_name, a.units_per_pack, a.packs, a.price_per_pack_idr,
            'accepted', floor(a.packs * a.units_per_pack * 0.97)
        FROM bulk_buy_allocation a
        JOIN purchase_order o ON o.satker_id = a.satker_id AND o.bulk_buy_id = a.bulk_buy_id
            AND o.supplier_id = a.supplier_id
        JOIN product p ON p.id = a.product_id
        """
    )
    await conn.execute("UPDATE bulk_buy SET status = 'ordered'")
    await conn.execute(
        "UPDATE restock_request SET status = 'ordered' WHERE status = 'consolidated'"
    )
    await conn.execute("ANALYZE")


async def parent(write: bool, root: Path) -> None:
    server = resolve_database_url(Settings.from_env())
    name = f"kulakan_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    steps = []
    try:
        await asyncio.to_thread(upgrade, url, "heads")
        conn = await asyncpg.connect(dsn(url))
        try:
            await seed(conn, random.Random(2500))
            proc = subprocess.Popen(
                [sys.executable, __file__, "--child", url],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={
                    **os.environ,
                    "KULAKAN_LOG_LEVEL": "WARNING",
                    "KULAKAN_LOG_JSON": "true",
                    "BENCH_WORKER_ROOT": str(root),
                },
            )
            assert proc.stdin and proc.stdout

            def report() -> dict:
                while True:
                    line = proc.stdout.readline()
                    if not line:
                        raise RuntimeError("the worker stopped")
                    if line.startswith('{"step"'):
                        return json.loads(line)

            steps.append(await asyncio.to_thread(report))
            proc.stdin.write("consolidation\n")
            proc.stdin.flush()
            steps.append(await asyncio.to_thread(report))
            built = await conn.fetchval("SELECT count(*) FROM bulk_buy WHERE status = 'proposed'")
            assert built == 1, steps[-1]
            await order_and_deliver(conn)
            proc.stdin.write("settlement\n")
            proc.stdin.flush()
            steps.append(await asyncio.to_thread(report))
            proc.stdin.close()
            proc.wait(timeout=60)
            invoices = await conn.fetchval("SELECT count(*) FROM invoice")
            assert invoices > WARUNGS // 2, steps[-1]
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    rows = [f"| {s['step']} | {s['rss_mb']:.0f} | {s['peak_mb']:.0f} |" for s in steps]
    peak = max(s["peak_mb"] for s in steps)
    text = (
        "# worker memory\n\n"
        "`KULAKAN_DATABASE_URL=… .venv/bin/python benchmarks/consolidation/worker_memory.py"
        " --write`\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, PostgreSQL on"
        f" 127.0.0.1, load average {os.getloadavg()[0]:.1f}. One worker process; {WARUNGS:,}"
        f" warungs × {LINES} lines over {PRODUCTS} products, {SUPPLIERS} suppliers; worker code"
        f" from commit {commit(root)}.\n\n"
        "| after | RSS MB | peak RSS so far MB |\n|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"**Peak {peak:.0f} MB** (target ≤ 300 MB); {invoices:,} invoices written.\n"
    )
    if write:
        (HERE / "MEMORY.md").write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="write MEMORY.md beside this script")
    parser.add_argument(
        "--worker-root",
        type=Path,
        default=HERE.parents[1],
        help="checkout whose code the worker runs (e.g. the commit before a change)",
    )
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args.child))
    else:
        asyncio.run(parent(args.write, args.worker_root))


if __name__ == "__main__":
    main()
