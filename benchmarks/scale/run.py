"""kulakan on a Citus cluster (coordinator + 2 workers) and on a single PostgreSQL, side by
side in one run, with a city's data loaded in each: 20 satkers × 2,500 warungs.

    deploy/citus/cluster.sh up     # once; see deploy/citus/README.md
    .venv/bin/python benchmarks/scale/run.py [--write] [--seconds 10] [--rounds 2]

Measured on both, rounds alternated where the data allows:
- the restock endpoint (``POST /v1/restock-requests``, 20 lines, Idempotency-Key) under wrk,
  32 connections, one API process: requests/s, p50, p99;
- reading and consolidating one satker's cycle of 2,500 requests × 30 lines (the claim of
  a bulk buy's build, in a transaction rolled back after);
- the outbox: 500 purchase orders over the 20 satkers sent by 2 worker processes to the
  marketplace simulator;
- a cross-satker admin list (``GET /v1/restock-requests`` with an admin key, 100 a page).

``--citus`` is the coordinator's URL (default: the local cluster's); ``--single`` a plain
PostgreSQL server (default: the coordinator's own server, in a database without the
extension: same build and settings). Scratch databases ``bench_scale_*`` are dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "restock_api"))
from run import machine, serve, wrk  # noqa: E402  (the restock benchmark's tools)

from services.auth import new_key  # noqa: E402
from services.db.citus_databases import create_database, drop_database  # noqa: E402
from services.db.migrate import upgrade  # noqa: E402

SATKERS = 20
WARUNGS = 2_500
PRODUCTS = 200
KEYS_PER_SATKER = 25
CYCLE_REQUESTS = 2_500
CYCLE_LINES = 30
ORDERS = 500
BODIES = 200
OUT = ROOT / "benchmarks" / "out"


def _dsn(url: str) -> str:
    return url.replace("+asyncpg", "")


def _db_url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + f"/{name}"


async def load(url: str) -> dict[str, object]:
    """The city: satkers, warungs, products, an open cycle each, warung keys, one satker's
    closed cycle full of requests, an admin key. Returns what the runs need."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        product_ids = [
            r["id"]
            for r in await conn.fetch(
                "INSERT INTO product (sku, name, category, retail_unit)"
                " SELECT 'SCALE-' || g, 'Produk sembako ' || g, 'sembako', 'pcs'"
                " FROM generate_series(1, $1) g RETURNING id",
                PRODUCTS,
            )
        ]
        now = datetime.now(UTC)
        keys: list[tuple[int, int, str]] = []
        key_rows = []
        for n in range(1, SATKERS + 1):
            satker = await conn.fetchval(
                "INSERT INTO satker (name, kecamatan, kota, province, timezone)"
                " VALUES ($1, $2, 'Kota Palembang', 'Sumatera Selatan', 'Asia/Jakarta')"
                " RETURNING id",
                f"Satker {n}",
                f"Kecamatan {n}",
            )
            await conn.execute(
                "INSERT INTO warung (satker_id, name, owner_name, phone, address, kota)"
                " SELECT $1, 'Warung ' || g, 'Pemilik ' || g, '0812345678', 'Jl. ' || g,"
                " 'Kota Palembang' FROM generate_series(1, $2) g",
                satker,
                WARUNGS,
            )
            await conn.execute(
                "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
                " delivery_date, status) VALUES ($1, 'Sembako mingguan', '{sembako}',"
                " $2, $3, $4, 'open')",
                satker,
                now - timedelta(hours=1),
                now + timedelta(days=1),
                (now + timedelta(days=2)).date(),
            )
            warungs = await conn.fetch(
                "SELECT id FROM warung WHERE satker_id = $1 ORDER BY id LIMIT $2",
                satker,
                KEYS_PER_SATKER,
            )
            for w in warungs:
                plaintext, prefix, digest = new_key()
                keys.append((satker, w["id"], plaintext))
                key_rows.append((prefix, digest, satker, w["id"]))
        await conn.executemany(
            "INSERT INTO api_key (prefix, key_hash, role, satker_id, warung_id)"
            " VALUES ($1, $2, 'warung', $3, $4)",
            key_rows,
        )
        admin_key, prefix, digest = new_key()
        await conn.execute(
            "INSERT INTO api_key (prefix, key_hash, role) VALUES ($1, $2, 'admin')", prefix, digest
        )
        cycle = await conn.fetchval(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES (1, 'Sembako kemarin', '{sembako}', $1, $2, $3,"
            " 'closed') RETURNING id",
            now - timedelta(days=2),
            now - timedelta(hours=2),
            now.date(),
        )
        await conn.execute(
            "INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)"
            " SELECT satker_id, id, $1, 'locked' FROM warung WHERE satker_id = 1"
            " ORDER BY id LIMIT $2",
            cycle,
            CYCLE_REQUESTS,
        )
        await conn.execute(
            "INSERT INTO restock_line (satker_id, request_id, line_no, product_id, quantity)"
            " SELECT r.satker_id, r.id, n, ($1::bigint[])[1 + (r.id + n) % $2], 1 + (r.id * n) % 24"
            " FROM restock_request r, generate_series(1, $3) n"
            " WHERE r.satker_id = 1 AND r.cycle_id = $4",
            product_ids,
            PRODUCTS,
            CYCLE_LINES,
            cycle,
        )
    finally:
        await conn.close()
    return {"keys": keys, "products": product_ids, "cycle": cycle, "admin": admin_key}


def write_wrk_data(keys: list[tuple[int, int, str]], product_ids: list[int], name: str) -> Path:
    rng = random.Random(7)
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / f"scale_{name}.data"
    with data.open("w") as fh:
        for satker, warung, key in keys:
            fh.write(f"{satker} {warung} {key}\n")
        fh.write("#\n")
        for _ in range(BODIES):
            lines = [
                {"product_id": p, "quantity": str(rng.randint(1, 48)), "for_preorder": False}
                for p in rng.sample(product_ids, 20)
            ]
            fh.write(json.dumps({"lines": lines}) + "\n")
    return data


async def consolidate_once(url: str, cycle: int) -> tuple[float, int]:
    """Seconds to claim (read) and consolidate satker 1's closed cycle; rolled back."""
    from services.app.bulk_buy_proposal import consolidate_lines
    from services.app.bulk_buys import claim_for_quoting
    from services.db.engine import make_engine
    from services.db.tx import Tx

    engine = make_engine(url, pool_size=1)
    try:
        async with Tx(engine) as warm:  # connect and plan outside the timing
            await (await warm.raw()).fetchval("SELECT count(*) FROM restock_line")
        started = time.perf_counter()
        tx = Tx(engine)
        try:
            claim = await claim_for_quoting(tx, 1, cycle, datetime.now(UTC), {})
            demand, _ = consolidate_lines(claim.inputs.lines)
            assert demand, "the cycle has no demand"
            elapsed = time.perf_counter() - started
        finally:
            await tx.rollback()
        return elapsed, len(claim.inputs.lines)
    finally:
        await engine.dispose()


async def seed_orders(url: str, base: str) -> None:
    from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
    from services.db.engine import make_engine
    from services.db.tx import Tx

    engine = make_engine(url, pool_size=1)
    try:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            supplier = await raw.fetchval("SELECT id FROM supplier WHERE name = 'Grosir Online'")
            if supplier is None:
                supplier = await raw.fetchval(
                    "INSERT INTO supplier (name, adapter_key, adapter_config, regions,"
                    " webhook_secret) VALUES ('Grosir Online', 'marketplace', $1,"
                    " ARRAY['Kota Palembang'], 's') RETURNING id",
                    json.dumps({"base_url": base}),
                )
            sku = "MIE-GRG"  # in the marketplace simulator's catalogue
            product = await raw.fetchval("SELECT id FROM product WHERE sku = $1", sku)
            if product is None:
                product = await raw.fetchval(
                    "INSERT INTO product (sku, name, category, retail_unit)"
                    " VALUES ($1, 'Mie goreng', 'sembako', 'pcs') RETURNING id",
                    sku,
                )

        order = NewPurchaseOrder(
            supplier_id=supplier,
            lines=tuple(
                NewLine(
                    product_id=product,
                    sku=sku,
                    pack_name="dus 40 pcs",
                    units_per_pack=Decimal(40),
                    packs=n,
                    price_per_pack_idr=116_000,
                )
                for n in range(1, 6)
            ),
        )
        for satker in range(1, SATKERS + 1):
            async with Tx(engine) as tx:
                await create_purchase_orders(
                    tx, satker, [order] * (ORDERS // SATKERS), datetime.now(UTC)
                )
    finally:
        await engine.dispose()


def drain(url: str, workers: int) -> float:
    env = {**os.environ, "KULAKAN_DATABASE_URL": url, "KULAKAN_LOG_LEVEL": "WARNING"}
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
        p.wait(timeout=900)
    return time.perf_counter() - started


async def unsent(url: str) -> int:
    conn = await asyncpg.connect(_dsn(url))
    try:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE status <> 'done'")
    finally:
        await conn.close()


def admin_list(port: int, key: str, calls: int = 40) -> dict[str, float]:
    times = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for _ in range(calls + 3):
            started = time.perf_counter()
            got = client.get(
                "/v1/restock-requests?limit=100", headers={"Authorization": f"Bearer {key}"}
            )
            times.append((time.perf_counter() - started) * 1000)
            assert got.status_code == 200, got.text
    times = sorted(times[3:])
    return {"p50": statistics.median(times), "p99": times[int(len(times) * 0.99) - 1]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citus", default="postgresql+asyncpg://postgres@127.0.0.1:9700/postgres")
    parser.add_argument("--single", default=None, help="default: the coordinator's server")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    opts = parser.parse_args()
    servers = {"single PostgreSQL": opts.single or opts.citus, "Citus (1 + 2 nodes)": opts.citus}
    names = {"single PostgreSQL": "bench_scale_single", "Citus (1 + 2 nodes)": "bench_scale_citus"}
    urls: dict[str, str] = {}
    seeded: dict[str, dict[str, object]] = {}
    loading: dict[str, float] = {}
    sim_port = 8791
    sim = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "simulate", "marketplace", "--port", str(sim_port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{sim_port}"
    try:
        for label, server in servers.items():
            asyncio.run(drop_database(server, names[label]))
            citus = label.startswith("Citus")
            if citus:
                is_citus = asyncio.run(create_database(server, names[label]))
                assert is_citus, f"{server} is not a Citus coordinator"
            else:
                asyncio.run(_plain_database(server, names[label]))
            urls[label] = _db_url(server, names[label])
            started = time.perf_counter()
            upgrade(urls[label])
            seeded[label] = asyncio.run(load(urls[label]))
            loading[label] = time.perf_counter() - started
            print(label, f"migrated and loaded in {loading[label]:.0f} s", flush=True)
        results: dict[str, dict[str, list[float]]] = {label: {} for label in servers}
        for n in range(opts.rounds):
            order = list(servers) if n % 2 == 0 else list(reversed(servers))
            for label in order:
                r = results[label]
                took, lines = asyncio.run(consolidate_once(urls[label], seeded[label]["cycle"]))  # type: ignore[arg-type]
                r.setdefault("consolidate_s", []).append(took)
                data = write_wrk_data(seeded[label]["keys"], seeded[label]["products"], label[:6])  # type: ignore[arg-type]
                port = 8790
                proc = serve(
                    ["services.api.app:create_app", "--factory"],
                    {
                        "KULAKAN_DATABASE_URL": urls[label],
                        "KULAKAN_LOG_LEVEL": "WARNING",
                        "KULAKAN_LOG_JSON": "true",
                        "KULAKAN_DB_POOL_SIZE": "10",
                    },
                    port,
                )
                try:
                    wrk(port, data, 2, opts.connections, {})
                    measured = wrk(port, data, opts.seconds, opts.connections, {})
                    listed = admin_list(port, str(seeded[label]["admin"]))
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
                for k in ("rps", "p50", "p99", "errors"):
                    r.setdefault(k, []).append(measured[k])
                r.setdefault("admin_p50", []).append(listed["p50"])
                r.setdefault("admin_p99", []).append(listed["p99"])
                print(
                    f"round {n + 1} {label}: {measured} consolidate {took:.2f} s ({lines} lines)"
                    f" admin list {listed}",
                    flush=True,
                )
        for label in servers:
            asyncio.run(seed_orders(urls[label], base))
            took = drain(urls[label], 2)
            left = asyncio.run(unsent(urls[label]))
            results[label]["outbox_s"] = [took]
            results[label]["outbox_left"] = [left]
            print(
                f"{label}: outbox {ORDERS} orders with 2 workers in {took:.1f} s, {left} unsent",
                flush=True,
            )
    finally:
        sim.terminate()
        sim.wait()
        for label, server in servers.items():
            asyncio.run(drop_database(server, names[label]))
    summary = {label: {k: statistics.mean(v) for k, v in r.items()} for label, r in results.items()}
    opts.versions = asyncio.run(_versions(opts.citus))
    print(json.dumps(summary, indent=2))
    if opts.write:
        write_results(summary, loading, opts)
    return 0


async def _versions(server: str) -> str:
    conn = await asyncpg.connect(_dsn(server))
    try:
        pg = await conn.fetchval("SHOW server_version")
        citus = await conn.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'citus'")
    finally:
        await conn.close()
    return f"PostgreSQL {pg} with Citus {citus}"


async def _plain_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(_dsn(server))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def write_results(
    summary: dict[str, dict[str, float]], loading: dict[str, float], opts: argparse.Namespace
) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    rows = "\n".join(
        f"| {label} | {s['rps']:.0f} | {s['p50']:.0f} | {s['p99']:.0f} | {int(s['errors'])} |"
        f" {s['consolidate_s']:.2f} | {ORDERS / s['outbox_s']:.0f} ({int(s['outbox_left'])} unsent) |"
        f" {s['admin_p50']:.0f} / {s['admin_p99']:.0f} | {loading[label]:.0f} |"
        for label, s in summary.items()
    )
    (HERE / "RESULTS.md").write_text(
        "# scale benchmark: Citus vs one PostgreSQL\n\n"
        "`deploy/citus/cluster.sh up`, then `.venv/bin/python benchmarks/scale/run.py --write`.\n"
        "No target: on one machine Citus costs more per request (every statement goes through\n"
        "the coordinator to a worker); what must hold is the same behaviour (the test suite on\n"
        "the cluster) and one shard per satker statement (tests/citus). These are the per-request\n"
        "costs docs/scale.md builds on.\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {commit} on {machine()};\n"
        f"servers: {opts.versions};\n"
        "the three Citus nodes, the single server, the API process, wrk, the workers and the\n"
        "simulator all share the machine (other work was running on it too).\n"
        f"Loaded in each: {SATKERS} satkers × {WARUNGS:,} warungs, {PRODUCTS} products, one open\n"
        f"cycle per satker, {SATKERS * KEYS_PER_SATKER} warung keys, satker 1's closed cycle of"
        f" {CYCLE_REQUESTS:,} requests × {CYCLE_LINES} lines. Citus: 32 shards per table.\n"
        f"Restock: wrk -t2 -c{opts.connections} -d{opts.seconds}s after a 2 s warm-up, one API\n"
        f"process (pool 10), {opts.rounds} rounds alternated, averaged; consolidation: claim +\n"
        "consolidate of satker 1's cycle, once per round; admin list: 40 sequential\n"
        "`GET /v1/restock-requests?limit=100` with an admin key per round; outbox:"
        f" {ORDERS} orders over the {SATKERS} satkers, 2 `kulakan worker --once` processes, wall"
        " time including process start.\n\n"
        "| database | restock req/s | p50 ms | p99 ms | errors | consolidate 75,000 lines s |"
        " outbox POs/s | admin list p50 / p99 ms | migrate + load s |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        f"{rows}\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
