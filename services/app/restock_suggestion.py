"""A warung's restock suggestion, from its stock levels, open pre-orders and what is on order."""

from __future__ import annotations

from contracts.api.demand import SuggestionLineOut, SuggestionOut
from services.app import restock
from services.app.container import Container
from services.app.tenancy import resolve_warung
from services.auth import Principal
from services.db.tx import Tx
from services.domain import suggestion


async def restock_suggestion(
    tx: Tx, container: Container, principal: Principal, warung_id: int
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
    products = await container.product_cache.get_many(raw, set(stock) | set(preorders))
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
