"""Terima barang: what was delivered to this warung, line by line: received, damaged (short is
what is left), with a note; confirmed once, and good units go into stock."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from litestar import Controller, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from contracts.api.fulfilment import ReceiptIn, ReceiptLineIn
from contracts.errors import InvalidInput
from services.app import receipts, warung_views
from services.app.tenancy import resolve_warung
from services.app.warung_sessions import WarungViewer
from services.db.tx import Tx
from services.web.warung_forms import NOT_A_NUMBER, explain, field_errors, parse_quantity
from services.web.warung_render import WARUNG, owner_page


class WarungReceiptController(Controller):
    path = f"{WARUNG}/terima"
    include_in_schema = False

    @get("/", name="warung:receipts")
    async def receipts_page(self, request: HTMXRequest, tx: Tx, owner: WarungViewer) -> Template:
        return await _render(request, tx, owner)

    @post("/", name="warung:receipt", status_code=200)
    async def confirm(
        self, request: HTMXRequest, tx: Tx, owner: WarungViewer, now: datetime
    ) -> Template:
        form = await request.form()
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
                    tx,
                    owner.principal(),
                    owner.warung_id,
                    ReceiptIn(bulk_buy_id=int(bulk_buy_id), lines=lines),
                    now,
                )
            except InvalidInput as exc:
                keys = [f"r_{ln.product_id}" for ln in lines]
                errors = {k: explain(v, str) for k, v in field_errors(exc, keys).items()}
        if errors:
            return await _render(request, tx, owner, typed=typed, errors=errors, status=400)
        return await _render(request, tx, owner, notice="confirmed")


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
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, owner.principal(), owner.warung_id)
    rows = await receipts.list_deliveries(
        tx, satker_id, warung_id=owner.warung_id, limit=500, after=None
    )
    labels = await warung_views.product_labels(tx, list({r.product_id for r in rows}))
    pending: dict[int, list[Any]] = defaultdict(list)
    done: list[Any] = []
    for r in rows:
        (pending[r.bulk_buy_id] if r.receipt == "pending" else done).append(r)
    context: dict[str, Any] = {
        "owner": owner,
        "pending": dict(pending),
        "done": done[-50:],
        "labels": labels,
        "typed": typed or {},
        "errors": errors or {},
        "notice": notice,
    }
    return owner_page(request, "warung/receipts.html", context, status_code=status)
