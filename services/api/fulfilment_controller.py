"""After delivery: settling a bulk buy, deliveries and receipts, invoices, reports."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from contracts.api.fulfilment import (
    InvoiceOut,
    ReceiptIn,
    ReceiptStatus,
    SavingsReport,
    ScorecardReport,
    SettlementOut,
    WarungBalanceOut,
    WarungDeliveryOut,
)
from contracts.errors import NotFound
from services.api.deps import Ctx
from services.api.formats import XML, chosen_format, csv_response, wants_xml, xml_response
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, decode_cursor, page_of
from services.app import invoice_views, invoices, receipts, reports, settlement, supplier_documents
from services.app.tenancy import resolve_warung
from services.auth import Principal, Role
from services.domain.versioning import etag

Format = Annotated[
    Literal["json", "csv"] | None,
    Parameter(description="json (default) or csv; Accept: text/csv works too"),
]


def _coordinator(principal: Principal, satker_id: int) -> None:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)


def _wants_csv(request: Request, format: str | None) -> bool:
    return chosen_format(request, format, ("csv",)) == "csv"


def _delivery_page(rows: list[WarungDeliveryOut], limit: int) -> Page[WarungDeliveryOut]:
    return page_of(rows, limit, lambda r: (r.bulk_buy_id, r.warung_id, r.product_id))


class SettlementController(Controller):
    path = "/v1/satkers/{satker_id:int}"
    tags = ["fulfilment"]

    @post(
        "/bulk-buys/{bulk_buy_id:int}/settle",
        summary="Allocate what was delivered to the warungs and invoice the cycle (once all"
        " its orders are done; the worker does this by itself)",
        status_code=200,
    )
    async def settle(self, ctx: Ctx, satker_id: int, bulk_buy_id: int) -> SettlementOut:
        _coordinator(ctx.principal, satker_id)
        return await settlement.settle_bulk_buy(ctx.tx, satker_id, bulk_buy_id, ctx.now)

    @get("/bulk-buys/{bulk_buy_id:int}/settlement", summary="Delivered, kept, billed, invoiced")
    async def settlement(self, ctx: Ctx, satker_id: int, bulk_buy_id: int) -> SettlementOut:
        _coordinator(ctx.principal, satker_id)
        return await settlement.get_settlement(ctx.tx, satker_id, bulk_buy_id)

    @get(
        "/deliveries",
        summary="What each warung got per product, its shortfall and its receipt;"
        " ?receipt=short or damaged lists the discrepancies",
    )
    async def deliveries(
        self,
        ctx: Ctx,
        satker_id: int,
        bulk_buy_id: int | None = None,
        warung_id: int | None = None,
        receipt: ReceiptStatus | None = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[WarungDeliveryOut]:
        _coordinator(ctx.principal, satker_id)
        rows = await receipts.list_deliveries(
            ctx.tx,
            satker_id,
            bulk_buy_id=bulk_buy_id,
            warung_id=warung_id,
            receipt=receipt,
            limit=limit,
            after=decode_cursor(cursor, 3),
        )
        return _delivery_page(rows, limit)

    @get("/invoices", summary="The satker's invoices, e.g. ?bulk_buy_id= for one cycle")
    async def invoices(
        self,
        ctx: Ctx,
        satker_id: int,
        bulk_buy_id: int | None = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[InvoiceOut]:
        _coordinator(ctx.principal, satker_id)
        rows = await invoices.list_invoices(
            ctx.tx, satker_id, bulk_buy_id=bulk_buy_id, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get(
        "/invoices/balances",
        summary="Each warung's balance owed on open invoices, and what of it is overdue",
    )
    async def balances(self, ctx: Ctx, satker_id: int) -> list[WarungBalanceOut]:
        _coordinator(ctx.principal, satker_id)
        return await invoice_views.balances(ctx.tx, satker_id, ctx.now)

    @get("/invoices/{invoice_id:int}", summary="One invoice")
    async def invoice(self, ctx: Ctx, satker_id: int, invoice_id: int) -> Response[InvoiceOut]:
        _coordinator(ctx.principal, satker_id)
        out = await invoices.get_invoice(ctx.tx, satker_id, invoice_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @post(
        "/invoices/{invoice_id:int}/paid",
        summary="Record that an invoice was paid",
        status_code=200,
    )
    async def paid(
        self, ctx: Ctx, satker_id: int, invoice_id: int, if_match: IfMatch = None
    ) -> Response[InvoiceOut]:
        _coordinator(ctx.principal, satker_id)
        out = await invoices.mark_paid(ctx.tx, satker_id, invoice_id, if_match, ctx.now)
        return Response(out, headers={"ETag": etag(out.version)})

    @get(
        "/reports/savings",
        summary="Savings against the market per warung, per cycle and for the satker",
    )
    async def savings(
        self,
        request: Request,
        ctx: Ctx,
        satker_id: int,
        cycle_id: int | None = None,
        format: Format = None,
    ) -> Response[SavingsReport]:
        _coordinator(ctx.principal, satker_id)
        report = await reports.savings(ctx.tx, satker_id, cycle_id)
        if _wants_csv(request, format):
            return csv_response(
                reports.as_csv([*report.rows, *report.cycles, report.total]),
                f"savings-{satker_id}.csv",
            )
        return Response(report)

    @get(
        "/reports/suppliers",
        summary="Supplier scorecard: fill rate, on-time rate, lead time, price variance",
    )
    async def scorecard(
        self, request: Request, ctx: Ctx, satker_id: int, format: Format = None
    ) -> Response[ScorecardReport]:
        _coordinator(ctx.principal, satker_id)
        report = await reports.scorecard(ctx.tx, satker_id)
        if _wants_csv(request, format):
            return csv_response(reports.as_csv(report.suppliers), f"suppliers-{satker_id}.csv")
        return Response(report)


class WarungFulfilmentController(Controller):
    path = "/v1/warungs/{warung_id:int}"
    tags = ["fulfilment"]

    @get(
        "/deliveries",
        summary="What the warung got of each bulk buy, and what it still owes a receipt for",
    )
    async def deliveries(
        self,
        ctx: Ctx,
        warung_id: int,
        bulk_buy_id: int | None = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[WarungDeliveryOut]:
        satker_id = await resolve_warung(await ctx.tx.raw(), ctx.principal, warung_id)
        rows = await receipts.list_deliveries(
            ctx.tx,
            satker_id,
            bulk_buy_id=bulk_buy_id,
            warung_id=warung_id,
            limit=limit,
            after=decode_cursor(cursor, 3),
        )
        return _delivery_page(rows, limit)

    @post(
        "/receipts",
        summary="What arrived per product (received, damaged, note); good units go into stock",
    )
    async def receipt(self, ctx: Ctx, warung_id: int, data: ReceiptIn) -> list[WarungDeliveryOut]:
        return await receipts.record_receipt(ctx.tx, ctx.principal, warung_id, data, ctx.now)

    @get(
        "/invoices/{invoice_id:int}",
        summary="One of the warung's invoices; with Accept: application/xml, as a UBL 2.1"
        " Invoice (the satker sells, the warung buys)",
    )
    async def invoice(
        self, request: Request, ctx: Ctx, warung_id: int, invoice_id: int
    ) -> Response[InvoiceOut]:
        raw = await ctx.tx.raw()
        satker_id = await resolve_warung(raw, ctx.principal, warung_id)
        out = await invoices.get_invoice(ctx.tx, satker_id, invoice_id)
        if out.warung_id != warung_id:
            raise NotFound(f"invoice {invoice_id} not found")
        headers = {"ETag": etag(out.version)}
        writer = supplier_documents.writer(ctx.container, XML) if wants_xml(request) else None
        if writer is not None:
            body = await supplier_documents.invoice_document(
                raw, writer, satker_id, invoice_id, warung_id
            )
            return xml_response(body, headers)
        return Response(out, headers=headers)

    @get("/invoices", summary="The warung's invoices")
    async def invoices(
        self, ctx: Ctx, warung_id: int, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[InvoiceOut]:
        satker_id = await resolve_warung(await ctx.tx.raw(), ctx.principal, warung_id)
        rows = await invoices.list_invoices(
            ctx.tx, satker_id, warung_id=warung_id, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))
