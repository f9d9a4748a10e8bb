"""Purchase orders for coordinators, the outbox for admins, and the supplier side: the order
feed, posted events and signed webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter

from contracts.adapter import InboundRequest
from contracts.api.purchasing import (
    CancelIn,
    EventResult,
    OutboxOut,
    PriceDecisionIn,
    PurchaseOrderOut,
    SupplierEventOut,
)
from contracts.errors import Forbidden, NotFound
from contracts.events import SupplierEvent
from services.api.deps import Ctx, admin_only
from services.api.formats import XML, wants_xml, xml_response
from services.api.paging import Cursor, IfMatch, Limit, Page, PageQuery, after_id, page_of
from services.app import outbox, purchase_orders, supplier_adapters, supplier_documents
from services.app import purchase_order_views as views
from services.auth import Principal, Role
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.versioning import etag

StatusFilter = Annotated[str | None, QueryParameter(name="status", required=False)]
CycleFilter = Annotated[int | None, QueryParameter(name="cycle_id", required=False)]


def event_result(outcome: purchase_orders.EventOutcome) -> EventResult:
    return EventResult(
        event_id=outcome.event_id,
        duplicate=outcome.duplicate,
        applied=outcome.applied,
        status=outcome.status,
        decisions=list(outcome.decisions),
    )


def _coordinator(principal: Principal, satker_id: int) -> None:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)


class PurchaseOrderController(Controller):
    path = "/v1/satkers/{satker_id:int}/purchase-orders"
    tags = ["purchase orders"]

    @get("/", summary="The satker's purchase orders")
    async def list_orders(
        self,
        ctx: Ctx,
        satker_id: int,
        status: StatusFilter = None,
        cycle_id: CycleFilter = None,
        *,
        page: PageQuery,
    ) -> Page[PurchaseOrderOut]:
        _coordinator(ctx.principal, satker_id)
        rows = await views.list_for_satker(
            ctx.tx,
            satker_id,
            status=status,
            limit=page.limit,
            after_id=after_id(page.cursor),
            cycle_id=cycle_id,
        )
        return page_of(rows, page.limit, lambda r: (r.id,))

    @get("/{po_id:int}/events", summary="The supplier events of one order (its timeline)")
    async def events(self, ctx: Ctx, satker_id: int, po_id: int) -> list[SupplierEventOut]:
        _coordinator(ctx.principal, satker_id)
        return await views.events_for_satker(ctx.tx, satker_id, po_id)

    @get(
        "/{po_id:int}",
        summary="One purchase order with its lines; with Accept: application/xml, the UBL 2.1"
        " Order the supplier receives",
    )
    async def get_order(
        self, request: Request, ctx: Ctx, satker_id: int, po_id: int
    ) -> Response[PurchaseOrderOut]:
        _coordinator(ctx.principal, satker_id)
        out = await views.get_for_satker(ctx.tx, satker_id, po_id)
        headers = {"ETag": etag(out.version)}
        writer = supplier_documents.writer(ctx.container, XML) if wants_xml(request) else None
        if writer is not None:
            body = await supplier_documents.order_document(
                await ctx.tx.raw(), ctx.container, writer, satker_id, po_id
            )
            return xml_response(body, headers)
        return Response(out, headers=headers)

    @post(
        "/{po_id:int}/lines/{line_no:int}/price-decision",
        summary="Accept or refuse a supplier's price rise held above the satker's tolerance",
        status_code=200,
    )
    async def decide_price(
        self,
        ctx: Ctx,
        satker_id: int,
        po_id: int,
        line_no: int,
        data: PriceDecisionIn,
        if_match: IfMatch = None,
    ) -> Response[PurchaseOrderOut]:
        _coordinator(ctx.principal, satker_id)
        out = await purchase_orders.decide_price(
            ctx.tx, satker_id, po_id, line_no, accept=data.accept, if_match=if_match, now=ctx.now
        )
        return Response(out, headers={"ETag": etag(out.version)})

    @post("/{po_id:int}/cancel", summary="Cancel a purchase order before despatch", status_code=200)
    async def cancel(
        self,
        ctx: Ctx,
        satker_id: int,
        po_id: int,
        data: CancelIn | None = None,
        if_match: IfMatch = None,
    ) -> Response[PurchaseOrderOut]:
        _coordinator(ctx.principal, satker_id)
        reason = data.reason.strip() if data else ""
        out = await purchase_orders.cancel(
            ctx.tx, satker_id, po_id, if_match, ctx.now, reason or None
        )
        return Response(out, headers={"ETag": etag(out.version)})


class OutboxController(Controller):
    path = "/v1/outbox"
    tags = ["outbox"]

    @get("/", summary="Outbox rows, e.g. ?status=dead for dead letters (admin)")
    async def list_rows(
        self, ctx: Ctx, status: StatusFilter = None, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[OutboxOut]:
        admin_only(ctx.principal)
        rows = await views.list_outbox(
            ctx.tx, status=status, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @post(
        "/{satker_id:int}/{outbox_id:int}/requeue",
        summary="Send a dead row again (admin)",
        status_code=200,
    )
    async def requeue_row(self, ctx: Ctx, satker_id: int, outbox_id: int) -> dict[str, bool]:
        admin_only(ctx.principal)
        if not await outbox.requeue(ctx.tx, satker_id, outbox_id, ctx.now):
            raise NotFound(f"no dead outbox row {outbox_id}")
        return {"requeued": True}


class SupplierFeedController(Controller):
    """For suppliers with no push: read your orders and post what happened to them."""

    path = "/v1/supplier/purchase-orders"
    tags = ["supplier"]

    @get("/", summary="Your purchase orders, e.g. ?status=sent")
    async def feed(
        self, ctx: Ctx, status: StatusFilter = None, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[PurchaseOrderOut]:
        rows = await views.list_for_supplier(
            ctx.tx,
            ctx.principal.acting_supplier(),
            status=status,
            limit=limit,
            after_id=after_id(cursor),
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @post(
        "/{po_id:int}/events",
        summary="Report a confirmation, despatch, delivery or invoice",
        status_code=200,
    )
    async def post_event(self, ctx: Ctx, po_id: int, data: SupplierEvent) -> EventResult:
        supplier_id = ctx.principal.acting_supplier()
        order = await views.get_for_supplier(ctx.tx, supplier_id, po_id)
        if data.po_number != order.po_number:
            raise Forbidden("the event names another purchase order")
        return event_result(
            await purchase_orders.apply_supplier_event(ctx.tx, supplier_id, data, ctx.now)
        )


class WebhookController(Controller):
    path = "/v1/suppliers/{supplier_id:int}/webhooks"
    tags = ["supplier"]
    opt = {"public": True}

    @post(
        "/",
        summary="Signed supplier webhook (HMAC-SHA256 over timestamp and body)",
        status_code=200,
    )
    async def receive(
        self, request: Request, tx: Tx, container: Container, now: datetime, supplier_id: int
    ) -> list[EventResult]:
        inbound = InboundRequest(
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            received_at=now,
            path=request.url.path,
        )
        outcomes = await supplier_adapters.receive_webhook(tx, container, supplier_id, inbound, now)
        return [event_result(outcome) for outcome in outcomes]
