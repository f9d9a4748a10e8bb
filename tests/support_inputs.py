"""Shared by the bad-input tests: a satker with an open daily cycle, and problem helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.clock import FixedClock
from tests.support import bearer, new_key
from tests.support_demand import DAILY_FRESH, app_client, at, new_product, new_tenant

# Tuesday 24 November 2026, 10:00 WIB: the daily cycle (06:00–12:00 WIB) is open.
MORNING = "2026-11-24T03:00:00+00:00"
INT64_MAX = 2**63 - 1
HUGE = [INT64_MAX + 1, 2**64, 10**20]

SATKER = {
    "name": "Satker Kalidoni",
    "kecamatan": "Kalidoni",
    "kota": "Kota Palembang",
    "province": "Sumatera Selatan",
    "timezone": "Asia/Jakarta",
}


def assert_problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    return body


def pointers(body: dict) -> list[str]:
    return [e.get("pointer", e.get("parameter")) for e in body.get("errors", [])]


@pytest.fixture
async def inputs(engine, make_container):
    """A satker with an open daily cycle, a warung key, a whole-unit and a kg product."""
    tenant = await new_tenant(engine, warungs=1)
    products = {
        "ayam": await new_product(
            engine, name="Ayam potong", category="protein", retail_unit="ekor", fractional=False
        ),
        "cabai": await new_product(engine, name="Cabai merah", category="fresh"),
    }
    admin = bearer(await new_key(engine, "admin"))
    async with app_client(make_container, FixedClock(at(MORNING))) as client:
        made = await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        assert made.status_code == 201, made.text
        yield client, tenant, products, admin, engine


async def _rows(engine, table: str) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
