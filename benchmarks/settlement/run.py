"""Settling a delivered bulk buy on PostgreSQL: break-bulk allocation of every product to the
warungs' lines, the supplier bills and every warung's invoice, in one transaction.

    KULAKAN_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/settlement/run.py [--sizes 250 1000 2500] [--write]

For each size a fresh database is created (and dropped afterwards) holding one ordered bulk
buy: N warungs × 30 restock lines over 200 products, 5 suppliers' purchase orders delivered
at 97 % of what was ordered. Timed: ``services.app.settlement.settle_bulk_buy``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "split"))

import asyncpg
from run import machine  # the split benchmark's machine description
from sqlalchemy.engine import make_url

from services.app.settlement import settle_bulk_buy
from services.bootstrap import resolve_database_url
from services.db.engine import make_engine
from services.db.migrate import upgrade
from services.db.tx import Tx
from services.settings import Settings

PRODUCTS, SUPPLIERS, LINES = 200, 5, 30
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def fill(conn: asyncpg.Connection, warungs: int, rnd: random.Random) -> tuple[int, int]:
    satker = await conn.fetchval(
        "INSERT INTO satker (name, kecamatan, kota, province, timezone) VALUES"
        " ('Bench', 'Kalidoni', 'Kota Palembang', 'Sumatera Selatan', 'Asia/Jakarta') RETURNING id"
    )
    warung_ids = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO warung (satker_id, name, owner_name, phone, kota, address)"
            " SELECT $1, 'W' || g, 'O', '0811', 'Kota Palembang', 'Jl' FROM generate_series(1, $2) g"
            " RETURNING id",
            satker,
            warungs,
        )
    ]
    products = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO product (sku, name, category, retail_unit, fractional)"
            " SELECT 'P' || lpad(g::text, 3, '0'), 'Product ' || g, 'sembako', 'kg', g % 2 = 0"
            " FROM generate_series(1, $1) g RETURNING id",
            PRODUCTS,
        )
    ]
    suppliers = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO supplier (name, adapter_key, webhook_secret, payment_terms, tempo_days)"
            " SELECT 'S' || g, 'marketplace', 's', 'tempo', 14 FROM generate_series(1, $1) g"
            " RETURNING id",
            SUPPLIERS,
        )
    ]
    cycle = await conn.fetchval(
        "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at, delivery_date,"
        " status) VALUES ($1, 'Bench', '{sembako}', $2, $3, $4, 'consolidated') RETURNING id",
        satker,
        NOW - timedelta(days=1),
        NOW,
        NOW.date() + timedelta(days=1),
    )
    requests = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)"
            " SELECT $1, w, $2, 'ordered' FROM unnest($3::bigint[]) w RETURNING id",
            satker,
            cycle,
            warung_ids,
        )
    ]
    demand: dict[int, Decimal] = {p: Decimal(0) for p in products}
    lines = []
    for request in requests:
        for n, product in enumerate(rnd.sample(products, LINES), start=1):
            quantity = Decimal(rnd.randint(1, 10))
            demand[product] += quantity
            lines.append((satker, request, n, product, quantity, rnd.random() < 0.1))
    await conn.copy_records_to_table(
        "restock_line",
        records=lines,
        columns=["satker_id", "request_id", "line_no", "product_id", "quantity", "for_preorder"],
    )
    bb = await conn.fetchval(
        "INSERT INTO bulk_buy (satker_id, cycle_id, status, pack_policy) VALUES ($1, $2,"
        " 'ordered', 'round_up') RETURNING id",
        satker,
        cycle,
    )
    await conn.executemany(
        "INSERT INTO bulk_buy_line (satker_id, bulk_buy_id, product_id, sku, demand,"
        " preorder_quantity, warungs, covered, surplus, backorder, market_ref_idr,"
        " suggested_retail_idr) VALUES ($1, $2, $3, $4, $5, 0, 0, $5, 0, 0, 15000, 14000)",
        [(satker, bb, p, f"P{i:03d}", demand[p]) for i, p in enumerate(products, start=1)],
    )
    for s_index, supplier in enumerate(suppliers):
        po = await conn.fetchval(
            "INSERT INTO purchase_order (satker_id, po_number, supplier_id, bulk_buy_id, status,"
            " delivery_fee_idr) VALUES ($1, $2, $3, $4, 'delivered', 75000) RETURNING id",
            satker,
            f"PO-BENCH-{s_index}",
            supplier,
            bb,
        )
        mine = products[s_index::SUPPLIERS]
        await conn.executemany(
            "INSERT INTO purchase_order_line (satker_id, purchase_order_id, line_no, product_id,"
            " sku, pack_name, units_per_pack, packs, price_per_pack_idr, status,"
            " delivered_quantity) VALUES ($1, $2, $3, $4, $5, 'kg', 1, $6, $7, 'accepted', $8)",
            [
                (
                    satker,
                    po,
                    n,
                    p,
                    f"P{products.index(p) + 1:03d}",
                    int(demand[p]) + 1,
                    rnd.randint(9_000, 14_000),
                    (demand[p] * Decimal("0.97")).quantize(Decimal("0.001"))
                    if products.index(p) % 2
                    else int(demand[p] * Decimal("0.97")),
                )
                for n, p in enumerate(mine, start=1)
            ],
        )
    return satker, bb


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a local process so far, from /proc; the database
    server's share of the work, whatever else keeps the machine busy."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one(server: str, warungs: int) -> dict[str, object]:
    name = f"kulakan_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url, "heads")
        conn = await asyncpg.connect(dsn(url))
        try:
            satker, bb = await fill(conn, warungs, random.Random(warungs))
            await conn.execute("ANALYZE")  # as autovacuum would have long since on a live database
        finally:
            await conn.close()
        engine = make_engine(url, pool_size=2)
        try:
            load = os.getloadavg()[0]
            async with Tx(engine) as tx:
                backend = await (await tx.raw()).fetchval("SELECT pg_backend_pid()")
                started, cpu, db_cpu = time.perf_counter(), time.process_time(), cpu_of(backend)
                settled = await settle_bulk_buy(tx, satker, bb, NOW)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            db_cpu = cpu_of(backend) - db_cpu
        finally:
            await engine.dispose()
        assert settled.invoiced_idr == settled.supplier_billed_idr
        return {
            "warungs": warungs,
            "lines": warungs * LINES,
            "seconds": seconds,
            "cpu": cpu,
            "db_cpu": db_cpu,
            "load": load,
            "invoiced_idr": settled.invoiced_idr,
        }
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 2500])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each size, one row each")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md beside this script")
    args = parser.parse_args()
    server = resolve_database_url(Settings.from_env())
    rows = []
    for warungs in [size for size in args.sizes for _ in range(args.repeat)]:
        result = await one(server, warungs)
        rows.append(
            f"| {result['warungs']:,} | {result['lines']:,} | {result['seconds']:.2f} |"
            f" {result['cpu']:.2f} | {result['db_cpu']:.2f} | {result['load']:.1f} |"
            f" {result['invoiced_idr']:,} |"
        )
        print(rows[-1], flush=True)
    text = (
        "# settlement benchmark\n\n"
        "`.venv/bin/python benchmarks/settlement/run.py --write` (on the server of "
        "`KULAKAN_DATABASE_URL`, or the embedded one).\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, PostgreSQL on "
        "127.0.0.1.\n\n"
        "| warungs | restock lines | settle s | CPU s, this process | CPU s, its PostgreSQL"
        " backend | load average | invoiced = billed IDR |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    if args.write:
        (Path(__file__).parent / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
