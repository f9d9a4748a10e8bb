"""The first bulk buy after the rush, through the real API and database.

    KULAKAN_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/consolidation/rush.py [--runs 5] [--write]

Each run has a fresh database (dropped afterwards) and a fresh API process (``rush_app.py``:
the real app, five in-process benchmark suppliers). The database holds one satker with 2,500
warungs (each with its own API key), 200 products with market prices, and one open cycle.
Then, as it happens on the day:

1. the rush: every warung sends one 30-line restock request (``POST /v1/restock-requests``,
   16 at a time);
2. the coordinator closes the cycle (``POST …/cycles/{c}/close`` with If-Match) and builds
   the bulk buy at once (``POST …/cycles/{c}/bulk-buy``): the first build, timed;
3. and quotes it again right after (the same request): the second build, timed.

Target (issue 16): the first build within 1.5 × the second, in every run.

After the rush the script runs no ``ANALYZE``: the statistics at the build are what the
application leaves, from one of three starting states taken in turn (``SCENARIOS``: none, an
analysed smaller cycle the day before, an analysis half-way through the rush). Every table of
the benchmark's database has ``autovacuum_enabled = false``, so autovacuum cannot analyse one
between the rush and the build where it runs; each run reports, per table, its last analysis
and the rows changed since. ``--server-root`` runs the API (and its migrations) from another
checkout, e.g. the commit before a change; ``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of
the build's read of the cycle's lines right after the close.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "split"))

from catalogue_rows import insert_catalogue
from run import machine  # the split benchmark's machine description

from services.auth import new_key
from services.bootstrap import resolve_database_url
from services.settings import Settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WARUNGS, PRODUCTS, LINES, SUPPLIERS, CONCURRENCY = 2_500, 200, 30, 5, 16
SCENARIOS = {
    "fresh": "a new database: no table analysed yet",
    "yesterday": "yesterday's cycle of 250 warungs, received, analysed overnight",
    "midway": "as fresh, and the tables analysed when half the warungs had sent (as autovacuum"
    " does on a server where it runs)",
}
TABLES = ("restock_request", "restock_line", "warung", "product")
DEMAND_READ = """
SELECT l.request_id, l.line_no, r.warung_id, l.product_id, p.sku, p.retail_unit,
    l.quantity, l.for_preorder
