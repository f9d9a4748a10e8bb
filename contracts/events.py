"""Supplier events: what a supplier tells us about a purchase order, as a tagged union.

Each event carries an ``event_id`` unique per supplier; applying the same id twice changes
nothing. Delivered quantities are in retail units and may be fractional (kg goods).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import msgspec

from contracts.money import Rupiah


class LineOutcome(enum.StrEnum):
    ACCEPTED = "accepted"
    CHANGED = "changed"
    REJECTED = "rejected"


class LineConfirmation(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    outcome: LineOutcome
    packs: int | None = None  # for CHANGED: the new pack count
    price_per_pack_idr: Rupiah | None = None  # for CHANGED: the new pack price
    reason: str = ""


class DeliveredLine(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    quantity: Decimal  # retail units actually delivered
    price_per_pack_idr: Rupiah | None = None  # actual price where it differs (market buying)


class _Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    event_id: str
    po_number: str
    occurred_at: datetime
    supplier_ref: str | None = None


# Each event repeats frozen=True: msgspec inherits it from _Event, type checkers do not.
class OrderConfirmed(_Event, tag="order.confirmed", frozen=True):
    lines: tuple[LineConfirmation, ...] = ()
    delivery_fee_idr: Rupiah | None = None  # stated by traders who agree ongkir per order
    delivery_method: str = ""


class OrderRejected(_Event, tag="order.rejected", frozen=True):
    reason: str = ""


class OrderDespatched(_Event, tag="order.despatched", frozen=True):
    carrier: str = ""
    tracking_ref: str = ""


class OrderDelivered(_Event, tag="order.delivered", frozen=True):
    lines: tuple[DeliveredLine, ...] = ()


class OrderInvoiced(_Event, tag="order.invoiced", frozen=True):
    invoice_ref: str
    total_idr: Rupiah
    due_at: datetime | None = None


class OrderCancelled(_Event, tag="order.cancelled", frozen=True):
    reason: str = ""


SupplierEvent = (
    OrderConfirmed
    | OrderRejected
    | OrderDespatched
    | OrderDelivered
    | OrderInvoiced
    | OrderCancelled
)

supplier_event_decoder = msgspec.json.Decoder(SupplierEvent)
supplier_events_decoder = msgspec.json.Decoder(list[SupplierEvent])

__all__ = [
    "DeliveredLine",
    "LineConfirmation",
    "LineOutcome",
    "OrderCancelled",
    "OrderConfirmed",
    "OrderDelivered",
    "OrderDespatched",
    "OrderInvoiced",
    "OrderRejected",
    "SupplierEvent",
    "supplier_event_decoder",
    "supplier_events_decoder",
]
