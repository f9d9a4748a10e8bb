"""The coordinator's demand view of a cycle: totals per product across its warungs, with the
pre-order share, optionally for one category."""

from __future__ import annotations

from decimal import Decimal

from contracts.api.demand import ProductDemandOut
from contracts.errors import NotFound
from services.auth import Principal, Role
from services.db.tx import Tx

DEMAND_STATUSES = ["submitted", "locked", "consolidated", "ordered", "delivered", "received"]


async def cycle_demand(
    tx: Tx,
    principal: Principal,
    satker_id: int,
    cycle_id: int,
    *,
    limit: int,
    after_product_id: int | None,
    category: str | None = None,
) -> list[ProductDemandOut]:
    """Totals per product across the cycle's warungs, with the pre-order share."""
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    exists = await raw.fetchval(
        "SELECT 1 FROM order_cycle WHERE satker_id = $1 AND id = $2", satker_id, cycle_id
    )
    if exists is None:
        raise NotFound(f"cycle {cycle_id} not found")
    rows = await raw.fetch(
        """
        SELECT l.product_id, p.name AS product_name, p.retail_unit, p.category,
            sum(l.quantity) AS total_quantity,
            coalesce(sum(l.quantity) FILTER (WHERE l.for_preorder), 0) AS preorder_quantity,
            count(DISTINCT r.warung_id) AS warung_count,
            count(DISTINCT r.id) AS request_count
        FROM restock_request r
        JOIN restock_line l ON l.satker_id = r.satker_id AND l.request_id = r.id
        JOIN product p ON p.id = l.product_id
        WHERE r.satker_id = $1 AND r.cycle_id = $2 AND r.status = ANY($3::text[])
          AND ($4::bigint IS NULL OR l.product_id > $4)
          AND ($6::text IS NULL OR p.category = $6)
        GROUP BY l.product_id, p.name, p.retail_unit, p.category
        ORDER BY l.product_id LIMIT $5
        """,
        satker_id,
        cycle_id,
        DEMAND_STATUSES,
        after_product_id,
        limit + 1,
        category,
    )
    return [
        ProductDemandOut(
            **dict(r),
            preorder_share=(r["preorder_quantity"] / r["total_quantity"]).quantize(
                Decimal("0.0001")
            ),
        )
        for r in rows
    ]