FROM restock_line l
JOIN restock_request r ON r.satker_id = l.satker_id AND r.id = l.request_id
JOIN product p ON p.id = l.product_id
WHERE r.satker_id = $1 AND r.cycle_id = $2 AND r.status IN ('locked', 'consolidated')
"""  # the build's read of the cycle's lines (services/app/bulk_buy_proposal.py)


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def yesterday(
    conn: asyncpg.Connection,
    satker: int,
    warungs: list[int],
    products: list[int],
    now: datetime,
    rnd: random.Random,
) -> None:
    """Yesterday's smaller cycle (a tenth of the warungs), received, and the statistics
    autovacuum would have gathered overnight: what the tables look like before the rush."""
    cycle = await conn.fetchval(
        "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at, delivery_date,"
        " status) VALUES ($1, 'Kemarin', '{sembako}', $2, $3, $4, 'consolidated') RETURNING id",
        satker,
        now - timedelta(days=2),
        now - timedelta(days=1),
        now.date(),
    )
    requests = await conn.fetch(
        "INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)"
        " SELECT $1, w, $2, 'received' FROM unnest($3::bigint[]) w RETURNING id",
        satker,
        cycle,
        warungs[: len(warungs) // 10],
    )
    await conn.copy_records_to_table(
        "restock_line",
        records=[
            (satker, r["id"], n, p, rnd.randint(1, 10), False)
            for r in requests
            for n, p in enumerate(rnd.sample(products, LINES), start=1)
        ],
        columns=["satker_id", "request_id", "line_no", "product_id", "quantity", "for_preorder"],
    )
    await conn.execute("ANALYZE")  # overnight, before the day's rush


async def seed(conn: asyncpg.Connection, rnd: random.Random, scenario: str) -> dict[str, object]:
    now = datetime.now(UTC)
    satker = await conn.fetchval(
        "INSERT INTO satker (name, kecamatan, kota, province, timezone) VALUES"
        " ('Bench', 'Kalidoni', 'Kota Palembang', 'Sumatera Selatan', 'Asia/Jakarta') RETURNING id"
    )
    warungs = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO warung (satker_id, name, owner_name, phone, kota, address)"
            " SELECT $1, 'Warung ' || g, 'Pemilik', '0811', 'Kota Palembang', 'Jl' "
            " FROM generate_series(1, $2) g RETURNING id",
            satker,
            WARUNGS,
        )
    ]
    keys = {}
    rows = []
    for warung in warungs:
        plaintext, prefix, digest = new_key()
        keys[warung] = plaintext
        rows.append((prefix, digest, "warung", satker, warung))
    plaintext, prefix, digest = new_key()
    rows.append((prefix, digest, "coordinator", satker, None))
    await conn.executemany(
        "INSERT INTO api_key (prefix, key_hash, role, satker_id, warung_id)"
        " VALUES ($1, $2, $3, $4, $5)",
        rows,
    )
    products = await insert_catalogue(conn, rnd, now.date(), PRODUCTS, SUPPLIERS)
    cycle = await conn.fetchval(
        "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at, delivery_date,"
        " status) VALUES ($1, 'Sembako', '{sembako}', $2, $3, $4, 'open') RETURNING id",
        satker,
        now - timedelta(hours=1),
        now + timedelta(days=1),
        (now + timedelta(days=2)).date(),
    )
    if scenario == "yesterday":
        await yesterday(conn, satker, warungs, products, now, rnd)
    for table in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
        await conn.execute(
            f'ALTER TABLE "{table["tablename"]}" SET (autovacuum_enabled = false,'
            " toast.autovacuum_enabled = false)"
        )
    return {
        "satker": satker,
        "cycle": cycle,
        "keys": keys,
        "coordinator": plaintext,
        "products": products,
    }


def migrate(url: str, server_root: Path) -> None:
    """The schema of the checkout that serves the API."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from services.db.migrate import upgrade; upgrade({url!r}, 'heads')",
        ],
        cwd=str(server_root),
        env={**os.environ, "PYTHONPATH": str(server_root)},
        check=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, server_root: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KULAKAN_DATABASE_URL": url,
        "KULAKAN_LOG_LEVEL": "WARNING",
        "KULAKAN_LOG_JSON": "true",
        "PYTHONPATH": f"{server_root}{os.pathsep}{HERE}",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "rush_app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=str(server_root),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)  # polling the readiness of a process this script started
    proc.kill()
    raise RuntimeError("the API did not start")


async def rush(client: httpx.AsyncClient, seeded: dict, rnd: random.Random, midway: Any) -> float:
    products = seeded["products"]
    bodies = [
        {
            "lines": [
                {"product_id": p, "quantity": str(rnd.randint(1, 10)), "for_preorder": i < 3}
                for i, p in enumerate(rnd.sample(products, LINES))
            ]
        }
        for _ in seeded["keys"]
    ]
    queue = list(zip(seeded["keys"].values(), bodies, strict=True))

    async def sender() -> None:
        while queue:
            key, body = queue.pop()
            r = await client.post(
                "/v1/restock-requests", json=body, headers={"Authorization": f"Bearer {key}"}
            )
            assert r.status_code == 201, r.text[:300]

    started = time.perf_counter()
    if midway is None:
        await asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
    else:  # autovacuum's analysis while the rush is half-way
        whole = len(queue)
        senders = asyncio.gather(*(sender() for _ in range(CONCURRENCY)))
        while len(queue) > whole // 2:
            await asyncio.sleep(0.05)
        await midway.execute("ANALYZE")
        await senders
    return time.perf_counter() - started


async def statistics_state(conn: asyncpg.Connection) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT relname, last_analyze, last_autoanalyze, n_mod_since_analyze, n_live_tup"
        " FROM pg_stat_user_tables WHERE relname = ANY($1::text[])",
        list(TABLES),
    )
    return {
        r["relname"]: f"last analysed {r['last_analyze'] or r['last_autoanalyze'] or 'never'},"
        f" {r['n_mod_since_analyze']:,} rows changed since, {r['n_live_tup']:,} live"
        for r in rows
    }


