"""The split's vocabulary: the pack policy, the flags, and the plan it returns."""

from __future__ import annotations

import enum
from decimal import Decimal

import msgspec

Key = tuple[int, str, str]  # (supplier, sku, pack name): one offer


class PackPolicy(enum.StrEnum):
    ROUND_UP = "round_up"
    ROUND_DOWN = "round_down"


class SplitFlag(enum.StrEnum):
    UNSOURCED = "UNSOURCED"  # nobody offers it
    SHORT = "SHORT"  # offered, but demand cannot be covered


class Allocation(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    supplier_id: int
    pack_name: str
    units_per_pack: Decimal
    packs: int
    price_per_pack_idr: int  # the price of the tier reached
    goods_idr: int
    supplier_sku: str | None = None


class SupplierTotal(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    goods_idr: int
    delivery_fee_idr: int


class ProductOutcome(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    demand: Decimal
    covered: Decimal
    surplus: Decimal
    backorder: Decimal
    flag: SplitFlag | None = None
    reason: str = ""


class SplitPlan(msgspec.Struct, frozen=True, kw_only=True):
    allocations: tuple[Allocation, ...]
    suppliers: tuple[SupplierTotal, ...]
    products: tuple[ProductOutcome, ...]
    goods_idr: int
    fees_idr: int
    total_idr: int
    solver: str  # "highs" | "greedy"
    status: str  # optimal | time_limit | fallback | greedy
    mip_gap: float | None  # (total − the solver's proven lower bound) / total
    solve_ms: int
    gap_note: str = ""  # why mip_gap is None, when it is

    def flagged(self) -> list[ProductOutcome]:
        return [p for p in self.products if p.flag is not None]


# ---------------------------------------------------------------- plan
