"""Load POST /v1/restock-requests (20 lines each, many warungs, one open cycle) with wrk, and in
the same run the floor (floor_app.py: Litestar + raw asyncpg, same inserts), then write
RESULTS.md.

    cd <repo> && .venv/bin/python benchmarks/restock_api/run.py [--seconds 15] [--connections 32]

Needs wrk (``apt-get install -y wrk``) and a PostgreSQL at $BENCH_PG (default
postgresql://postgres@127.0.0.1:5432); it creates and drops the scratch database
``bench_restock_<pid>``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from probes import WaitSampler, cpu_seconds, cpu_since, rss_mb, worker_pids
from report import write_results, write_soak

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "benchmarks" / "out"
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
# its own name per run: other benchmarks on the same server make and drop their own
DB = os.environ.get("BENCH_DB", f"bench_restock_{os.getpid()}")
WARUNGS = 1000
PRODUCTS = 200
LINES = 20
BODIES = 200


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(f"{PG}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def admin_db(sql: str) -> None:
    conn = await asyncpg.connect(f"{PG}/{DB}")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def read_catalogue() -> list[dict[str, str]]:
    with (ROOT / "services" / "demo_data" / "products.csv").open() as fh:
        return list(csv.DictReader(fh))


async def seed() -> Path:
    sys.path.insert(0, str(ROOT))
    from services.auth import new_key
    from services.db.migrate import upgrade

    await admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    await admin(f'CREATE DATABASE "{DB}"')
    upgrade(f"{PG.replace('postgresql://', 'postgresql+asyncpg://')}/{DB}")
    conn = await asyncpg.connect(f"{PG}/{DB}")
    try:
        satker = await conn.fetchval(
            "INSERT INTO satker (name, kecamatan, kota, province, timezone)"
            " VALUES ('Satker Kalidoni', 'Kalidoni', 'Kota Palembang', 'Sumatera Selatan',"
            " 'Asia/Jakarta') RETURNING id"
        )
        warungs = await conn.fetch(
            "INSERT INTO warung (satker_id, name, owner_name, phone, address, kota)"
            " SELECT $1, 'Warung ' || g, 'Pemilik ' || g, '0812345678', 'Jl. ' || g,"
            " 'Kota Palembang' FROM generate_series(1, $2) g RETURNING id",
            satker,
            WARUNGS,
        )
        keys = []
        for w in warungs:
            plaintext, prefix, digest = new_key()
            keys.append((satker, w["id"], plaintext, prefix, digest))
        await conn.executemany(
            "INSERT INTO api_key (prefix, key_hash, role, satker_id, warung_id)"
            " VALUES ($1, $2, 'warung', $3, $4)",
            [(k[3], k[4], k[0], k[1]) for k in keys],
        )
        real = [r for r in read_catalogue() if r["category"] == "sembako"]
        rows = [(r["sku"], r["name"], r["retail_unit"], r["fractional"] == "true") for r in real]
        rows += [(f"BENCH-{i}", f"Produk sembako {i}", "pcs", False) for i in range(PRODUCTS)]
        product_ids = [
            r["id"]
            for r in await conn.fetch(
                "INSERT INTO product (sku, name, category, retail_unit, fractional)"
                " SELECT s, n, 'sembako', u, f FROM unnest($1::text[], $2::text[], $3::text[],"
                " $4::bool[]) AS x(s, n, u, f) RETURNING id",
                [r[0] for r in rows[:PRODUCTS]],
                [r[1] for r in rows[:PRODUCTS]],
                [r[2] for r in rows[:PRODUCTS]],
                [r[3] for r in rows[:PRODUCTS]],
            )
        ]
        now = datetime.now(UTC)
        await conn.execute(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES ($1, 'Sembako mingguan', '{sembako,household}',"
            " $2, $3, $4, 'open')",
            satker,
            now - timedelta(hours=1),
            now + timedelta(days=1),
            (now + timedelta(days=2)).date(),
        )
    finally:
        await conn.close()
    await admin_db("VACUUM ANALYZE")  # as autovacuum would have: no round starts on fresh tables
    rng = random.Random(7)
    OUT.mkdir(parents=True, exist_ok=True)
    data = OUT / "restock_api.data"
    with data.open("w") as fh:
        for k in keys:
            fh.write(f"{k[0]} {k[1]} {k[2]}\n")
        fh.write("#\n")
        for _ in range(BODIES):
            lines = [
                {"product_id": p, "quantity": str(rng.randint(1, 48)), "for_preorder": i < 2}
                for i, p in enumerate(rng.sample(product_ids, LINES))
            ]
            fh.write(json.dumps({"lines": lines}) + "\n")
    return data


def wait_ready(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)  # polling readiness of a process we started
    proc.kill()
    raise RuntimeError(f"server on port {port} did not start")


def serve(kind: str, workers: int, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The full service through ``kulakan serve --workers N``, or the floor under the same server
    (Granian, uvloop) with the same number of processes."""
    if kind == "before":  # the full service from another checkout (an earlier commit)
        cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop"]
        cmd += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        cmd += ["--port", str(port), "--factory", "services.api.app:create_app"]
        cwd = Path(env["BENCH_BEFORE"])
    elif kind == "full":
        cmd = [sys.executable, "-m", "services.cli", "serve", "--workers", str(workers)]
        cmd += ["--port", str(port)]
        cwd = ROOT
    else:
        cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop"]
        cmd += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        cmd += ["--port", str(port), "floor_app:app"]
        cwd = HERE
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env})
    wait_ready(proc, port)
    return proc