async def one(
    server: str, server_root: Path, explain: bool, scenario: str, rnd: random.Random
) -> dict:
    name = f"kulakan_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    proc = None
    try:
        await asyncio.to_thread(migrate, url, server_root)
        conn = await asyncpg.connect(dsn(url))
        try:
            seeded = await seed(conn, rnd, scenario)
            port = free_port()
            proc = await asyncio.to_thread(serve, url, server_root, port)
            satker, cycle = seeded["satker"], seeded["cycle"]
            coordinator = {"Authorization": f"Bearer {seeded['coordinator']}"}
            limits = httpx.Limits(max_connections=CONCURRENCY)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", timeout=600, limits=limits
            ) as client:
                rush_s = await rush(client, seeded, rnd, conn if scenario == "midway" else None)
                cycle_url = f"/v1/satkers/{satker}/cycles/{cycle}"
                etag = (await client.get(cycle_url, headers=coordinator)).headers["etag"]
                closed = await client.post(
                    f"{cycle_url}/close", headers={**coordinator, "If-Match": etag}
                )
                assert closed.status_code == 200, closed.text[:300]
                plan = None
                if explain:
                    explained = await conn.fetch(
                        f"EXPLAIN (ANALYZE, BUFFERS) {DEMAND_READ}", satker, cycle
                    )
                    plan = "\n".join(r[0] for r in explained)
                stats = await statistics_state(conn)
                builds = []
                for _ in range(2):
                    started = time.perf_counter()
                    built = await client.post(f"{cycle_url}/bulk-buy", headers=coordinator)
                    builds.append(time.perf_counter() - started)
                    assert built.status_code in (200, 201), built.text[:300]
                lines = len(built.json()["lines"])
        finally:
            await conn.close()
        return {
            "rush_s": rush_s,
            "first_s": builds[0],
            "second_s": builds[1],
            "lines": lines,
            "stats": stats,
            "plan": plan,
        }
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server-root", type=Path, default=ROOT, help="checkout serving the API")
    parser.add_argument("--explain", action="store_true", help="print the demand read's plan")
    parser.add_argument(
        "--scenario",
        choices=SCENARIOS,
        nargs="+",
        default=list(SCENARIOS),
        help="the statistics the rush starts from; each run takes the next, in turn",
    )
    parser.add_argument("--write", action="store_true", help="write RUSH.md beside this script")
    args = parser.parse_args()
    server = resolve_database_url(Settings.from_env())
    commit = subprocess.run(
        ["git", "-C", str(args.server_root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    rows, ratios = [], []
    for n in range(1, args.runs + 1):
        load = os.getloadavg()[0]
        scenario = args.scenario[(n - 1) % len(args.scenario)]
        result = await one(server, args.server_root, args.explain, scenario, random.Random(n))
        ratio = result["first_s"] / result["second_s"]
        ratios.append(ratio)
        rows.append(
            f"| {n} | {scenario} | {result['rush_s']:.1f} | {result['first_s']:.2f} | {result['second_s']:.2f}"
            f" | {ratio:.2f} | {load:.1f} |"
        )
        print(rows[-1], flush=True)
        for table, state in result["stats"].items():
            print(f"    {table}: {state}", flush=True)
        if result["plan"]:
            print(result["plan"], flush=True)
    text = (
        "# the first bulk buy after the rush\n\n"
        "`KULAKAN_DATABASE_URL=… .venv/bin/python benchmarks/consolidation/rush.py --write`\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, PostgreSQL on"
        f" 127.0.0.1; API from commit {commit}. {WARUNGS:,} warungs × {LINES} lines through"
        f" `POST /v1/restock-requests` ({CONCURRENCY} at a time), close, then two builds.\n\n"
        "| run | statistics | rush s | first build s | second build s | first / second |"
        " load average |\n|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Worst first / second: {max(ratios):.2f} (target ≤ 1.5 in every run); median"
        f" {statistics.median(ratios):.2f}.\n"
    )
    if args.write:
        (HERE / "RUSH.md").write_text(text)
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
