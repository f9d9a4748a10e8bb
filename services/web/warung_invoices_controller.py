"""Tagihan: the warung's invoices with their lines, ongkir share, terms (COD or tempo) and due
date; each printable on its own page."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from contracts.errors import NotFound
from services.app import invoices, warung_views
from services.app.tenancy import resolve_warung
from services.web.warung_render import WARUNG, OwnerPages, OwnerVisit, owner_page


class WarungInvoiceController(OwnerPages):
    path = f"{WARUNG}/tagihan"

    @get("/", name="warung:invoices")
    async def invoices_page(self, visit: OwnerVisit) -> Template:
        satker_id = await resolve_warung(
            await visit.tx.raw(), visit.owner.principal(), visit.owner.warung_id
        )
        rows = await invoices.list_invoices(
            visit.tx, satker_id, warung_id=visit.owner.warung_id, limit=100, after_id=None
        )
        context = {"owner": visit.owner, "invoices": sorted(rows, key=lambda i: -i.id)}
        return owner_page(visit.request, "warung/invoices.html", context)

    @get("/{invoice_id:int}", name="warung:invoice")
    async def invoice_page(self, visit: OwnerVisit, invoice_id: int) -> Template:
        satker_id = await resolve_warung(
            await visit.tx.raw(), visit.owner.principal(), visit.owner.warung_id
        )
        invoice = await invoices.get_invoice(visit.tx, satker_id, invoice_id)
        if invoice.warung_id != visit.owner.warung_id:
            raise NotFound(f"invoice {invoice_id} not found")
        labels = await warung_views.product_labels(
            visit.tx, [ln.product_id for ln in invoice.lines]
        )
        context = {"owner": visit.owner, "invoice": invoice, "labels": labels}
        return owner_page(visit.request, "warung/invoice.html", context)
