"""Bulk buys over HTTP: build (or re-quote), review, override, drop, approve, reject."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from contracts.api.common import MULTI_LINE, Body, Id, Out
from contracts.money import MAX_RUPIAH

Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000, pattern=MULTI_LINE)]


class BulkBuyBuild(Body):
    pins: dict[str, Id] = {}  # sku -> supplier id to buy it from


class ReasonIn(Body):
    reason: Reason


class OverrideIn(Body):
    """Accept a flagged line with a reason; with ``retail_price_idr``, also set the price the
    warungs sell it at (flagged or not), at most its HET."""

    reason: Reason
    retail_price_idr: Annotated[int, msgspec.Meta(ge=1, le=MAX_RUPIAH)] | None = None


class AllocationOut(Out):
    supplier_id: int
    pack_name: str
    units_per_pack: Decimal
    packs: int
    price_per_pack_idr: int
    goods_idr: int


class RetailOverrideOut(Out):
    """A coordinator's retail price for a line, and the pricing rules' suggestion it replaced
    (a second override of the same line keeps the rules' suggestion)."""

    at: datetime
    key_id: int  # 0 when a person changed it in the console (then user_id names them)
    user_id: int | None
    suggested_retail_idr: int | None
    retail_price_idr: int
    reason: str


class BulkBuyLineOut(Out):
    product_id: int
    sku: str
    demand: Decimal
    preorder_quantity: Decimal
    warungs: int
    covered: Decimal
    surplus: Decimal
    backorder: Decimal
    unit_cost_idr: int | None
    suggested_retail_idr: int | None
    market_ref_idr: int | None
    het_idr: int | None
    warung_saving_per_unit_idr: int | None
    customer_saving_per_unit_idr: int | None
    flags: list[str]
    reason: str
    override_reason: str | None
    dropped: bool
    blocking: bool
    allocations: list[AllocationOut]
    product_name: str = ""
    retail_unit: str = ""
    category: str = ""
    retail_override: RetailOverrideOut | None = None


class QuoteOut(Out):
    supplier_id: int
    status: str
    quote_ref: str | None
    valid_until: datetime | None
    delivery_fee_idr: int
    error: str | None
    supplier_name: str = ""


class ApprovalOut(Out):
    key_id: int  # 0 when a person approved in the console (then user_id names them)
    at: datetime
    user_id: int | None = None


class BulkBuyOut(Out):
    id: int
    satker_id: int
    cycle_id: int
    status: str
    pack_policy: str
    solver: str
    solver_status: str
    mip_gap: float | None
    goods_idr: int
    fees_idr: int
    total_idr: int
    market_value_idr: int
    savings_idr: int  # market value of the goods − what the satker pays
    approvals_needed: int
    approvals: list[ApprovalOut]
    rejected_reason: str | None
    version: int
    lines: list[BulkBuyLineOut]
    quotes: list[QuoteOut]
    purchase_order_ids: list[int]
    # each line from its single cheapest supplier (plus their fees), and what the split saved
    # against that; None while the bulk buy has no proposal (see docs/bulk-buy.md)
    single_cheapest_idr: int | None = None
    optimiser_saving_idr: int | None = None
    lines_not_comparable: int = 0  # lines no supplier could serve alone: priced as the split


class BulkBuySummaryOut(Out):
    id: int
    cycle_id: int
    cycle_name: str
    status: str
    total_idr: int
    savings_idr: int
    approvals_needed: int
    approvals_given: int
    line_count: int
    blocking_lines: int
    version: int
    updated_at: datetime


class QuoteOptionOut(Out):
    supplier_id: int
    supplier_name: str
    pack_name: str
    units_per_pack: Decimal
    moq_packs: int
    available_packs: int | None
    tiers: list[tuple[int, int]]  # (min packs, price per pack), ascending
    packs: int | None  # the cheapest pack count to serve the line alone; None: cannot
    price_per_pack_idr: int | None
    goods_idr: int | None
    unit_cost_idr: int | None
    cheapest: bool
    chosen_packs: int  # what the split bought of this offer


class QuoteLineOut(Out):
    product_id: int
    sku: str
    product_name: str
    retail_unit: str
    demand: Decimal
    options: list[QuoteOptionOut]


class QuoteComparisonOut(Out):
    bulk_buy_id: int
    version: int
    single_cheapest_idr: int | None
    split_total_idr: int
    optimiser_saving_idr: int | None
    lines: list[QuoteLineOut]
