"""Demand bodies: stock, pre-orders, the restock suggestion, order cycles and restock requests.

Quantities are ``Decimal`` in the product's retail unit (at most three places; whole units for
products not sold by weight or volume); they are checked by the service, which names the field.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated

import msgspec

from contracts.api.common import (
    Body,
    ClockTime,
    Day,
    Id,
    Name,
    Out,
    Quantity,
    ShortText,
    single_line,
)

CustomerRef = Annotated[str, single_line(100, min_length=1)]


class MovementReason(enum.StrEnum):
    COUNT = "count"
    RECEIPT = "receipt"
    SALE = "sale"
    ADJUSTMENT = "adjustment"


class StockItemIn(Body):
    """One product's stock-take and/or reorder points; omitted fields stay as they are."""

    product_id: Id
    on_hand: Quantity | None = None
    minimum: Quantity | None = None
    maximum: Quantity | None = None
    note: ShortText = ""


class StockUpdate(Body):
    items: Annotated[list[StockItemIn], msgspec.Meta(min_length=1, max_length=500)]


class StockMovementIn(Body):
    """A receipt, sale or adjustment: ``delta`` is added to on hand (negative for a sale)."""

    product_id: Id
    reason: MovementReason
    delta: Quantity
    note: ShortText = ""


class StockLevelOut(Out):
    warung_id: int
    product_id: int
    on_hand: Decimal
    minimum: Decimal
    maximum: Decimal
    version: int
    updated_at: datetime


class StockMovementOut(Out):
    id: int
    warung_id: int
    product_id: Id
    reason: MovementReason
    delta: Quantity
    on_hand_after: Decimal
    note: str
    created_at: datetime


class PreorderCreate(Body):
    product_id: Id
    quantity: Quantity
    customer_ref: CustomerRef
    needed_by: Day


class PreorderStatus(enum.StrEnum):
    SERVED = "served"
    CANCELLED = "cancelled"


class PreorderClose(Body):
    """An open pre-order was handed to the customer (served) or dropped (cancelled)."""

    status: PreorderStatus


class PreorderOut(Out):
    id: int
    warung_id: int
    product_id: int
    quantity: Decimal
    customer_ref: str
    needed_by: date
    status: str
    created_at: datetime


class SuggestionLineOut(Out):
    product_id: int
    product_name: str
    retail_unit: str
    quantity: Decimal
    preorder_quantity: Decimal
    replenish_quantity: Decimal
    on_hand: Decimal
    on_order: Decimal
    minimum: Decimal
    maximum: Decimal
    reason: str


class SuggestionOut(Out):
    warung_id: int
    lines: list[SuggestionLineOut]


class PackFillOut(Out):
    """How full the satker's next pack of a product is in a cycle: ``demand`` (submitted
    requests, all warungs) fills ``filled`` of ``units_per_pack``; ``missing`` more make
    ``packs`` whole packs."""

    product_id: int
    product_name: str
    retail_unit: str
    pack_name: str
    units_per_pack: Decimal
    demand: Decimal
    filled: Decimal
    missing: Decimal
    packs: int


class Cadence(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class Category(enum.StrEnum):
    SEMBAKO = "sembako"
    FRESH = "fresh"
    PROTEIN = "protein"
    HOUSEHOLD = "household"


class CycleTemplateCreate(Body):
    """Times are local to the satker's zone. A weekly template names the cut-off's weekday
    (Monday = 0) and opens ``open_days_before`` days earlier at ``opens_at``."""

    name: Name
    categories: Annotated[list[Category], msgspec.Meta(min_length=1)]
    cadence: Cadence
    opens_at: ClockTime
    cutoff_at: ClockTime
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6)] | None = None
    open_days_before: Annotated[int, msgspec.Meta(ge=0, le=13)] = 0
    delivery_days_after: Annotated[int, msgspec.Meta(ge=0, le=14)] = 1


class CycleTemplateOut(Out):
    id: int
    satker_id: int
    name: str
    categories: list[str]
    cadence: Cadence
    opens_at: time
    cutoff_at: time
    weekday: int | None
    open_days_before: int
    delivery_days_after: int
    active: bool
    version: int


Instant = Annotated[datetime, msgspec.Meta(tz=True, description="With its UTC offset")]


class OneOffCycleCreate(Body):
    """A cycle outside the templates' rhythm (an urgent restock). ``opens_at`` defaults to
    now; ``delivery_date`` (local) to the day after the cut-off's local date."""

    name: Name
    categories: Annotated[list[Category], msgspec.Meta(min_length=1)]
    cutoff_at: Instant
    opens_at: Instant | None = None
    delivery_date: Day | None = None


class OrderCycleOut(Out):
    id: int
    satker_id: int
    template_id: int | None
    name: str
    categories: list[str]
    opens_at: datetime
    cutoff_at: datetime
    delivery_date: date
    status: str
    closed_at: datetime | None
    closed_by: str | None
    version: int
    bulk_buy_id: int | None = None  # the cycle's bulk buy, once one is being built


class RestockLineIn(Body):
    product_id: Id
    quantity: Quantity
    for_preorder: bool = False


Lines = Annotated[list[RestockLineIn], msgspec.Meta(min_length=1, max_length=300)]


class RestockRequestCreate(Body):
    """A restock request of the caller's warung. ``submit=false`` keeps it as a draft."""

    lines: Lines
    submit: bool = True
    note: ShortText = ""


class RestockLinesUpdate(Body):
    lines: Lines


class RestockLineOut(Out):
    line_no: int
    product_id: int
    quantity: Decimal
    for_preorder: bool
    dropped_reason: str | None = None  # the coordinator left this product out of the bulk buy


class RestockRequestOut(Out):
    id: int
    satker_id: int
    warung_id: int
    cycle_id: int
    cycle_cutoff_at: datetime
    status: str
    note: str
    version: int
    created_at: datetime
    lines: list[RestockLineOut]


class RestockRequestSummaryOut(Out):
    id: int
    warung_id: int
    cycle_id: int
    status: str
    line_count: int
    version: int
    created_at: datetime


class ProductDemandOut(Out):
    product_id: int
    product_name: str
    retail_unit: str
    total_quantity: Decimal
    preorder_quantity: Decimal
    preorder_share: Decimal
    warung_count: int
    request_count: int
    category: str = ""
