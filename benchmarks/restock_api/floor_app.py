"""The floor: a minimal Litestar endpoint on a raw asyncpg pool doing the same inserts as
POST /v1/restock-requests (header and 20 lines in one CTE with unnest, into the open cycle),
with no auth, idempotency, validation or middleware. Run: granian --interface asgi floor_app:app."""

from __future__ import annotations

import os
from decimal import Decimal

import asyncpg
import msgspec
from litestar import Litestar, Request, post

DSN = os.environ["FLOOR_DSN"]


class Line(msgspec.Struct, forbid_unknown_fields=True):
    product_id: int
    quantity: Decimal
    for_preorder: bool = False


class Body(msgspec.Struct, forbid_unknown_fields=True):
    lines: list[Line]


INSERT = """
WITH c AS (
    SELECT id FROM order_cycle
    WHERE satker_id = $1 AND categories @> $3::varchar[] AND status IN ('scheduled','open')
      AND opens_at <= now() AND cutoff_at > now()
    ORDER BY cutoff_at LIMIT 1 FOR SHARE
), h AS (
    INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)
    SELECT $1, $2, c.id, 'submitted' FROM c RETURNING id
), l AS (
    INSERT INTO restock_line (satker_id, request_id, line_no, product_id, quantity, for_preorder)
    SELECT $1, h.id, u.n, u.p, u.q, u.f
    FROM h, unnest($4::bigint[], $5::numeric[], $6::bool[]) WITH ORDINALITY AS u(p, q, f, n)
)
SELECT id FROM h
"""

state: dict[str, asyncpg.Pool] = {}


async def start() -> None:
    state["pool"] = await asyncpg.create_pool(DSN, min_size=20, max_size=20)


async def stop() -> None:
    await state["pool"].close()


@post("/v1/restock-requests")
async def create(request: Request, data: Body) -> dict[str, int]:
    satker_id = int(request.headers["x-satker"])
    warung_id = int(request.headers["x-warung"])
    async with state["pool"].acquire() as conn, conn.transaction():
        rid = await conn.fetchval(
            INSERT,
            satker_id,
            warung_id,
            ["sembako"],
            [ln.product_id for ln in data.lines],
            [ln.quantity for ln in data.lines],
            [ln.for_preorder for ln in data.lines],
        )
    return {"id": rid}


app = Litestar([create], on_startup=[start], on_shutdown=[stop])
