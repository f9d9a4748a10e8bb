"""Consolidation: a closed cycle's restock lines become one bulk demand per product.

Every bulk line keeps the ids of the warung lines it serves, so a bulk line can be traced
to its warungs and each warung line to its bulk line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class _Total:
    sku: str
    quantity: Decimal = Decimal(0)
    preorder_quantity: Decimal = Decimal(0)
    warungs: set[int] = field(default_factory=set)
    ids: list[LineId] = field(default_factory=list)


def consolidate(lines: Iterable[RequestLine]) -> list[ProductDemand]:
    """Sum demand per product, ordered by SKU; lines are listed in id order."""
    totals: dict[int, _Total] = {}
    for line in lines:
        entry = totals.get(line.product_id)
        if entry is None:
            entry = totals[line.product_id] = _Total(sku=line.sku)
        entry.quantity += line.quantity
        if line.serves_preorder:
            entry.preorder_quantity += line.quantity
        entry.warungs.add(line.warung_id)
        entry.ids.append(line.request_line_id)
    return sorted(
        (
            ProductDemand(
                product_id=pid,
                sku=t.sku,
                quantity=t.quantity,
                preorder_quantity=t.preorder_quantity,
                warungs=len(t.warungs),
                request_line_ids=tuple(sorted(t.ids)),
            )
            for pid, t in totals.items()
        ),
        key=lambda d: d.sku,
    )
