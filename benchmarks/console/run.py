"""The coordinator's review page against the same data through the JSON API, in one run.

    KULAKAN_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/console/run.py [--rounds 40] [--write]

A fresh database (dropped afterwards) holds one satker with 2,500 warungs × 30 restock lines
over 200 products in a closed cycle, and 5 suppliers quoting 2–3 all-units tiers, MOQs and
some limited stock (generated as in benchmarks/split). The bulk buy is built by the real
build (quotes, consolidation, split, pricing, store). Then, in one process, through the
application's ASGI interface (server time: middleware, session, database, rendering, no
network), rounds alternate between:

- ``GET /console/satkers/{s}/bulk-buys/{b}`` (the review page, signed in) and
  ``GET /v1/satkers/{s}/bulk-buys/{b}`` (the JSON, coordinator key);
- a line override with a retail price and a reason: the page's htmx ``POST …/override``
  (If-Match from the page) and the API's ``POST …/override`` (If-Match header).

Targets (issue 14): review page p95 ≤ 150 ms, page override p95 ≤ 50 ms, each ≤ 1.5 × the
JSON API's p95; the review page ≤ 150 KB transferred.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "split"))

import asyncpg
import httpx
from run import machine  # the split benchmark's machine description
from sqlalchemy.engine import make_url

from contracts.adapter import Capability, PackOffer, SupplierQuote, TierPrice
from contracts.api.registry import ApiKeyCreate, KeyRole
from services.api.app import create_app
from services.app.api_keys import create_api_key
from services.app.bulk_buys import build_bulk_buy
from services.app.users import create_user
from services.bootstrap import bootstrap, resolve_database_url
from services.clock import FixedClock
from services.db.engine import make_engine
from services.db.migrate import upgrade
from services.db.tx import Tx
from services.registry import AdapterRegistry
from services.settings import Settings

PRODUCTS, SUPPLIERS, LINES, WARUNGS = 200, 5, 30, 2_500
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
PHONE, PASSWORD = "0812-9999-0001", "benchmark-password-2026"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
PROFILE = False
VERSION = re.compile(r'id="bb-version" name="version" value="(\d+)"')


def dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


class BenchAdapter:
    key = "bench"
    capabilities = frozenset({Capability.QUOTE})

    def __init__(self, index: int) -> None:
        self.index = index

    async def quote(self, request):
        rnd = random.Random(self.index)
        offers = []
        for item in request.items:
            seed = random.Random(f"{item.sku}")
            units = seed.choice([1, 6, 10, 12, 24, 25, 40, 50])
            base = seed.randint(2_000, 40_000) * units
            fallback = self.index == 1  # a dear wholesaler with everything
            if not fallback and rnd.random() < 0.35:
                continue
            price = int(base * (1.2 if fallback else rnd.uniform(0.9, 1.15)))
            tiers = [(1, price)]
            for _ in range(rnd.randint(1, 2)):
                tiers.append(
                    (tiers[-1][0] + rnd.randint(2, 8), int(tiers[-1][1] * rnd.uniform(0.88, 0.97)))
                )
            offers.append(
                PackOffer(
                    sku=item.sku,
                    pack_name=f"dus {units}",
                    units_per_pack=Decimal(units),
                    tiers=tuple(TierPrice(min_packs=m, price_per_pack_idr=p) for m, p in tiers),
                    moq_packs=rnd.choice([1, 1, 2, 3]),
                    available_packs=None
                    if fallback or rnd.random() < 0.7
                    else rnd.randint(50, 400),
                )
            )
        return SupplierQuote(
            supplier_id=0,
            quote_ref=f"B{self.index}",
            valid_until=NOW + timedelta(days=1),
            offers=tuple(offers),
            delivery_fee_idr=75_000 * self.index,
        )


class BenchFactory:
    key = "bench"
    capabilities = BenchAdapter.capabilities

    def validate_config(self, config):
        return None

    def create(self, config, context):
        return BenchAdapter(int(config["index"]))


async def fill(conn: asyncpg.Connection, rnd: random.Random) -> tuple[int, int, list[int]]:
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
    products = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO product (sku, name, category, retail_unit, fractional)"
            " SELECT 'P' || lpad(g::text, 3, '0'), 'Produk nomor ' || g,"
            " (ARRAY['sembako','fresh','protein','household'])[1 + g % 4], 'pcs', false"
            " FROM generate_series(1, $1) g RETURNING id",
            PRODUCTS,
        )
    ]
    await conn.executemany(
        "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
        " VALUES ($1, 'Kota Palembang', $2, $3, 'SP2KP')",
        [(p, NOW.date(), rnd.randint(3_000, 60_000)) for p in products if rnd.random() < 0.9],
    )
    await conn.executemany(
        "INSERT INTO supplier (name, adapter_key, adapter_config, regions, webhook_secret)"
        " VALUES ($1, 'bench', $2, '{Kota Palembang}', 's')",
        [(f"Pemasok {i}", f'{{"index": {i}}}') for i in range(1, SUPPLIERS + 1)],
    )
    cycle = await conn.fetchval(
        "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at, delivery_date,"
        " status) VALUES ($1, 'Bench', '{sembako}', $2, $3, $4, 'closed') RETURNING id",
        satker,
        NOW - timedelta(days=1),
        NOW - timedelta(hours=1),
        NOW.date() + timedelta(days=1),
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
    lines = []
    for request in requests:
        for n, product in enumerate(rnd.sample(products, LINES), start=1):
            lines.append(
                (satker, request, n, product, Decimal(rnd.randint(1, 10)), rnd.random() < 0.1)
            )
    await conn.copy_records_to_table(
        "restock_line",
        records=lines,
        columns=["satker_id", "request_id", "line_no", "product_id", "quantity", "for_preorder"],
    )
    return satker, cycle, products


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


async def measure(url: str, rounds: int) -> dict[str, object]:
    adapters = AdapterRegistry({"bench": BenchFactory()})
    settings = Settings(database_url=url, api_key_cache_seconds=60.0, log_level="WARNING")
    engine = make_engine(url, pool_size=4)
    container = bootstrap(settings, engine=engine, clock=FixedClock(NOW), adapters=adapters)
    try:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            satker = await raw.fetchval("SELECT id FROM satker")
            cycle = await raw.fetchval("SELECT id FROM order_cycle")
        started = time.perf_counter()
        async with Tx(engine) as tx:
            bb = await build_bulk_buy(tx, container, satker, cycle, NOW)
        build_s = time.perf_counter() - started
        async with Tx(engine) as tx:
            key = (
                await create_api_key(tx, ApiKeyCreate(role=KeyRole.COORDINATOR, satker_id=satker))
            ).key
            await create_user(
                tx,
                role="coordinator",
                satker_id=satker,
                phone=PHONE,
                name="Bench",
                password=PASSWORD,
            )
        api_headers = {"Authorization": f"Bearer {key}"}
        app = create_app(container)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            sign_in = await client.get("/console/sign-in")
            token = CSRF.search(sign_in.text).group(1)
            signed = await client.post(
                "/console/sign-in",
                data={"phone": PHONE, "password": PASSWORD, "_csrf_token": token, "next": "/"},
            )
            assert signed.status_code == 303, signed.text[:300]
            page_url = f"/console/satkers/{satker}/bulk-buys/{bb.id}"
            api_url = f"/v1/satkers/{satker}/bulk-buys/{bb.id}"
            cold = {}
            for kind, target, headers in (("json", api_url, api_headers), ("page", page_url, {})):
                t0 = time.perf_counter()  # first view: no row or comparison kept yet
                await client.get(target, headers=headers)
                cold[kind] = (time.perf_counter() - t0) * 1000
            for _ in range(3):  # warm-up: templates compiled, caches filled
                await client.get(page_url)
                await client.get(api_url, headers=api_headers)
            if PROFILE:
                import cProfile
                import pstats

                for target, headers in ((page_url, {}), (api_url, api_headers)):
                    profile = cProfile.Profile()
                    profile.enable()
                    await client.get(target, headers=headers)
                    profile.disable()
                    pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
            page = await client.get(page_url)
            html = page.content
            token = CSRF.search(page.text).group(1)
            timings: dict[str, list[float]] = {
                k: [] for k in ("page", "json", "page_ovr", "json_ovr")
            }
            line = next(ln for ln in bb.lines if ln.suggested_retail_idr and not ln.het_idr)
            price = line.suggested_retail_idr
            for n in range(rounds):
                order = ["page", "json"] if n % 2 == 0 else ["json", "page"]
                for kind in order:
                    t0 = time.perf_counter()
                    if kind == "page":
                        r = await client.get(page_url)
                    else:
                        r = await client.get(api_url, headers=api_headers)
                    timings[kind].append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200, r.text[:300]
                for kind in ["page_ovr", "json_ovr"] if n % 2 == 0 else ["json_ovr", "page_ovr"]:
                    current = await client.get(api_url, headers=api_headers)
                    version = current.headers["etag"].strip('"')
                    price += 1
                    t0 = time.perf_counter()
                    if kind == "page_ovr":
                        r = await client.post(
                            f"{page_url}/lines/{line.product_id}/override",
                            data={
                                "reason": f"putaran {n}",
                                "retail_price": str(price),
                                "version": version,
                                "_csrf_token": token,
                            },
                            headers={"HX-Request": "true", "Idempotency-Key": uuid.uuid4().hex},
                        )
                        assert VERSION.search(r.text), r.text[:300]
                    else:
                        r = await client.post(
                            f"{api_url}/lines/{line.product_id}/override",
                            json={"reason": f"putaran {n}", "retail_price_idr": price},
                            headers={
                                **api_headers,
                                "If-Match": f'"{version}"',
                                "Idempotency-Key": uuid.uuid4().hex,
                            },
                        )
                    timings[kind].append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200, (kind, r.status_code, r.text[:300])
        return {
            "build_s": build_s,
            "lines": len(bb.lines),
            "page_bytes": len(html),
            "page_gzip_bytes": len(gzip.compress(html, 6)),
            "timings": timings,
            "cold": cold,
        }
    finally:
        await container.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--write", action="store_true", help="write RESULTS.md beside this script")
    parser.add_argument("--profile", action="store_true", help="print a profile of each GET")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    server = resolve_database_url(Settings.from_env())
    name = f"kulakan_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url, "heads")
        conn = await asyncpg.connect(dsn(url))
        try:
            await fill(conn, random.Random(2500))
            await conn.execute("ANALYZE")
        finally:
            await conn.close()
        result = await measure(url, args.rounds)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    t = result["timings"]
    rows = []
    for label, kind in (
        ("review page (HTML)", "page"),
        ("bulk buy (JSON)", "json"),
        ("line override, page (htmx)", "page_ovr"),
        ("line override, JSON", "json_ovr"),
    ):
        rows.append(
            f"| {label} | {statistics.median(t[kind]):.1f} | {p95(t[kind]):.1f} | {len(t[kind])} |"
        )
    review_ratio = p95(t["page"]) / p95(t["json"])
    override_ratio = p95(t["page_ovr"]) / p95(t["json_ovr"])
    text = (
        "# console benchmark\n\n"
        "`KULAKAN_DATABASE_URL=… .venv/bin/python benchmarks/console/run.py --write`\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}, PostgreSQL on "
        "127.0.0.1, in one process through the ASGI interface (server time, no network).\n\n"
        f"A bulk buy of {result['lines']} products built from {WARUNGS:,} warungs × {LINES} lines"
        f" (build {result['build_s']:.1f} s), {SUPPLIERS} suppliers; {args.rounds} rounds,"
        " page and JSON alternated within each round.\n\n"
        "| request | p50 ms | p95 ms | n |\n|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"- review page p95 {p95(t['page']):.1f} ms (target ≤ 150), ratio to the JSON"
        f" {review_ratio:.2f}× (target ≤ 1.5)\n"
        f"- line override p95 {p95(t['page_ovr']):.1f} ms (target ≤ 50), ratio to the JSON"
        f" {override_ratio:.2f}× (target ≤ 1.5)\n"
        f"- first view of the bulk buy (nothing kept yet): JSON {result['cold']['json']:.0f} ms,"
        f" review page {result['cold']['page']:.0f} ms (templates compiled on first use)\n"
        f"- review page weight {result['page_bytes'] / 1024:.1f} KB as sent (no compression;"
        f" {result['page_gzip_bytes'] / 1024:.1f} KB if gzipped), plus review.css, console.css"
        " and htmx.min.js, cached a day (target ≤ 150 KB)\n"
    )
    if args.write:
        (Path(__file__).parent / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    asyncio.run(main())
