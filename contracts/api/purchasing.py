"""Purchase orders, the outbox and supplier events over HTTP."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from contracts.api.common import Body, Out


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


class OutboxOut(Out):
    satker_id: int
    id: int
    kind: str
    purchase_order_id: int
    status: str
    attempts: int
    due_at: datetime
    last_error: str | None


class EventResult(Out):
    event_id: str
    duplicate: bool
    applied: bool
    status: str
    decisions: list[str]


class PriceDecisionIn(Body):
    """The coordinator's answer to a price rise above the satker's tolerance."""

    accept: bool