async def backend_pids() -> list[int]:
    conn = await asyncpg.connect(f"{PG}/postgres")
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
            DB,
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


async def count_requests() -> int:
    conn = await asyncpg.connect(f"{PG}/{DB}")
    try:
        return await conn.fetchval("SELECT count(*) FROM restock_request")
    finally:
        await conn.close()


def wrk(
    port: int, data: Path, seconds: int, connections: int, extra: dict[str, str]
) -> dict[str, float]:
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "request.lua"),
        f"http://127.0.0.1:{port}",
    ]
    out = subprocess.run(
        cmd,
        env={**os.environ, "BENCH_DATA": str(data)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(out)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(out: str) -> dict[str, float]:
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
    }
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    result["errors"] = errors
    return result


def full_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "KULAKAN_DATABASE_URL": url,
        "KULAKAN_LOG_LEVEL": "WARNING",
        "KULAKAN_LOG_JSON": "true",
        "KULAKAN_DB_POOL_SIZE": "20",
        "KULAKAN_DATA_DIR": str(OUT / "restock_api-data"),
        **extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="alternate the order, average")
    parser.add_argument("--processes", default="1,2", help="server processes per row")
    parser.add_argument(
        "--no-key-row", action="store_true", help="add the full endpoint without keys"
    )
    parser.add_argument("--soak", type=int, default=0, help="then N requests, RSS sampled")
    parser.add_argument("--soak-only", action="store_true", help="only the soak")
    parser.add_argument("--before", help="a checkout of an earlier commit: its row too")
    parser.add_argument("--soak-seconds", type=int, default=600, help="bound on the soak")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md")
    opts = parser.parse_args()
    data = asyncio.run(seed())
    url = f"{PG.replace('postgresql://', 'postgresql+asyncpg://')}/{DB}"
    if opts.soak_only:
        trace = soak(data, url, opts)
        if opts.write:
            write_soak(trace, opts)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        return 0
    kinds = {
        "full": ("full", full_env(url)),
        "full (no Idempotency-Key)": ("full", full_env(url, BENCH_NO_IDEMPOTENCY="1")),
        "floor": ("floor", {"FLOOR_DSN": f"{PG}/{DB}"}),
        "full before": ("before", full_env(url, BENCH_BEFORE=opts.before or "")),
    }
    configs = [
        (name, int(n))
        for n in opts.processes.split(",")
        for name in (
            ["full", "floor"]
            + (["full (no Idempotency-Key)"] if opts.no_key_row else [])
            + (["full before"] if opts.before else [])
        )
    ]
    rounds: dict[tuple[str, int], list[dict[str, float]]] = {c: [] for c in configs}
    waits: dict[str, dict[str, int]] = {}
    samples = 0
    for n in range(opts.rounds):
        for i, (name, processes) in enumerate(configs if n % 2 == 0 else configs[::-1]):
            kind, env = kinds[name]
            port = 8780 + i
            load = {k: v for k, v in env.items() if k.startswith("BENCH_")}
            proc = serve(kind, processes, env, port)
            try:
                wrk(port, data, opts.warmup, opts.connections, load)
                before = asyncio.run(count_requests())
                app_cpu = cpu_seconds(worker_pids(proc))
                db_cpu = cpu_seconds(asyncio.run(backend_pids()))
                with WaitSampler(f"{PG}/postgres", DB) as sampler:
                    measured = wrk(port, data, opts.seconds, opts.connections, load)
                done = max(measured["requests"], 1)
                app_used = cpu_since(app_cpu, cpu_seconds(worker_pids(proc)))
                db_used = cpu_since(db_cpu, cpu_seconds(asyncio.run(backend_pids())))
                measured["app_ms"] = app_used * 1000 / done
                measured["db_ms"] = db_used * 1000 / done
                measured["stored"] = asyncio.run(count_requests()) - before
                measured["rss"] = max((rss_mb(p) for p in worker_pids(proc)), default=0.0)
                measured["load"] = os.getloadavg()[0]
                if name in ("full", "floor"):
                    if name == "full":
                        samples += sampler.samples
                    for key, count in sampler.counts.items():
                        waits.setdefault(key, {"full": 0, "floor": 0})[name] += count
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            rounds[(name, processes)].append(measured)
            print(f"round {n + 1}", name, processes, measured, flush=True)
    results = {
        c: {
            **{
                k: sum(r[k] for r in m) / len(m)
                for k in ("rps", "p50", "p99", "rss", "load", "app_ms", "db_ms")
            },
            **{k: sum(r[k] for r in m) for k in ("errors", "requests", "stored")},
        }
        for c, m in rounds.items()
    }
    ratios = {
        p: (
            results[("full", p)]["rps"] / results[("floor", p)]["rps"],
            results[("full", p)]["p99"] / results[("floor", p)]["p99"],
        )
        for p in sorted({p for _, p in configs})
    }
    for p, (ratio, p99x) in ratios.items():
        print(f"{p} process(es): ratio {ratio:.2f}, p99 {p99x:.2f}x floor")
    print("waits of the full endpoint's backends:", waits, "in", samples, "samples")
    if opts.write:
        write_results(results, rounds, ratios, waits, samples, opts)
    if opts.soak:
        trace = soak(data, url, opts)
        if opts.write:
            write_soak(trace, opts)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
    return 0


