"""A warung's stock (levels and movements), its customers' pre-orders and its restock
suggestion."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from contracts.api.demand import (
    MovementReason,
    PreorderClose,
    PreorderCreate,
    PreorderOut,
    StockLevelOut,
    StockMovementIn,
    StockMovementOut,
    StockUpdate,
    SuggestionLineOut,
    SuggestionOut,
)
from contracts.errors import FieldError, Forbidden, IllegalTransition, InvalidInput, NotFound
from contracts.quantity import QuantityError, check_quantity
from services.app import restock
from services.app.product_cache import CachedProduct, product_cache
from services.auth import Principal, Role
from services.db.tx import Tx
from services.domain import suggestion

ZERO = Decimal(0)
_LEVEL_COLUMNS = "warung_id, product_id, on_hand, minimum, maximum, version, updated_at"


async def resolve_warung(raw: Any, principal: Principal, warung_id: int) -> int:
    """The warung's satker id, or 404 when the caller may not see the warung."""
    principal.require(Role.ADMIN, Role.COORDINATOR, Role.WARUNG)
    if principal.role == Role.WARUNG:
        if principal.warung_id != warung_id:
            raise NotFound(f"warung {warung_id} not found")
        assert principal.satker_id is not None
        return principal.satker_id
    satker_id = await raw.fetchval(
        "SELECT satker_id FROM warung WHERE id = $1 AND ($2::bigint IS NULL OR satker_id = $2)",
        warung_id,
        principal.satker_id,
    )
    if satker_id is None:
        raise NotFound(f"warung {warung_id} not found")
    return satker_id


def _product(
    products: dict[int, CachedProduct], product_id: int, pointer: str, errors: list[FieldError]
) -> CachedProduct | None:
    product = products.get(product_id)
    if product is None:
        errors.append(FieldError(pointer, f"unknown product {product_id}"))
    elif not product.active:
        errors.append(FieldError(pointer, f"product {product_id} is no longer sold"))
        return None
    return product


def _quantity(
    value: Decimal | None,
    product: CachedProduct | None,
    pointer: str,
    errors: list[FieldError],
    *,
    allow_zero: bool,
) -> None:
    if value is None:
        return
    try:
        check_quantity(
            value, fractional=product.fractional if product else True, allow_zero=allow_zero
        )
    except QuantityError as exc:
        errors.append(FieldError(pointer, str(exc)))


async def update_stock(
    tx: Tx, container: object, principal: Principal, warung_id: int, data: StockUpdate
) -> list[StockLevelOut]:
    """A stock-take and/or new reorder points. Each changed on hand is a ``count`` movement."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    products = await product_cache(container).get_many(raw, {i.product_id for i in data.items})
    errors: list[FieldError] = []
    seen: set[int] = set()
    for n, item in enumerate(data.items):
        at = f"/items/{n}"
        if item.product_id in seen:
            errors.append(FieldError(f"{at}/product_id", "product appears twice"))
        seen.add(item.product_id)
        product = _product(products, item.product_id, f"{at}/product_id", errors)
        for name in ("on_hand", "minimum", "maximum"):
            _quantity(getattr(item, name), product, f"{at}/{name}", errors, allow_zero=True)
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
                updated_at = now()
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
    tx: Tx, container: object, principal: Principal, warung_id: int, data: StockMovementIn
) -> StockMovementOut:
    """A receipt (delta > 0), sale (delta < 0) or adjustment (either) of on hand."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    products = await product_cache(container).get_many(raw, [data.product_id])
    errors: list[FieldError] = []
    product = products.get(data.product_id)
    if product is None:
        errors.append(FieldError("/product_id", f"unknown product {data.product_id}"))
    if data.reason == MovementReason.COUNT:
        errors.append(FieldError("/reason", "a count is a stock-take: PUT the stock instead"))
    _quantity(abs(data.delta), product, "/delta", errors, allow_zero=False)
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
                updated_at = now()
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


_PREORDER_COLUMNS = (
    "id, warung_id, product_id, quantity, customer_ref, needed_by, status, created_at"
)


