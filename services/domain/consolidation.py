"""Consolidation: a closed cycle's restock lines become one bulk demand per product.

Every bulk line keeps the ids of the warung lines it serves, so a bulk line can be traced
to its warungs and each warung line to its bulk line.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import msgspec

from services.domain.restock_line import LineId


class RequestLine(msgspec.Struct, frozen=True, kw_only=True):
    request_line_id: LineId
    warung_id: int
    product_id: int
    sku: str
    quantity: Decimal
    serves_preorder: bool = False


class ProductDemand(msgspec.Struct, frozen=True, kw_only=True):
    product_id: int
    sku: str
    quantity: Decimal
    preorder_quantity: Decimal
    warungs: int
    request_line_ids: tuple[LineId, ...]


def consolidate(lines: Iterable[RequestLine]) -> list[ProductDemand]:
    """Sum demand per product, ordered by SKU; lines are listed in id order."""
    totals: dict[int, list] = {}
    for line in lines:
        entry = totals.get(line.product_id)
        if entry is None:
            entry = totals[line.product_id] = [line.sku, Decimal(0), Decimal(0), set(), []]
        entry[1] += line.quantity
        if line.serves_preorder:
            entry[2] += line.quantity
        entry[3].add(line.warung_id)
        entry[4].append(line.request_line_id)
    return sorted(
        (
            ProductDemand(
                product_id=pid,
                sku=sku,
                quantity=qty,
                preorder_quantity=pre,
                warungs=len(warungs),
                request_line_ids=tuple(sorted(ids)),
            )
            for pid, (sku, qty, pre, warungs, ids) in totals.items()
        ),
        key=lambda d: d.sku,
    )
