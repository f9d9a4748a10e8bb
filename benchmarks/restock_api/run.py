"""Load POST /v1/restock-requests (20 lines each, many warungs, one open cycle) with wrk, and in
the same run the floor (floor_app.py: Litestar + raw asyncpg, same inserts), then write
RESULTS.md.

    cd <repo> && .venv/bin/python benchmarks/restock_api/run.py [--seconds 15] [--connections 32]

Needs wrk (``apt-get install -y wrk``) and a PostgreSQL at $BENCH_PG (default
postgresql://postgres@127.0.0.1:5432); it creates and drops the scratch database
``bench_restock``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "benchmarks" / "out"
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DB = "bench_restock"
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


def serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *args,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=env.get("CWD", str(ROOT)),
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)  # polling readiness of a process we started
    proc.kill()
    raise RuntimeError(f"server on port {port} did not start")


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


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, Python"
        f" {platform.python_version()}, {pg} server on 127.0.0.1"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternate the order, average")
    parser.add_argument("--write", action="store_true", help="write RESULTS.md")
    opts = parser.parse_args()
    data = asyncio.run(seed())
    url = f"{PG.replace('postgresql://', 'postgresql+asyncpg://')}/{DB}"
    results: dict[str, dict[str, float]] = {}
    runs = {
        "full (no Idempotency-Key)": (
            ["services.api.app:create_app", "--factory"],
            {
                "KULAKAN_DATABASE_URL": url,
                "KULAKAN_LOG_LEVEL": "WARNING",
                "KULAKAN_LOG_JSON": "true",
                "KULAKAN_DB_POOL_SIZE": "10",
                "BENCH_NO_IDEMPOTENCY": "1",
            },
            8780,
        ),
        "full": (
            ["services.api.app:create_app", "--factory"],
            {
                "KULAKAN_DATABASE_URL": url,
                "KULAKAN_LOG_LEVEL": "WARNING",
                "KULAKAN_LOG_JSON": "true",
                "KULAKAN_DB_POOL_SIZE": "10",
            },
            8781,
        ),
        "floor": (
            ["floor_app:app"],
            {"FLOOR_DSN": f"{PG}/{DB}", "CWD": str(HERE)},
            8782,
        ),
    }
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
    for n in range(opts.rounds):
        order = list(runs) if n % 2 == 0 else list(reversed(runs))
        for name in order:
            args, env, port = runs[name]
            load = {k: v for k, v in env.items() if k.startswith("BENCH_")}
            proc = serve(args, env, port)
            try:
                wrk(port, data, opts.warmup, opts.connections, load)
                rounds[name].append(wrk(port, data, opts.seconds, opts.connections, load))
            finally:
                proc.terminate()
                proc.wait(timeout=10)
            print(f"round {n + 1}", name, rounds[name][-1], flush=True)
    for name, measured in rounds.items():
        results[name] = {
            "rps": sum(r["rps"] for r in measured) / len(measured),
            "p50": sum(r["p50"] for r in measured) / len(measured),
            "p99": sum(r["p99"] for r in measured) / len(measured),
            "errors": sum(r["errors"] for r in measured),
            "requests": sum(r["requests"] for r in measured),
        }
    ratio = results["full"]["rps"] / results["floor"]["rps"]
    p99x = results["full"]["p99"] / results["floor"]["p99"]
    print(f"ratio {ratio:.2f}, p99 {p99x:.2f}x floor")
    if opts.write:
        write_results(results, ratio, p99x, opts)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
    return 0


def write_results(
    results: dict[str, dict[str, float]], ratio: float, p99x: float, opts: argparse.Namespace
) -> None:
    rows = "\n".join(
        f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {int(r['errors'])} |"
        f" {int(r['requests'])} |"
        for name, r in results.items()
    )
    text = (HERE / "RESULTS.md").read_text() if (HERE / "RESULTS.md").exists() else ""
    marker = "<!-- measured -->"
    head = text.split(marker)[0] if marker in text else text or "# restock_api benchmark\n\n"
    (HERE / "RESULTS.md").write_text(
        f"{head}{marker}\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.\n"
        f"wrk -t2 -c{opts.connections} -d{opts.seconds}s (after a {opts.warmup} s warm-up),"
        f" {opts.rounds} rounds in alternating order, averaged (errors and requests summed),"
        f" 20 lines per request, {WARUNGS} warungs, one open cycle.\n\n"
        "| endpoint | requests/s | p50 ms | p99 ms | errors | requests |\n"
        "|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"**Ratio full/floor: {ratio:.2f}** (full = with Idempotency-Key; target ≥ 0.5);"
        f" full p99 = {p99x:.2f}× the floor's (target ≤ 2).\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
