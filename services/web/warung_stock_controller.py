"""Stok: on hand and the reorder points per product, and a quick correction with a reason
(a stock-take of one product, recorded as a movement with that reason)."""

from __future__ import annotations

from typing import Any, Unpack

from litestar import get, post
from litestar.response import Template

from contracts.api.demand import StockItemIn, StockUpdate
from contracts.errors import InvalidInput
from services.app import stock, warung_views
from services.web.warung_forms import N_, NOT_A_NUMBER, explain, parse_quantity
from services.web.warung_render import WARUNG, OwnerPages, OwnerVisit, Shown, form_page


class WarungStockController(OwnerPages):
    path = f"{WARUNG}/stok"

    @get("/", name="warung:stock")
    async def stock_page(self, visit: OwnerVisit) -> Template:
        return await _render(visit)

    @post("/", name="warung:stock-correct", status_code=200)
    async def correct(self, visit: OwnerVisit) -> Template:
        form = await visit.request.form()
        product = str(form.get("product") or "")
        typed = {
            "product": product,
            "on_hand": str(form.get("on_hand") or ""),
            "reason": str(form.get("reason") or "").strip(),
        }
        errors: dict[str, str] = {}
        on_hand = parse_quantity(typed["on_hand"]) if typed["on_hand"].strip() else None
        if on_hand is None:
            errors["on_hand"] = NOT_A_NUMBER
        if not typed["reason"]:
            errors["reason"] = N_("Say why the stock changed")
        if not product.isdigit():
            raise InvalidInput("no product named")
        if not errors:
            item = StockItemIn(product_id=int(product), on_hand=on_hand, note=typed["reason"][:200])
            try:
                await stock.update_stock(
                    visit.tx,
                    visit.container,
                    visit.owner.principal(),
                    visit.owner.warung_id,
                    StockUpdate(items=[item]),
                )
            except InvalidInput as exc:
                first = exc.errors[0].detail if exc.errors else exc.detail
                errors = {"on_hand": explain(first, str)}
        if errors:
            return await _render(visit, typed=typed, errors=errors, status=400)
        return await _render(visit, notice="corrected")


async def _render(visit: OwnerVisit, **shown: Unpack[Shown]) -> Template:
    levels = await stock.list_stock(
        visit.tx, visit.owner.principal(), visit.owner.warung_id, limit=500, after_product_id=None
    )
    labels = await warung_views.product_labels(visit.tx, [r.product_id for r in levels])
    levels = sorted(levels[:500], key=lambda r: labels[r.product_id].name)
    context: dict[str, Any] = {
        "levels": levels,
        "labels": labels,
    }
    return form_page(visit, "warung/stock.html", context, **shown)
