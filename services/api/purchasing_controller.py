"""Purchase orders for coordinators, the outbox for admins, and the supplier side: the order
feed, posted events and signed webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter

from contracts.adapter import InboundRequest
from contracts.api.purchasing import EventResult, OutboxOut, PriceDecisionIn, PurchaseOrderOut
from contracts.errors import Forbidden, NotFound
from contracts.events import SupplierEvent
from services.api.deps import admin_only
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, page_of
from services.app import outbox, purchase_orders, supplier_adapters
from services.app import purchase_order_views as views
from services.auth import Principal, Role
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.versioning import etag

StatusFilter = Annotated[str | None, QueryParameter(name="status", required=False)]


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
        tx: Tx,
        principal: Principal,
        satker_id: int,
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[PurchaseOrderOut]:
        _coordinator(principal, satker_id)
        rows = await views.list_for_satker(
            tx, satker_id, status=status, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/{po_id:int}", summary="One purchase order with its lines")
    async def get_order(
        self, tx: Tx, principal: Principal, satker_id: int, po_id: int
    ) -> Response[PurchaseOrderOut]:
        _coordinator(principal, satker_id)
        out = await views.get_for_satker(tx, satker_id, po_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @post(
        "/{po_id:int}/lines/{line_no:int}/price-decision",
        summary="Accept or refuse a supplier's price rise held above the satker's tolerance",
        status_code=200,
    )
    async def decide_price(
        self,
        tx: Tx,
        principal: Principal,
        now: datetime,
        satker_id: int,
        po_id: int,
        line_no: int,
        data: PriceDecisionIn,
        if_match: IfMatch = None,
    ) -> Response[PurchaseOrderOut]:
        _coordinator(principal, satker_id)
        out = await purchase_orders.decide_price(
            tx, satker_id, po_id, line_no, accept=data.accept, if_match=if_match, now=now
        )
        return Response(out, headers={"ETag": etag(out.version)})

    @post("/{po_id:int}/cancel", summary="Cancel a purchase order before despatch", status_code=200)
    async def cancel(
        self,
        tx: Tx,
        principal: Principal,
        now: datetime,
        satker_id: int,
        po_id: int,
        if_match: IfMatch = None,
    ) -> Response[PurchaseOrderOut]:
        _coordinator(principal, satker_id)
        out = await purchase_orders.cancel(tx, satker_id, po_id, if_match, now)
        return Response(out, headers={"ETag": etag(out.version)})


class OutboxController(Controller):
    path = "/v1/outbox"
    tags = ["outbox"]

    @get("/", summary="Outbox rows, e.g. ?status=dead for dead letters (admin)")
    async def list_rows(
        self,
        tx: Tx,
        principal: Principal,
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[OutboxOut]:
        admin_only(principal)
        rows = await views.list_outbox(tx, status=status, limit=limit, after_id=after_id(cursor))
        return page_of(rows, limit, lambda r: (r.id,))

    @post(
        "/{satker_id:int}/{outbox_id:int}/requeue",
        summary="Send a dead row again (admin)",
        status_code=200,
    )
    async def requeue_row(
        self, tx: Tx, principal: Principal, now: datetime, satker_id: int, outbox_id: int
    ) -> dict[str, bool]:
        admin_only(principal)
        if not await outbox.requeue(tx, satker_id, outbox_id, now):
            raise NotFound(f"no dead outbox row {outbox_id}")
        return {"requeued": True}


class SupplierFeedController(Controller):
    """For suppliers with no push: read your orders and post what happened to them."""

    path = "/v1/supplier/purchase-orders"
    tags = ["supplier"]

    @get("/", summary="Your purchase orders, e.g. ?status=sent")
    async def feed(
        self,
        tx: Tx,
        principal: Principal,
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[PurchaseOrderOut]:
        rows = await views.list_for_supplier(
            tx, principal.acting_supplier(), status=status, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @post(
        "/{po_id:int}/events",
        summary="Report a confirmation, despatch, delivery or invoice",
        status_code=200,
    )
    async def post_event(
        self, tx: Tx, principal: Principal, now: datetime, po_id: int, data: SupplierEvent
    ) -> EventResult:
        supplier_id = principal.acting_supplier()
        order = await views.get_for_supplier(tx, supplier_id, po_id)
        if data.po_number != order.po_number:
            raise Forbidden("the event names another purchase order")
        return event_result(await purchase_orders.apply_supplier_event(tx, supplier_id, data, now))


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
