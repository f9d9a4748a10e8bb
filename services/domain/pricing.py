"""Below-market pricing: landed cost per retail unit and the suggested retail price.

Landed cost of a product = what its packs cost plus its share of each used supplier's
delivery fee (split by goods value, largest remainder), divided by the retail units bought;
a product bought from several suppliers gets one blended cost.

Suggested retail = cost × (1 + target margin), capped at the market reference for the
warung's kota less the satker's below-market percentage and at the HET ceiling, rounded
down to the price step. Flags say where the rules cannot all hold:

- ``MARGIN_SQUEEZED``: the capped, rounded price leaves less than the minimum margin;
- ``NO_MARKET_REFERENCE``: no market price is known (only the HET caps the price);
- ``ABOVE_HET``: the landed cost itself is above the legal ceiling.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, Decimal

import msgspec

from contracts.money import rupiah_round, split_largest_remainder
from services.domain.split import SplitPlan


class PriceFlag(enum.StrEnum):
    MARGIN_SQUEEZED = "MARGIN_SQUEEZED"
    NO_MARKET_REFERENCE = "NO_MARKET_REFERENCE"
    ABOVE_HET = "ABOVE_HET"


class Margins(msgspec.Struct, frozen=True, kw_only=True):
    target: Decimal
    minimum: Decimal


def resolve_margins(product: Margins | None, category: Margins | None, satker: Margins) -> Margins:
    """The most specific rule wins: product, then category, then the satker's default."""
    return product or category or satker


class BoughtLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the supplier split: packs of one product from one supplier."""

    sku: str
    supplier_id: int
    packs: int
    units_per_pack: Decimal
    goods_idr: int  # packs × the pack price of the tier reached


def plan_unit_costs(plan: SplitPlan) -> dict[str, Decimal]:
    """Landed cost per retail unit of every SKU the split bought."""
    return landed_unit_costs(
        [
            BoughtLine(
                sku=a.sku,
                supplier_id=a.supplier_id,
                packs=a.packs,
                units_per_pack=a.units_per_pack,
                goods_idr=a.goods_idr,
            )
            for a in plan.allocations
        ],
        {s.supplier_id: s.delivery_fee_idr for s in plan.suppliers},
    )


def landed_unit_costs(
    lines: Sequence[BoughtLine], delivery_fees: dict[int, int]
) -> dict[str, Decimal]:
    """Landed cost per retail unit for each SKU, delivery fees shared by goods value."""
    by_supplier: dict[int, list[BoughtLine]] = defaultdict(list)
    for line in lines:
        by_supplier[line.supplier_id].append(line)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, Decimal] = defaultdict(Decimal)
    for supplier_id, group in sorted(by_supplier.items()):
        fee = delivery_fees.get(supplier_id, 0)
        shares = split_largest_remainder(fee, [line.goods_idr for line in group])
        for line, share in zip(group, shares, strict=True):
            cost[line.sku] += line.goods_idr + share
            units[line.sku] += line.packs * line.units_per_pack
    return {sku: cost[sku] / units[sku] for sku in cost if units[sku] > 0}


class PriceInputs(msgspec.Struct, frozen=True, kw_only=True):
    unit_cost: Decimal  # landed, per retail unit
    margins: Margins
    market_ref_idr: int | None
    het_idr: int | None
    below_market_pct: Decimal
    price_step_idr: int = 100


class PriceSuggestion(msgspec.Struct, frozen=True, kw_only=True):
    unit_cost_idr: int
    suggested_retail_idr: int
    cap_idr: int | None
    market_ref_idr: int | None
    het_idr: int | None
    flags: tuple[PriceFlag, ...]
    warung_saving_per_unit_idr: int | None  # market − landed cost
    customer_saving_per_unit_idr: int | None  # market − suggested retail

    @property
    def blocked(self) -> bool:
        return bool(self.flags)


def _floor_to(value: Decimal, step: int) -> int:
    return int((value / step).to_integral_value(rounding=ROUND_FLOOR)) * step


def suggest_price(p: PriceInputs) -> PriceSuggestion:
    if p.price_step_idr <= 0:
        raise ValueError("price step must be positive")
    caps: list[Decimal] = []
    if p.market_ref_idr is not None:
        caps.append(Decimal(p.market_ref_idr) * (1 - p.below_market_pct))
    if p.het_idr is not None:
        caps.append(Decimal(p.het_idr))
    cap = min(caps) if caps else None
    wanted = p.unit_cost * (1 + p.margins.target)
    price = _floor_to(min(wanted, cap) if cap is not None else wanted, p.price_step_idr)
    flags: list[PriceFlag] = []
    if price < p.unit_cost * (1 + p.margins.minimum):
        flags.append(PriceFlag.MARGIN_SQUEEZED)
    if p.market_ref_idr is None:
        flags.append(PriceFlag.NO_MARKET_REFERENCE)
    if p.het_idr is not None and p.unit_cost > p.het_idr:
        flags.append(PriceFlag.ABOVE_HET)
    cost_idr = rupiah_round(p.unit_cost)
    return PriceSuggestion(
        unit_cost_idr=cost_idr,
        suggested_retail_idr=price,
        cap_idr=_floor_to(cap, 1) if cap is not None else None,
        market_ref_idr=p.market_ref_idr,
        het_idr=p.het_idr,
        flags=tuple(flags),
        warung_saving_per_unit_idr=(
            p.market_ref_idr - cost_idr if p.market_ref_idr is not None else None
        ),
        customer_saving_per_unit_idr=(
            p.market_ref_idr - price if p.market_ref_idr is not None else None
        ),
    )


def flags_of(suggestions: Iterable[PriceSuggestion]) -> set[PriceFlag]:
    return {flag for s in suggestions for flag in s.flags}