async def create_preorder(
    tx: Tx,
    container: object,
    principal: Principal,
    warung_id: int,
    data: PreorderCreate,
    now: datetime,
) -> PreorderOut:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    if principal.role == Role.COORDINATOR:
        raise Forbidden("pre-orders are recorded by the warung")
    products = await product_cache(container).get_many(raw, [data.product_id])
    errors: list[FieldError] = []
    product = _product(products, data.product_id, "/product_id", errors)
    _quantity(data.quantity, product, "/quantity", errors, allow_zero=False)
    zone = await raw.fetchval("SELECT timezone FROM satker WHERE id = $1", satker_id)
    if data.needed_by < now.astimezone(ZoneInfo(zone)).date():
        errors.append(FieldError("/needed_by", "the date has passed"))
    if errors:
        raise InvalidInput("the pre-order is not valid", errors=errors)
    row = await raw.fetchrow(
        f"""
        INSERT INTO preorder (satker_id, warung_id, product_id, quantity, customer_ref,
            needed_by, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        RETURNING {_PREORDER_COLUMNS}
        """,
        satker_id,
        warung_id,
        data.product_id,
        data.quantity,
        data.customer_ref,
        data.needed_by,
        now,
    )
    return PreorderOut(**dict(row))


async def close_preorder(
    tx: Tx, principal: Principal, warung_id: int, preorder_id: int, data: PreorderClose
) -> PreorderOut:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    row = await raw.fetchrow(
        f"""
        UPDATE preorder SET status = $4
        WHERE satker_id = $1 AND warung_id = $2 AND id = $3 AND status = 'open'
        RETURNING {_PREORDER_COLUMNS}
        """,
        satker_id,
        warung_id,
        preorder_id,
        str(data.status),
    )
    if row is None:
        current = await raw.fetchval(
            "SELECT status FROM preorder WHERE satker_id = $1 AND warung_id = $2 AND id = $3",
            satker_id,
            warung_id,
            preorder_id,
        )
        if current is None:
            raise NotFound(f"pre-order {preorder_id} not found")
        raise IllegalTransition("pre-order", current, f"mark {data.status}")
    return PreorderOut(**dict(row))


async def list_preorders(
    tx: Tx,
    principal: Principal,
    warung_id: int,
    *,
    status: str | None,
    limit: int,
    after_id: int | None,
) -> list[PreorderOut]:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    rows = await raw.fetch(
        f"""
        SELECT {_PREORDER_COLUMNS} FROM preorder WHERE satker_id = $1 AND warung_id = $2
          AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR id > $4)
        ORDER BY id LIMIT $5
        """,
        satker_id,
        warung_id,
        status,
        after_id,
        limit + 1,
    )
    return [PreorderOut(**dict(r)) for r in rows]


async def restock_suggestion(
    tx: Tx, container: object, principal: Principal, warung_id: int
) -> SuggestionOut:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    levels = await raw.fetch(
        "SELECT product_id, on_hand, minimum, maximum FROM stock_level"
        " WHERE satker_id = $1 AND warung_id = $2",
        satker_id,
        warung_id,
    )
    wanted = await raw.fetch(
        "SELECT product_id, sum(quantity) AS quantity FROM preorder"
        " WHERE satker_id = $1 AND warung_id = $2 AND status = 'open' GROUP BY product_id",
        satker_id,
        warung_id,
    )
    ordered = await restock.on_order(raw, satker_id, warung_id)
    stock = {
        r["product_id"]: suggestion.StockPoint(
            on_hand=r["on_hand"], minimum=r["minimum"], maximum=r["maximum"]
        )
        for r in levels
    }
    preorders = {r["product_id"]: r["quantity"] for r in wanted}
    products = await product_cache(container).get_many(raw, set(stock) | set(preorders))
    active = {pid: p for pid, p in products.items() if p.active}
    lines = suggestion.suggest(
        stock,
        preorders,
        ordered,
        {pid: p.fractional for pid, p in active.items()},
        {pid: p.retail_unit for pid, p in active.items()},
    )
    return SuggestionOut(
        warung_id=warung_id,
        lines=[
            SuggestionLineOut(
                product_id=ln.product_id,
                product_name=active[ln.product_id].name,
                retail_unit=active[ln.product_id].retail_unit,
                quantity=ln.quantity,
                preorder_quantity=ln.preorder_quantity,
                replenish_quantity=ln.replenish_quantity,
                on_hand=ln.on_hand,
                on_order=ln.on_order,
                minimum=ln.minimum,
                maximum=ln.maximum,
                reason=ln.reason,
            )
            for ln in lines
        ],
    )
