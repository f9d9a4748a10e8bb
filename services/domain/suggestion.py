"""The restock suggestion for one warung, as a pure function.

Per product: the open pre-orders, plus ``maximum − on hand − on order`` (never below zero)
when on hand is at or below the minimum; whole units are rounded up for products not sold by
weight or volume.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, Decimal

import msgspec

ZERO = Decimal(0)
QUANTUM = Decimal("0.001")


class StockPoint(msgspec.Struct, frozen=True, kw_only=True):
    on_hand: Decimal
    minimum: Decimal
    maximum: Decimal


class SuggestedLine(msgspec.Struct, frozen=True, kw_only=True):
    product_id: int
    quantity: Decimal
    preorder_quantity: Decimal
    replenish_quantity: Decimal
    stock: StockPoint  # on hand, minimum and maximum
    on_order: Decimal
    reason: str


def _fmt(q: Decimal) -> str:
    return f"{q.normalize():f}"


def suggest(
    stock: Mapping[int, StockPoint],
    preorders: Mapping[int, Decimal],
    on_order: Mapping[int, Decimal],
    fractional: Mapping[int, bool],
    units: Mapping[int, str],
) -> list[SuggestedLine]:
    """Lines for every product (in ``fractional``) that needs ordering, by product id."""
    out: list[SuggestedLine] = []
    for pid in sorted(set(stock) | set(preorders)):
        if pid not in fractional:
            continue
        point = stock.get(pid, StockPoint(on_hand=ZERO, minimum=ZERO, maximum=ZERO))
        ordered = on_order.get(pid, ZERO)
        wanted = preorders.get(pid, ZERO)
        unit = units[pid]
        reasons: list[str] = []
        if wanted > 0:
            reasons.append(f"open pre-orders {_fmt(wanted)} {unit}")
        replenish = ZERO
        if pid in stock and point.on_hand <= point.minimum:
            replenish = max(ZERO, point.maximum - point.on_hand - ordered)
            reasons.append(
                f"on hand {_fmt(point.on_hand)} ≤ minimum {_fmt(point.minimum)}: maximum"
                f" {_fmt(point.maximum)} − on hand {_fmt(point.on_hand)} − on order"
                f" {_fmt(ordered)} = {_fmt(replenish)} {unit}"
            )
        total = wanted + replenish
        if not fractional[pid]:
            total = total.to_integral_value(rounding=ROUND_CEILING)
        if total <= 0:
            continue
        out.append(
            SuggestedLine(
                product_id=pid,
                quantity=total.quantize(QUANTUM),
                preorder_quantity=wanted.quantize(QUANTUM),
                replenish_quantity=replenish.quantize(QUANTUM),
                stock=point,
                on_order=ordered,
                reason="; ".join(reasons),
            )
        )
    return out
