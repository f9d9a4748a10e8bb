"""Break-bulk: what a supplier delivered goes back to the warung lines it was bought for.

Pre-order lines are served first; the rest is shared in proportion to what each line asked
for. Quantities move in whole steps (1 retail unit, or 0.001 for goods sold by weight) and
are split by largest remainder with ties going to the lower line id, so the same delivery
always gives the same answer. No line gets more than it asked for. What is left over (packs
rounded up) tops up warungs below their maximum stock; the rest becomes satker stock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal

import msgspec

from contracts.money import split_largest_remainder
from services.domain.restock_line import LineId


class DemandLine(msgspec.Struct, frozen=True, kw_only=True):
    line_id: LineId
    warung_id: int
    requested: Decimal
    preorder: bool = False


class LineAllocation(msgspec.Struct, frozen=True, kw_only=True):
    line_id: LineId
    warung_id: int
    requested: Decimal
    allocated: Decimal

    @property
    def shortfall(self) -> Decimal:
        return self.requested - self.allocated


class Allocation(msgspec.Struct, frozen=True, kw_only=True):
    lines: tuple[LineAllocation, ...]
    surplus_to_warungs: dict[int, Decimal]  # warung_id -> extra units below its maximum
    satker_stock: Decimal

    @property
    def total(self) -> Decimal:
        return (
            sum((a.allocated for a in self.lines), Decimal(0))
            + sum(self.surplus_to_warungs.values(), Decimal(0))
            + self.satker_stock
        )


def step_for(fractional: bool) -> Decimal:
    return Decimal("0.001") if fractional else Decimal(1)


def _units(quantity: Decimal, step: Decimal) -> int:
    units = quantity if step == 1 else quantity / step
    whole = int(units)
    if units != whole:
        raise ValueError(f"{quantity} is not a whole number of steps of {step}")
    return whole


def _share(available: int, wants: Sequence[int]) -> list[int]:
    """Give ``available`` units to claims ``wants``: everyone in full when there is enough,
    else in proportion by largest remainder (never above a claim)."""
    if available >= sum(wants):
        return list(wants)
    return split_largest_remainder(available, wants)


def _line_parts(ordered: Sequence[DemandLine], available: int, step: Decimal) -> list[int]:
    """Units for each line (in ``ordered``'s order): pre-orders first, then the rest."""
    wants = [_units(line.requested, step) for line in ordered]
    parts = [0] * len(ordered)
    for preorders in (True, False):
        group = [i for i, line in enumerate(ordered) if line.preorder is preorders]
        shared = _share(available, [wants[i] for i in group])
        for i, part in zip(group, shared, strict=True):
            parts[i] = part
        available -= sum(shared)
    return parts


def _top_up(left: int, headroom: Mapping[int, Decimal], step: Decimal) -> dict[int, Decimal]:
    """Units left over, shared over the warungs' headroom (never above it)."""
    warungs = sorted(w for w, room in headroom.items() if room > 0)
    rooms = [int(headroom[w] / step) for w in warungs]
    extra = _share(left, rooms)
    return {w: part * step for w, part in zip(warungs, extra, strict=True) if part}


def _allocation(
    ordered: Sequence[DemandLine],
    parts: Sequence[int],
    left: int,
    step: Decimal,
    headroom: Mapping[int, Decimal] | None,
) -> Allocation:
    allocations = tuple(
        LineAllocation(
            line_id=line.line_id,
            warung_id=line.warung_id,
            requested=line.requested,
            allocated=part * step,
        )
        for line, part in zip(ordered, parts, strict=True)
    )
    surplus = _top_up(left, headroom, step) if left and headroom else {}
    left -= sum(int(extra / step) for extra in surplus.values())
    return Allocation(lines=allocations, surplus_to_warungs=surplus, satker_stock=left * step)


def allocate(
    lines: Sequence[DemandLine],
    delivered: Decimal,
    *,
    fractional: bool,
    headroom: dict[int, Decimal] | None = None,
) -> Allocation:
    """Split ``delivered`` retail units of one product over ``lines``.

    ``headroom`` is each warung's room below its maximum stock (maximum − on hand − what it
    gets here) for any surplus.
    """
    if delivered < 0:
        raise ValueError("delivered must not be negative")
    step = step_for(fractional)
    ordered = sorted(lines, key=_line_id)
    available = _units(delivered, step)
    parts = _line_parts(ordered, available, step)
    return _allocation(ordered, parts, available - sum(parts), step, headroom)


def _line_id(line: DemandLine) -> LineId:
    return line.line_id


def break_bulk(
    lines: Sequence[DemandLine],
    delivered: Decimal,
    *,
    fractional: bool,
    room: Mapping[int, Decimal],
) -> Allocation:
    """Share what arrived of one product over its warung lines, then top up warungs.

    ``room`` is each warung's maximum stock less its on hand (warungs without a stock level
    are not topped up); a warung's headroom is that room less what its lines get, never
    below zero. A piece product delivered in part of a piece (a supplier's rounding) is
    shared in whole pieces and the satker keeps the rest, so the parts still add up to
    ``delivered``.
    """
    if delivered < 0:
        raise ValueError("delivered must not be negative")
    step = step_for(fractional)
    whole = (delivered / step).to_integral_value(rounding=ROUND_FLOOR) * step
    ordered = sorted(lines, key=_line_id)
    available = _units(whole, step)
    parts = _line_parts(ordered, available, step)  # what each line gets does not need the room
    got: dict[int, int] = {}
    for line, part in zip(ordered, parts, strict=True):
        got[line.warung_id] = got.get(line.warung_id, 0) + part
    headroom = {w: max(room[w] - g * step, Decimal(0)) for w, g in got.items() if w in room}
    result = _allocation(ordered, parts, available - sum(parts), step, headroom)
    return msgspec.structs.replace(result, satker_stock=result.satker_stock + delivered - whole)


class WarungDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """One warung's part of one product's delivery, its lines summed."""

    requested: Decimal
    preorder: Decimal  # of ``requested``, what its pre-order lines asked for
    allocated: Decimal
    surplus: Decimal  # on top of its lines, within its headroom


def per_warung(allocation: Allocation, lines: Sequence[DemandLine]) -> dict[int, WarungDelivery]:
    """Each warung's lines and surplus summed, by warung id in order."""
    preorder = {line.line_id: line.preorder for line in lines}
    sums: dict[int, list[Decimal]] = {}
    for a in allocation.lines:
        row = sums.setdefault(a.warung_id, [Decimal(0)] * 4)
        row[0] += a.requested
        if preorder[a.line_id]:
            row[1] += a.requested
        row[2] += a.allocated
    for warung_id, extra in allocation.surplus_to_warungs.items():
        sums.setdefault(warung_id, [Decimal(0)] * 4)[3] += extra
    return {
        w: WarungDelivery(requested=r[0], preorder=r[1], allocated=r[2], surplus=r[3])
        for w, r in sorted(sums.items())
    }
