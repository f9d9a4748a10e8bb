"""How full the satker's next carton (or sack) of a product is, from the cycle's submitted
demand across the warungs, and the steps of a quantity field by the product's unit. Pure.

"27 dari 40 — 13 lagi genap 1 dus": 27 units wanted so far, a carton of 40, 13 more fill it.
Owners read it to round their order so the satker buys whole cartons: less surplus to hold,
no shortfall to share out.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

import msgspec

WHOLE_STEP = Decimal(1)
FRACTIONAL_STEP = Decimal("0.5")  # kg and litre goods: half a kilo at a time


class PackFill(msgspec.Struct, frozen=True, kw_only=True):
    demand: Decimal  # the cycle's submitted demand for the product, all warungs
    units_per_pack: Decimal
    filled: Decimal  # units in the pack being filled (equal to units_per_pack when exact)
    missing: Decimal  # units still needed to fill it; 0 when the demand is whole packs
    packs: int  # packs the demand fills once ``missing`` more are ordered (at least 1)

    @property
    def percent(self) -> int:
        """How full the pack being filled is, 0–100, for the bar's width."""
        return int(self.filled * 100 // self.units_per_pack)


def pack_fill(demand: Decimal, units_per_pack: Decimal) -> PackFill:
    """The pack being filled by ``demand`` units: ``filled`` of ``units_per_pack``, with
    ``missing`` more making ``packs`` whole packs. Zero demand is an empty first pack."""
    if units_per_pack <= 0:
        raise ValueError("a pack holds more than nothing")
    demand = max(demand, Decimal(0))
    packs = max(1, int((demand / units_per_pack).to_integral_value(ROUND_CEILING)))
    missing = packs * units_per_pack - demand
    return PackFill(
        demand=demand,
        units_per_pack=units_per_pack,
        filled=units_per_pack - missing,
        missing=missing,
        packs=packs,
    )


def quantity_step(fractional: bool) -> Decimal:
    """What + and − add or take away: a whole piece, or half a kilo/litre."""
    return FRACTIONAL_STEP if fractional else WHOLE_STEP
