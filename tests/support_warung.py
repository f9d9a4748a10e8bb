"""Rows and sign-in for the warung owner's pages: a satker with two warungs, products with
cartons, an open cycle, and a phone signed in by its link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.app.warung_sessions import issue_link
from services.auth import Principal, Role
from services.db.tx import Tx
from tests.support import new_satker, new_warung
from tests.support_demand import new_product

SECRET = "warung-pages-test-secret"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
KEY = re.compile(r'"Idempotency-Key": "([0-9a-f]+)"')


@dataclass
class World:
    satker_id: int
    warungs: list[int]
    products: dict[str, int]
    cycle_id: int
    cutoff: datetime


async def world(
    engine: AsyncEngine, *, now: datetime | None = None, hours_left: float = 3
) -> World:
    """Satker Kalidoni: Warung Bu Sari and Warung Pak Darto; mie instan (dus of 40), minyak
    (dus of 12), beras (sack of 25 kg), telur (kg); an open cycle for sembako and protein;
    Bu Sari's stock below its minimum for mie and beras."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    satker = await new_satker(engine, name="Satker Kalidoni")
    sari = await new_warung(engine, satker, name="Warung Bu Sari", phone="0812-3456-7001")
    darto = await new_warung(
        engine, satker, name="Warung Pak Darto", owner_name="Pak Darto", phone="0812-3456-7002"
    )
    products = {
        "mie": await new_product(
            engine, name="Mie instan goreng", retail_unit="bungkus", fractional=False
        ),
        "minyak": await new_product(
            engine, name="Minyak goreng 1 L", retail_unit="botol", fractional=False
        ),
        "beras": await new_product(engine, name="Beras medium"),
        "telur": await new_product(engine, name="Telur ayam ras", category="protein"),
    }
    cutoff = now + timedelta(hours=hours_left)
    async with Tx(engine) as tx:
        raw = await tx.raw()
        for key, pack, units in (
            ("mie", "dus", 40),
            ("minyak", "dus", 12),
            ("beras", "karung", 25),
        ):
            await raw.execute(
                "INSERT INTO product_pack (product_id, pack_name, units_per_pack)"
                " VALUES ($1, $2, $3)",
                products[key],
                pack,
                units,
            )
        cycle_id = await raw.fetchval(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES ($1, 'Sembako mingguan', $2, $3, $4, $5, 'open')"
            " RETURNING id",
            satker,
            ["sembako", "protein"],
            now - timedelta(days=1),
            cutoff,
            date.today() + timedelta(days=2),
        )
        for key, on_hand, minimum, maximum in (("mie", 5, 20, 60), ("beras", 4, 10, 30)):
            await raw.execute(
                "INSERT INTO stock_level (satker_id, warung_id, product_id, on_hand, minimum,"
                " maximum) VALUES ($1, $2, $3, $4, $5, $6)",
                satker,
                sari,
                products[key],
                on_hand,
                minimum,
                maximum,
            )
    return World(satker, [sari, darto], products, cycle_id, cutoff)


async def sign_in_link(
    engine: AsyncEngine, warung_id: int, base_url: str, now: datetime | None = None
) -> str:
    async with Tx(engine) as tx:
        link = await issue_link(
            tx,
            Principal(key_id=0, role=Role.ADMIN),
            warung_id,
            secret=SECRET,
            base_url=base_url,
            now=now or datetime.now(UTC),
        )
    return link.url


async def open_link(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """Open the link and press "Masuk", as the owner does."""
    page = await client.get(url)
    match = CSRF.search(page.text)
    if match is None:
        return page
    return await client.post(url, data={"_csrf_token": match.group(1)})


def form_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, html[:500]
    return match.group(1)


def form_key(html: str) -> str:
    match = KEY.search(html)
    assert match, html[:500]
    return match.group(1)