def soak(data: Path, url: str, opts: argparse.Namespace) -> list[tuple[float, int, float]]:
    """The full endpoint, one process, until ``opts.soak`` requests are stored (or
    ``opts.soak_seconds`` pass): (seconds, requests stored, worker RSS MB) every 2 s."""
    proc = serve("full", 1, full_env(url), 8790)
    trace: list[tuple[float, int, float]] = []
    try:
        (pid,) = worker_pids(proc)
        base = asyncio.run(count_requests())
        started = time.monotonic()
        cmd = ["wrk", "-t2", f"-c{opts.connections}", f"-d{opts.soak_seconds}s", "--timeout", "10s"]
        load = subprocess.Popen(
            [*cmd, "-s", str(HERE / "request.lua"), "http://127.0.0.1:8790"],
            env={**os.environ, "BENCH_DATA": str(data)},
            stdout=subprocess.DEVNULL,
        )
        try:
            while load.poll() is None:
                time.sleep(2)
                stored = asyncio.run(count_requests()) - base
                trace.append((time.monotonic() - started, stored, rss_mb(pid)))
                print("soak", trace[-1], flush=True)
                if stored >= opts.soak:
                    break
        finally:
            load.terminate()
            load.wait(timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return trace


if __name__ == "__main__":
    raise SystemExit(main())
