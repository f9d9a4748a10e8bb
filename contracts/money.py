"""Money is whole rupiah, always an ``int``; never a float.

Totals that must be split into parts (delivery fees, shortfalls, invoices) use
:func:`split_largest_remainder`, so the parts always add up to the whole exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Annotated

import msgspec

# Any one amount is at most a thousand trillion rupiah: it fits the bigint columns with room
# for the sums of many amounts (a bill, a cycle's total) to fit as well.
MAX_RUPIAH = 10**15

Rupiah = Annotated[
    int,
    msgspec.Meta(ge=0, le=MAX_RUPIAH, description="Whole rupiah (IDR), never fractional."),
]
SignedRupiah = Annotated[
    int,
    msgspec.Meta(ge=-MAX_RUPIAH, le=MAX_RUPIAH, description="Whole rupiah (IDR); may be negative."),
]


_WHOLE = Decimal(1)


def rupiah_round(value: Decimal) -> int:
    """Round a Decimal amount to whole rupiah, half away from zero."""
    return int(value.quantize(_WHOLE, rounding=ROUND_HALF_UP))


def rupiah_floor(value: Decimal) -> int:
    return int(value.quantize(_WHOLE, rounding=ROUND_FLOOR))


def split_largest_remainder(
    total: int, weights: Sequence[Decimal | int], *, step: int = 1
) -> list[int]:
    """Split ``total`` into parts proportional to ``weights`` that sum to ``total`` exactly.

    Each part is a multiple of ``step``; ``total`` must be one too. Ties in the remainder go
    to the earlier index, so the result is deterministic. All-zero weights split evenly.
    """
    return split_totals_largest_remainder([total], weights, step=step)[0]


def split_totals_largest_remainder(
    totals: Sequence[int], weights: Sequence[Decimal | int], *, step: int = 1
) -> list[list[int]]:
    """:func:`split_largest_remainder` of each of ``totals`` over the same ``weights``."""
    if step <= 0:
        raise ValueError("step must be positive")
    if any(total % step for total in totals):
        raise ValueError("total must be a multiple of step")
    n = len(weights)
    if n == 0:
        if any(totals):
            raise ValueError("cannot split a non-zero total over no parts")
        return [[] for _ in totals]
    ws = [w if isinstance(w, Decimal) else Decimal(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights must not be negative")
    wsum = sum(ws, Decimal(0))
    if wsum == 0:
        ws = [Decimal(1)] * n
        wsum = Decimal(n)
    return [_split(total // step, ws, wsum, step) for total in totals]


def _split(units: int, ws: list[Decimal], wsum: Decimal, step: int) -> list[int]:
    scale = Decimal(units)
    exact = [scale * w / wsum for w in ws]
    floors = [int(e) for e in exact]  # truncation is the floor: nothing here is negative
    left = units - sum(floors)
    if left:
        # largest remainder first, the earlier index on a tie: sort (−remainder, index) pairs
        shortfalls = [f - e for e, f in zip(exact, floors, strict=True)]
        order = sorted(zip(shortfalls, range(len(ws)), strict=True))
        for _, i in order[:left]:
            floors[i] += 1
    return [f * step for f in floors]


__all__ = [
    "MAX_RUPIAH",
    "Rupiah",
    "SignedRupiah",
    "rupiah_floor",
    "rupiah_round",
    "split_largest_remainder",
    "split_totals_largest_remainder",
]
