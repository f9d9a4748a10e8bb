"""Penerimaan & tagihan: deliveries a warung reported short or damaged, each warung's balance
owed and what is overdue, a cycle's invoices (mark one paid, with If-Match and an
Idempotency-Key), and print pages — one invoice, or all of a cycle's, one A4 sheet each."""

from __future__ import annotations

import uuid
from typing import Annotated, Unpack

import msgspec
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from contracts.errors import Conflict, NotFound
from services.app import console_home, invoice_views, invoices
from services.domain.versioning import etag
from services.web.render import CONSOLE, ConsolePages, Outcome, Visit, page, refusal, satker_of

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class PaidForm(msgspec.Struct, kw_only=True):
    version: int = 0
    cycle: int | None = None


def invoices_url(satker_id: int, cycle: int | None = None) -> str:
    return f"{CONSOLE}/satkers/{satker_id}/invoices" + (f"?cycle={cycle}" if cycle else "")


class InvoicesController(ConsolePages):
    path = CONSOLE + "/satkers/{satker_id:int}/invoices"

    @get("/", name="console:invoices")
    async def overview(
        self, visit: Visit, satker_id: int, cycle: int | None = None, done: str | None = None
    ) -> Template:
        return await _overview(visit, satker_id, cycle, notice=done)

    @get("/{invoice_id:int}/print", name="console:invoice-print")
    async def print_one(self, visit: Visit, satker_id: int, invoice_id: int) -> Template:
        satker = await satker_of(visit, satker_id)
        docs = await invoice_views.invoice_documents(
            visit.tx, satker_id, visit.now, invoice_id=invoice_id
        )
        return _print(visit, satker, satker_id, docs, None)

    @get("/print", name="console:invoices-print")
    async def print_cycle(self, visit: Visit, satker_id: int, cycle: int) -> Template:
        """Every invoice of a cycle, one per A4 sheet, in number order."""
        satker = await satker_of(visit, satker_id)
        chosen, docs = await invoice_views.cycle_invoices(visit.tx, satker_id, visit.now, cycle)
        return _print(visit, satker, satker_id, docs, chosen)

    @post("/{invoice_id:int}/paid", status_code=HTTP_303_SEE_OTHER)
    async def paid(
        self, visit: Visit, satker_id: int, invoice_id: int, data: Annotated[PaidForm, FORM]
    ) -> Response:
        tx = visit.tx
        await console_home.satker_header(tx, visit.viewer.principal(), satker_id)
        try:
            await invoices.mark_paid(tx, satker_id, invoice_id, etag(data.version), visit.now)
        except Conflict as exc:
            await tx.rollback()
            problem = "stale" if refusal(exc) == "stale" else "paid"
            return await _overview(visit, satker_id, data.cycle, problem=problem, status=409)
        return Redirect(
            invoices_url(satker_id, data.cycle) + ("&" if data.cycle else "?") + "done=paid",
            status_code=HTTP_303_SEE_OTHER,
        )


async def _overview(
    visit: Visit,
    satker_id: int,
    cycle: int | None,
    **outcome: Unpack[Outcome],
) -> Template:
    notice, problem = outcome.get("notice"), outcome.get("problem")
    satker = await satker_of(visit, satker_id)
    shown = await invoice_views.overview(visit.tx, satker_id, visit.now, cycle)
    context = {
        "viewer": visit.viewer,
        "satker": satker,
        "satker_id": satker_id,
        "cycles": shown.cycles,
        "chosen": shown.chosen,
        "docs": shown.invoices,
        "balances": shown.balances,
        "issues": shown.issues,
        "notice": "paid" if notice == "paid" else None,
        "problem": problem,
        "idempotency_key": uuid.uuid4().hex,
    }
    return page(
        visit.request,
        "console/invoices/overview.html",
        context,
        status_code=outcome.get("status", 200),
    )


def _print(
    visit: Visit,
    satker: console_home.SatkerHeader,
    satker_id: int,
    docs: list[invoice_views.InvoiceDocument],
    cycle: invoice_views.CycleInvoices | None,
) -> Template:
    if not docs:
        raise NotFound("no invoice to print")
    context = {
        "viewer": visit.viewer,
        "satker": satker,
        "satker_id": satker_id,
        "docs": docs,
        "cycle": cycle,
    }
    return page(visit.request, "console/invoices/print.html", context)
