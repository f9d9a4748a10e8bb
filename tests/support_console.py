"""Rows for console tests: users, an open cycle, restock requests, signing in over HTTP, and
every console address of a satker (from the application's route table)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from services.app.users import create_user
from services.db.tx import Tx

PASSWORD = "kopi-susu-pagi-hari"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
SATKER_PAGES = "/console/satkers/{satker_id:int}"
_PARAM = re.compile(r"\{(\w+):int\}")
# addresses that need a query to show anything
_QUERY = {"/invoices/print": "?cycle={cycle_id}"}


def console_addresses(app: Any, ids: dict[str, int], method: str) -> list[tuple[str, str]]:
    """(route path after the satker's prefix, address) of every console route of one satker
    answering ``method``, its path parameters taken from ``ids`` (so a new page is covered
    the day it is added)."""
    from litestar.routes import HTTPRoute

    out = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(SATKER_PAGES):
            continue
        if method not in route.methods:
            continue
        tail = route.path.removeprefix(SATKER_PAGES)
        address = _PARAM.sub(lambda m: str(ids[m.group(1)]), route.path)
        out.append((tail, address + _QUERY.get(tail, "").format(**ids)))
    return sorted(out)


async def new_user(
    engine: AsyncEngine,
    satker_id: int | None,
    phone: str,
    *,
    role: str = "coordinator",
    password: str | None = PASSWORD,
    name: str = "Pak Budi",
) -> tuple[int, str | None]:
    async with Tx(engine) as tx:
        created = await create_user(
            tx, role=role, satker_id=satker_id, phone=phone, name=name, password=password
        )
    return created.user.id, created.setup_code


async def open_cycle(
    engine: AsyncEngine,
    satker_id: int,
    *,
    name: str = "Sayur harian",
    hours_left: float = 3,
    now: datetime | None = None,
) -> tuple[int, datetime]:
    cutoff = (now or datetime.now(UTC)).replace(microsecond=0) + timedelta(hours=hours_left)
    async with Tx(engine) as tx:
        raw = await tx.raw()
        cycle_id = await raw.fetchval(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id",
            satker_id,
            name,
            ["fresh"],
            cutoff - timedelta(hours=6),
            cutoff,
            date.today() + timedelta(days=1),
        )
    return cycle_id, cutoff


async def restock_request(
    engine: AsyncEngine, satker_id: int, warung_id: int, cycle_id: int, status: str, lines: int = 1
) -> int:
    async with Tx(engine) as tx:
        raw = await tx.raw()
        request_id = await raw.fetchval(
            "INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)"
            " VALUES ($1, $2, $3, $4) RETURNING id",
            satker_id,
            warung_id,
            cycle_id,
            status,
        )
        for n in range(lines):
            product = await raw.fetchval(
                "INSERT INTO product (sku, name, category, retail_unit)"
                " VALUES ($1, $2, 'fresh', 'kg') ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name"
                " RETURNING id",
                f"SKU-{n}",
                f"Produk {n}",
            )
            await raw.execute(
                "INSERT INTO restock_line (satker_id, request_id, line_no, product_id, quantity)"
                " VALUES ($1, $2, $3, $4, 2)",
                satker_id,
                request_id,
                n + 1,
                product,
            )
    return request_id


async def csrf_token(client: httpx.AsyncClient, path: str = "/console/sign-in") -> str:
    page = await client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


async def sign_in(
    client: httpx.AsyncClient, phone: str, password: str = PASSWORD
) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/console/sign-in",
        data={"phone": phone, "password": password, "_csrf_token": token, "next": "/console/"},
    )
