"""Pesanan pelanggan: a customer's order taken by the warung (name or phone, product, quantity,
needed by), served first when the delivery is shared out; mark served or cancelled."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import get, post
from litestar.response import Template

from contracts.api.demand import PreorderClose, PreorderCreate, PreorderStatus
from contracts.errors import InvalidInput, NotFound
from services.app import preorders, warung_views
from services.web.warung_forms import N_, NOT_A_NUMBER, explain, parse_quantity
from services.web.warung_render import WARUNG, OwnerPages, OwnerVisit, owner_page


class WarungPreorderController(OwnerPages):
    path = f"{WARUNG}/pelanggan"

    @get("/", name="warung:preorders")
    async def preorders_page(self, visit: OwnerVisit) -> Template:
        return await _render(visit)

    @post("/", name="warung:preorder-add", status_code=200)
    async def add(
        self,
        visit: OwnerVisit,
    ) -> Template:
        form = await visit.request.form()
        typed = {
            k: str(form.get(k) or "").strip()
            for k in ("customer", "product", "quantity", "needed_by")
        }
        errors: dict[str, str] = {}
        quantity = parse_quantity(typed["quantity"])
        if quantity is None:
            errors["quantity"] = NOT_A_NUMBER
        if not typed["customer"]:
            errors["customer"] = N_("Write the customer's name or phone")
        needed_by = _date(typed["needed_by"])
        if needed_by is None:
            errors["needed_by"] = N_("Choose a date")
        product = typed["product"]
        if not product.isdigit():
            errors["product"] = N_("Choose a product")
        if errors:
            return await _render(visit, typed=typed, errors=errors, status=400)
        assert quantity is not None and needed_by is not None
        data = PreorderCreate(
            product_id=int(product),
            quantity=quantity,
            customer_ref=typed["customer"][:100],
            needed_by=needed_by,
        )
        try:
            await preorders.create_preorder(
                visit.tx,
                visit.container,
                visit.owner.principal(),
                visit.owner.warung_id,
                data,
                visit.now,
            )
        except InvalidInput as exc:
            found = {e.pointer.strip("/").split("/")[0]: explain(e.detail, str) for e in exc.errors}
            fields = {"product_id": "product", "quantity": "quantity", "needed_by": "needed_by"}
            errors = {fields.get(k, "customer"): v for k, v in found.items()}
            return await _render(visit, typed=typed, errors=errors, status=400)
        return await _render(visit, notice="added")

    @post("/{preorder_id:int}/{status:str}", name="warung:preorder-close", status_code=200)
    async def close(
        self,
        visit: OwnerVisit,
        preorder_id: int,
        status: str,
    ) -> Template:
        if status not in {s.value for s in PreorderStatus}:
            raise NotFound(f"no such action: {status}")
        data = PreorderClose(status=PreorderStatus(status))
        await preorders.close_preorder(
            visit.tx, visit.owner.principal(), visit.owner.warung_id, preorder_id, data
        )
        return await _render(visit, notice=str(data.status))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def _render(
    visit: OwnerVisit,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Template:
    principal = visit.owner.principal()
    rows = await preorders.list_preorders(
        visit.tx, principal, visit.owner.warung_id, status="open", limit=200, after_id=None
    )
    products = await warung_views.sold_products(visit.tx)
    labels = {p.id: p for p in products}
    missing = [r.product_id for r in rows if r.product_id not in labels]
    if missing:
        labels.update(await warung_views.product_labels(visit.tx, missing))
    today = visit.now.astimezone(ZoneInfo(visit.owner.timezone)).date()
    context: dict[str, Any] = {
        "owner": visit.owner,
        "preorders": sorted(rows, key=lambda r: (r.needed_by, r.id)),
        "products": products,
        "labels": labels,
        "typed": typed or {"needed_by": (today + timedelta(days=1)).isoformat()},
        "errors": errors or {},
        "notice": notice,
        "today": today.isoformat(),
    }
    return owner_page(visit.request, "warung/preorders.html", context, status_code=status)
