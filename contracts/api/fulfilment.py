"""Bodies after delivery: settlements, each warung's delivery and receipt, invoices, reports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from contracts.api.common import Body, Id, Out, Quantity, ShortText


class ProductDeliveryOut(Out):
    product_id: int
    sku: str
    ordered: Decimal  # retail units the purchase orders asked for
    delivered: Decimal
    satker_stock: Decimal  # left after the warungs (and their maximum stock) were served


class SettlementOut(Out):
    """A bulk buy whose deliveries are in: broken down to warungs and invoiced."""

    bulk_buy_id: int
    cycle_id: int
    delivered_on: date
    ordered_value_idr: int
    delivered_value_idr: int
    fill_rate: Decimal  # delivered value ÷ ordered value
    supplier_billed_idr: int
    invoiced_idr: int  # the sum of the cycle's invoices: equal to what the suppliers bill
    products: list[ProductDeliveryOut]
    settled_at: datetime


class ReceiptStatus(enum.StrEnum):
    PENDING = "pending"
    RECEIVED = "received"
    SHORT = "short"
    DAMAGED = "damaged"


class WarungDeliveryOut(Out):
    bulk_buy_id: int
    warung_id: int
    product_id: int
    sku: str
    requested: Decimal
    allocated: Decimal  # for its own lines, pre-orders first
    surplus: Decimal  # extra from rounded-up packs, below its maximum stock
    shortfall: Decimal  # requested − allocated
    supplier_id: int
    receipt: ReceiptStatus
    received: Decimal | None
    damaged: Decimal | None
    note: str


class ReceiptLineIn(Body):
    product_id: Id
    received: Quantity  # good units that arrived, not negative
    damaged: Quantity = Decimal(0)
    note: ShortText = ""


class ReceiptIn(Body):
    bulk_buy_id: Id
    lines: Annotated[list[ReceiptLineIn], msgspec.Meta(min_length=1, max_length=500)]


class InvoiceLineOut(Out):
    line_no: int
    supplier_id: int
    product_id: int
    sku: str
    quantity: Decimal
    goods_idr: int
    fee_idr: int
    terms: str  # cod | tempo | consignment
    due_on: date | None


class InvoiceStatus(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"


class InvoiceOut(Out):
    id: int
    number: str
    bulk_buy_id: int
    cycle_id: int
    warung_id: int | None  # null: the satker's own stock
    goods_idr: int
    fees_idr: int
    total_idr: int
    market_value_idr: int
    savings_idr: int  # market value − what was paid, for goods with a market reference
    customer_savings_idr: int  # (market − suggested retail) × quantity
    due_on: date | None
    status: InvoiceStatus
    paid_at: datetime | None
    version: int
    lines: list[InvoiceLineOut]


class SavingsRow(Out):
    cycle_id: int
    warung_id: int | None
    warung_name: str
    paid_idr: int
    market_value_idr: int
    savings_idr: int
    customer_savings_idr: int


class SavingsReport(Out):
    satker_id: int
    timezone: str
    rows: list[SavingsRow]  # per warung and cycle
    cycles: list[SavingsRow]  # per cycle (warung_id null, warung_name "")
    total: SavingsRow  # the satker (cycle_id 0)


class SupplierScore(Out):
    supplier_id: int
    supplier_name: str
    purchase_orders: int
    ordered_value_idr: int
    delivered_value_idr: int
    fill_rate: Decimal | None  # delivered ÷ ordered value
    on_time_rate: Decimal | None  # delivered on or before the delivery date (satker's zone)
    mean_lead_time_hours: Decimal | None  # sent → delivered
    price_variance: Decimal | None  # (paid − quoted) ÷ quoted, by value
    discrepancies: int  # warung receipts short or damaged


class ScorecardReport(Out):
    satker_id: int
    timezone: str
    suppliers: list[SupplierScore]
