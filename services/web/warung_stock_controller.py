"""Stok: on hand and the reorder points per product, and a quick correction with a reason
(a stock-take of one product, recorded as a movement with that reason)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from contracts.api.demand import StockItemIn, StockUpdate
from contracts.errors import InvalidInput
from services.app import stock, warung_views
from services.app.warung_sessions import WarungViewer
from services.bootstrap import Container
from services.db.tx import Tx
from services.web.warung_forms import N_, NOT_A_NUMBER, explain, parse_quantity
from services.web.warung_render import WARUNG, owner_page


class WarungStockController(Controller):
    path = f"{WARUNG}/stok"
    include_in_schema = False

    @get("/", name="warung:stock")
    async def stock_page(self, request: HTMXRequest, tx: Tx, owner: WarungViewer) -> Template:
        return await _render(request, tx, owner)

    @post("/", name="warung:stock-correct", status_code=200)
    async def correct(
        self, request: HTMXRequest, tx: Tx, container: Container, owner: WarungViewer
    ) -> Template:
        form = await request.form()
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
                    tx, container, owner.principal(), owner.warung_id, StockUpdate(items=[item])
                )
            except InvalidInput as exc:
                first = exc.errors[0].detail if exc.errors else exc.detail
                errors = {"on_hand": explain(first, str)}
        if errors:
            return await _render(request, tx, owner, typed=typed, errors=errors, status=400)
        return await _render(request, tx, owner, notice="corrected")


async def _render(
    request: HTMXRequest,
    tx: Tx,
    owner: WarungViewer,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Template:
    levels = await stock.list_stock(
        tx, owner.principal(), owner.warung_id, limit=500, after_product_id=None
    )
    labels = await warung_views.product_labels(tx, [r.product_id for r in levels])
    levels = sorted(levels[:500], key=lambda r: labels[r.product_id].name)
    context: dict[str, Any] = {
        "owner": owner,
        "levels": levels,
        "labels": labels,
        "typed": typed or {},
        "errors": errors or {},
        "notice": notice,
    }
    return owner_page(request, "warung/stock.html", context, status_code=status)
