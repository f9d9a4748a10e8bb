"""Tagihan: the warung's invoices with their lines, ongkir share, terms (COD or tempo) and due
date; each printable on its own page."""

from __future__ import annotations

from litestar import Controller, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from contracts.errors import NotFound
from services.app import invoices, warung_views
from services.app.tenancy import resolve_warung
from services.app.warung_sessions import WarungViewer
from services.db.tx import Tx
from services.web.warung_render import WARUNG, owner_page


class WarungInvoiceController(Controller):
    path = f"{WARUNG}/tagihan"
    include_in_schema = False

    @get("/", name="warung:invoices")
    async def invoices_page(self, request: HTMXRequest, tx: Tx, owner: WarungViewer) -> Template:
        satker_id = await resolve_warung(await tx.raw(), owner.principal(), owner.warung_id)
        rows = await invoices.list_invoices(
            tx, satker_id, warung_id=owner.warung_id, limit=100, after_id=None
        )
        context = {"owner": owner, "invoices": sorted(rows, key=lambda i: -i.id)}
        return owner_page(request, "warung/invoices.html", context)

    @get("/{invoice_id:int}", name="warung:invoice")
    async def invoice_page(
        self, request: HTMXRequest, tx: Tx, owner: WarungViewer, invoice_id: int
    ) -> Template:
        satker_id = await resolve_warung(await tx.raw(), owner.principal(), owner.warung_id)
        invoice = await invoices.get_invoice(tx, satker_id, invoice_id)
        if invoice.warung_id != owner.warung_id:
            raise NotFound(f"invoice {invoice_id} not found")
        labels = await warung_views.product_labels(tx, [ln.product_id for ln in invoice.lines])
        context = {"owner": owner, "invoice": invoice, "labels": labels}
        return owner_page(request, "warung/invoice.html", context)
