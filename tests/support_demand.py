"""Helpers for demand tests: products inserted directly (the catalogue API lives elsewhere),
an app on a controllable clock, and a satker with a daily cycle and warung keys."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.app import create_app
from services.clock import FixedClock
from services.db.tx import Tx
from tests.support import bearer, new_key, new_satker, new_warung, ref

PRODUCTS_CSV = Path("/work/shared/data/products.csv")


async def new_product(
    engine: AsyncEngine,
    *,
    name: str = "Beras medium",
    category: str = "sembako",
    retail_unit: str = "kg",
    fractional: bool = True,
    active: bool = True,
    sku: str | None = None,
) -> int:
    async with Tx(engine) as tx:
        raw = await tx.raw()
        return await raw.fetchval(
            "INSERT INTO product (sku, name, category, retail_unit, fractional, active)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            sku or ref("SKU"),
            name,
            category,
            retail_unit,
            fractional,
            active,
        )


def _catalogue_rows() -> list[dict[str, str]]:
    with PRODUCTS_CSV.open() as fh:
        return list(csv.DictReader(fh))


async def catalogue_products(engine: AsyncEngine, category: str | None = None) -> dict[str, int]:
    """The real products of /work/shared/data/products.csv (optionally one category): sku → id."""
    ids: dict[str, int] = {}
    for row in _catalogue_rows():
        if category and row["category"] != category:
            continue
        ids[row["sku"]] = await new_product(
            engine,
            sku=row["sku"],
            name=row["name"],
            category=row["category"],
            retail_unit=row["retail_unit"],
            fractional=row["fractional"] == "true",
        )
    return ids


@asynccontextmanager
async def app_client(
    make_container: Callable[..., object], clock: FixedClock
) -> AsyncIterator[httpx.AsyncClient]:
    container = make_container(clock=clock)
    app = create_app(container)  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kulakan.test") as client:
        client.container = container  # type: ignore[attr-defined]
        yield client


@dataclass
class Tenant:
    satker_id: int
    coordinator: dict[str, str]
    warungs: list[int] = field(default_factory=list)
    warung_keys: list[dict[str, str]] = field(default_factory=list)


async def new_tenant(
    engine: AsyncEngine, *, timezone: str = "Asia/Jakarta", warungs: int = 2
) -> Tenant:
    satker_id = await new_satker(engine, timezone=timezone)
    tenant = Tenant(
        satker_id=satker_id,
        coordinator=bearer(await new_key(engine, "coordinator", satker_id=satker_id)),
    )
    for _ in range(warungs):
        wid = await new_warung(engine, satker_id)
        tenant.warungs.append(wid)
        tenant.warung_keys.append(
            bearer(await new_key(engine, "warung", satker_id=satker_id, warung_id=wid))
        )
    return tenant


DAILY_FRESH = {
    "name": "Sayur dan lauk harian",
    "categories": ["fresh", "protein"],
    "cadence": "daily",
    "opens_at": "06:00:00",
    "cutoff_at": "12:00:00",
    "delivery_days_after": 1,
}
WEEKLY_STAPLES = {
    "name": "Sembako mingguan",
    "categories": ["sembako", "household"],
    "cadence": "weekly",
    "weekday": 0,
    "opens_at": "08:00:00",
    "cutoff_at": "12:00:00",
    "open_days_before": 6,
    "delivery_days_after": 2,
}


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)
