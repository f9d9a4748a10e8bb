"""A warung's stock: levels with their reorder points, and the movements that change them.

``add_stock`` is the one way stock moves, for a warung's own movements and for receipts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from contracts.api.demand import (
    MovementReason,
    StockLevelOut,
    StockMovementIn,
    StockMovementOut,
    StockUpdate,
)
from contracts.errors import FieldError, InvalidInput
from services.app.container import Container
from services.app.tenancy import resolve_warung
from services.auth import Principal
from services.db.tx import Tx
from services.domain.stock import check_item_quantity, sold_product

ZERO = Decimal(0)
_LEVEL_COLUMNS = "warung_id, product_id, on_hand, minimum, maximum, version, updated_at"


async def update_stock(
    tx: Tx, container: Container, principal: Principal, warung_id: int, data: StockUpdate
) -> list[StockLevelOut]:
    """A stock-take and/or new reorder points. Each changed on hand is a ``count`` movement."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    products = await container.product_cache.get_many(raw, {i.product_id for i in data.items})
    errors: list[FieldError] = []
    seen: set[int] = set()
    for n, item in enumerate(data.items):
        at = f"/items/{n}"
        if item.product_id in seen:
            errors.append(FieldError(f"{at}/product_id", "product appears twice"))
        seen.add(item.product_id)
        product = sold_product(products, item.product_id, f"{at}/product_id", errors)
        for name in ("on_hand", "minimum", "maximum"):
            check_item_quantity(
                getattr(item, name), product, f"{at}/{name}", errors, allow_zero=True
            )
    if errors:
        raise InvalidInput("the stock update is not valid", errors=errors)
    current = {
        r["product_id"]: r
        for r in await raw.fetch(
            f"SELECT {_LEVEL_COLUMNS} FROM stock_level"
            " WHERE satker_id = $1 AND warung_id = $2 AND product_id = ANY($3::bigint[])"
            " FOR UPDATE",
            satker_id,
            warung_id,
            [i.product_id for i in data.items],
        )
    }
    rows: list[tuple[int, Decimal, Decimal, Decimal]] = []
    moves: list[tuple[int, Decimal, Decimal, str]] = []
    for n, item in enumerate(data.items):
        old = current.get(item.product_id)
        old_on_hand = old["on_hand"] if old else ZERO
        on_hand = item.on_hand if item.on_hand is not None else old_on_hand
        minimum = item.minimum if item.minimum is not None else (old["minimum"] if old else ZERO)
        maximum = item.maximum if item.maximum is not None else (old["maximum"] if old else ZERO)
        if maximum < minimum:
            errors.append(
                FieldError(
                    f"/items/{n}/maximum",
                    f"maximum {maximum} is below minimum {minimum}",
                )
            )
        rows.append((item.product_id, on_hand, minimum, maximum))
        if item.on_hand is not None and (old is None or on_hand != old_on_hand):
            moves.append((item.product_id, on_hand - old_on_hand, on_hand, item.note))
    if errors:
        raise InvalidInput("the stock update is not valid", errors=errors)
    levels = await raw.fetch(
        f"""
        INSERT INTO stock_level (satker_id, warung_id, product_id, on_hand, minimum, maximum)
        SELECT $1, $2, u.p, u.h, u.lo, u.hi
        FROM unnest($3::bigint[], $4::numeric[], $5::numeric[], $6::numeric[]) AS u(p, h, lo, hi)
        ON CONFLICT (satker_id, warung_id, product_id) DO UPDATE
            SET on_hand = EXCLUDED.on_hand, minimum = EXCLUDED.minimum,
                maximum = EXCLUDED.maximum, version = stock_level.version + 1,
                updated_at = EXCLUDED.updated_at
        RETURNING {_LEVEL_COLUMNS}
        """,
        satker_id,
        warung_id,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )
    if moves:
        await _insert_movements(raw, satker_id, warung_id, "count", moves)
    return sorted((StockLevelOut(**dict(r)) for r in levels), key=lambda s: s.product_id)


