"""Terima barang: what was delivered to this warung, line by line: received, damaged (short is
what is left), with a note; confirmed once, and good units go into stock."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Unpack

from litestar import get, post
from litestar.response import Template

from contracts.api.fulfilment import ReceiptIn, ReceiptLineIn
from contracts.errors import InvalidInput
from services.app import receipts, warung_views
from services.app.tenancy import resolve_warung
from services.web.warung_forms import NOT_A_NUMBER, explain, field_errors, parse_quantity
from services.web.warung_render import WARUNG, OwnerPages, OwnerVisit, Shown, form_page


class WarungReceiptController(OwnerPages):
    path = f"{WARUNG}/terima"

    @get("/", name="warung:receipts")
    async def receipts_page(self, visit: OwnerVisit) -> Template:
        return await _render(visit)

    @post("/", name="warung:receipt", status_code=200)
    async def confirm(self, visit: OwnerVisit) -> Template:
        form = await visit.request.form()
        bulk_buy_id = str(form.get("bulk_buy") or "")
        products = [int(p) for p in form.getall("product", []) if str(p).isdigit()]
        typed = {k: str(form.get(k) or "") for k in form if k[:2] in ("r_", "d_", "n_")}
        errors: dict[str, str] = {}
        lines: list[ReceiptLineIn] = []
        for pid in products:
            received = parse_quantity(typed.get(f"r_{pid}"))
            damaged = parse_quantity(typed.get(f"d_{pid}"))
            if received is None:
                errors[f"r_{pid}"] = NOT_A_NUMBER
            if damaged is None:
                errors[f"d_{pid}"] = NOT_A_NUMBER
            if received is not None and damaged is not None:
                note = typed.get(f"n_{pid}", "").strip()[:200]
                lines.append(
                    ReceiptLineIn(product_id=pid, received=received, damaged=damaged, note=note)
                )
        if not bulk_buy_id.isdigit() or not products:
            raise InvalidInput("no delivery named")
        if not errors:
            try:
                await receipts.record_receipt(
                    visit.tx,
                    visit.owner.principal(),
                    visit.owner.warung_id,
                    ReceiptIn(bulk_buy_id=int(bulk_buy_id), lines=lines),
                    visit.now,
                )
            except InvalidInput as exc:
                keys = [f"r_{ln.product_id}" for ln in lines]
                errors = {k: explain(v, str) for k, v in field_errors(exc, keys).items()}
        if errors:
            return await _render(visit, typed=typed, errors=errors, status=400)
        return await _render(visit, notice="confirmed")


async def _render(visit: OwnerVisit, **shown: Unpack[Shown]) -> Template:
    raw = await visit.tx.raw()
    satker_id = await resolve_warung(raw, visit.owner.principal(), visit.owner.warung_id)
    rows = await receipts.list_deliveries(
        visit.tx, satker_id, warung_id=visit.owner.warung_id, limit=500, after=None
    )
    labels = await warung_views.product_labels(visit.tx, list({r.product_id for r in rows}))
    pending: dict[int, list[Any]] = defaultdict(list)
    done: list[Any] = []
    for r in rows:
        (pending[r.bulk_buy_id] if r.receipt == "pending" else done).append(r)
    context: dict[str, Any] = {
        "pending": dict(pending),
        "done": done[-50:],
        "labels": labels,
    }
    return form_page(visit, "warung/receipts.html", context, **shown)
