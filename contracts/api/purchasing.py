"""Purchase orders, the outbox and supplier events over HTTP."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from contracts.api.common import Body, Out, ShortText


class PurchaseOrderLineOut(Out):
    line_no: int
    product_id: int
    sku: str
    pack_name: str
    units_per_pack: Decimal
    packs: int
    price_per_pack_idr: int
    status: str
    confirmed_packs: int | None
    confirmed_price_per_pack_idr: int | None
    proposed_price_per_pack_idr: int | None
    delivered_quantity: Decimal | None


class PurchaseOrderOut(Out):
    id: int
    satker_id: int
    po_number: str
    supplier_id: int
    bulk_buy_id: int | None
    status: str
    goods_idr: int
    delivery_fee_idr: int
    delivery_date: date | None
    supplier_ref: str | None
    confirmation_url: str | None
    invoice_ref: str | None
    invoiced_total_idr: int | None
    sent_at: datetime | None
    version: int
    lines: list[PurchaseOrderLineOut]
    cancel_reason: str | None = None  # the coordinator's, when cancelled


class OutboxOut(Out):
    satker_id: int
    id: int
    kind: str
    purchase_order_id: int
    status: str
    attempts: int
    due_at: datetime
    last_error: str | None


class SupplierEventOut(Out):
    """One event a supplier sent about an order, as stored (the order's timeline)."""

    id: int
    event_id: str
    event_type: str  # order.confirmed | order.despatched | order.delivered | ...
    occurred_at: datetime | None
    received_at: datetime
    outcome: str  # what it changed, e.g. "price_held: line 2 ..."


class EventResult(Out):
    event_id: str
    duplicate: bool
    applied: bool
    status: str
    decisions: list[str]


class CancelIn(Body):
    """Why the coordinator cancels an order (optional for API callers, kept on the order)."""

    reason: ShortText = ""


class PriceDecisionIn(Body):
    """The coordinator's answer to a price rise above the satker's tolerance."""

    accept: bool


class SupplierDocumentResult(Out):
    """What kulakan made of a supplier's business document (UBL): the events it meant and
    the order's status after them. A repeat of a document already received is ``duplicate``
    and changes nothing."""

    kind: str  # OrderResponse | DespatchAdvice | Invoice
    document_id: str
    uuid: str
    po_number: str
    duplicate: bool
    status: str
    events: list[EventResult]
