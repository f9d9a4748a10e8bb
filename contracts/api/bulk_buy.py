"""Bulk buys over HTTP: build (or re-quote), review, override, drop, approve, reject."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from contracts.api.common import MULTI_LINE, Body, Id, Out

Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=1000, pattern=MULTI_LINE)]


class BulkBuyBuild(Body):
    pins: dict[str, Id] = {}  # sku -> supplier id to buy it from


class ReasonIn(Body):
    reason: Reason


class AllocationOut(Out):
    supplier_id: int
    pack_name: str
    units_per_pack: Decimal
    packs: int
    price_per_pack_idr: int
    goods_idr: int


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


class QuoteOut(Out):
    supplier_id: int
    status: str
    quote_ref: str | None
    valid_until: datetime | None
    delivery_fee_idr: int
    error: str | None


class ApprovalOut(Out):
    key_id: int
    at: datetime


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