async def _insert_movements(
    raw: Any,
    satker_id: int,
    warung_id: int,
    reason: str,
    moves: list[tuple[int, Decimal, Decimal, str]],
) -> list[Any]:
    return await raw.fetch(
        """
        INSERT INTO stock_movement
            (satker_id, warung_id, product_id, reason, delta, on_hand_after, note)
        SELECT $1, $2, u.p, $3, u.d, u.a, u.n
        FROM unnest($4::bigint[], $5::numeric[], $6::numeric[], $7::text[]) AS u(p, d, a, n)
        RETURNING id, warung_id, product_id, reason, delta, on_hand_after, note, created_at
        """,
        satker_id,
        warung_id,
        reason,
        [m[0] for m in moves],
        [m[1] for m in moves],
        [m[2] for m in moves],
        [m[3] for m in moves],
    )


async def record_movement(
    tx: Tx, container: Container, principal: Principal, warung_id: int, data: StockMovementIn
) -> StockMovementOut:
    """A receipt (delta > 0), sale (delta < 0) or adjustment (either) of on hand."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    products = await container.product_cache.get_many(raw, [data.product_id])
    errors: list[FieldError] = []
    product = products.get(data.product_id)
    if product is None:
        errors.append(FieldError("/product_id", f"unknown product {data.product_id}"))
    if data.reason == MovementReason.COUNT:
        errors.append(FieldError("/reason", "a count is a stock-take: PUT the stock instead"))
    check_item_quantity(abs(data.delta), product, "/delta", errors, allow_zero=False)
    if data.reason == MovementReason.SALE and data.delta > 0:
        errors.append(FieldError("/delta", "a sale takes stock out: delta must be negative"))
    if data.reason == MovementReason.RECEIPT and data.delta < 0:
        errors.append(FieldError("/delta", "a receipt adds stock: delta must be positive"))
    if errors:
        raise InvalidInput("the stock movement is not valid", errors=errors)
    row = await add_stock(
        raw, satker_id, warung_id, data.product_id, data.delta, str(data.reason), data.note
    )
    return StockMovementOut(**dict(row))


async def add_stock(
    raw: Any,
    satker_id: int,
    warung_id: int,
    product_id: int,
    delta: Decimal,
    reason: str,
    note: str,
) -> Any:
    """Move one stock level by ``delta`` and record the movement; never below zero."""
    before = await raw.fetchval(
        "SELECT on_hand FROM stock_level"
        " WHERE satker_id = $1 AND warung_id = $2 AND product_id = $3 FOR UPDATE",
        satker_id,
        warung_id,
        product_id,
    )
    after = (before or ZERO) + delta
    if after < 0:
        raise InvalidInput(
            "on hand cannot go below zero",
            errors=[FieldError("/delta", f"only {before or ZERO} on hand")],
        )
    await raw.execute(
        """
        INSERT INTO stock_level (satker_id, warung_id, product_id, on_hand)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (satker_id, warung_id, product_id) DO UPDATE
            SET on_hand = EXCLUDED.on_hand, version = stock_level.version + 1,
                updated_at = EXCLUDED.updated_at
        """,
        satker_id,
        warung_id,
        product_id,
        after,
    )
    rows = await _insert_movements(
        raw, satker_id, warung_id, reason, [(product_id, delta, after, note)]
    )
    return rows[0]


async def list_stock(
    tx: Tx, principal: Principal, warung_id: int, *, limit: int, after_product_id: int | None
) -> list[StockLevelOut]:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    rows = await raw.fetch(
        f"SELECT {_LEVEL_COLUMNS} FROM stock_level WHERE satker_id = $1 AND warung_id = $2"
        " AND ($3::bigint IS NULL OR product_id > $3) ORDER BY product_id LIMIT $4",
        satker_id,
        warung_id,
        after_product_id,
        limit + 1,
    )
    return [StockLevelOut(**dict(r)) for r in rows]


async def list_movements(
    tx: Tx,
    principal: Principal,
    warung_id: int,
    *,
    product_id: int | None,
    limit: int,
    after_id: int | None,
) -> list[StockMovementOut]:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    rows = await raw.fetch(
        """
        SELECT id, warung_id, product_id, reason, delta, on_hand_after, note, created_at
        FROM stock_movement WHERE satker_id = $1 AND warung_id = $2
          AND ($3::bigint IS NULL OR product_id = $3) AND ($4::bigint IS NULL OR id > $4)
        ORDER BY id LIMIT $5
        """,
        satker_id,
        warung_id,
        product_id,
        after_id,
        limit + 1,
    )
    return [StockMovementOut(**dict(r)) for r in rows]
