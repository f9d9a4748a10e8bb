"""A warung's customers' pre-orders: recorded by the warung, served first at break-bulk."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from contracts.api.demand import PreorderClose, PreorderCreate, PreorderOut
from contracts.errors import FieldError, Forbidden, IllegalTransition, InvalidInput, NotFound
from services.app.container import Container
from services.app.tenancy import resolve_warung
from services.auth import Principal, Role
from services.db.tx import Tx
from services.domain.stock import check_item_quantity, sold_product

_PREORDER_COLUMNS = (
    "id, warung_id, product_id, quantity, customer_ref, needed_by, status, created_at"
)


async def create_preorder(
    tx: Tx,
    container: Container,
    principal: Principal,
    warung_id: int,
    data: PreorderCreate,
    now: datetime,
) -> PreorderOut:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    if principal.role == Role.COORDINATOR:
        raise Forbidden("pre-orders are recorded by the warung")
    products = await container.product_cache.get_many(raw, [data.product_id])
    errors: list[FieldError] = []
    product = sold_product(products, data.product_id, "/product_id", errors)
    check_item_quantity(data.quantity, product, "/quantity", errors, allow_zero=False)
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
