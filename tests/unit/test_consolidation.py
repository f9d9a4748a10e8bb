"""Consolidation sums demand per product and keeps every warung line traceable."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.domain.consolidation import RequestLine, consolidate
from services.domain.restock_line import LineId


def test_demand_per_product_with_warungs_and_preorder_share():
    lines = [
        RequestLine(
            request_line_id=LineId(1, 3),
            warung_id=1,
            product_id=10,
            sku="BRS-MED",
            quantity=Decimal("12.5"),
        ),
        RequestLine(
            request_line_id=LineId(1, 1),
            warung_id=2,
            product_id=10,
            sku="BRS-MED",
            quantity=Decimal(25),
            serves_preorder=True,
        ),
        RequestLine(
            request_line_id=LineId(1, 2),
            warung_id=2,
            product_id=11,
            sku="MIE-GRG",
            quantity=Decimal(40),
        ),
    ]
    beras, mie = consolidate(lines)
    assert (beras.sku, beras.quantity, beras.preorder_quantity, beras.warungs) == (
        "BRS-MED",
        Decimal("37.5"),
        25,
        2,
    )
    assert beras.request_line_ids == (LineId(1, 1), LineId(1, 3))
    assert (mie.quantity, mie.warungs, mie.request_line_ids) == (40, 1, (LineId(1, 2),))


@given(
    st.lists(
        st.tuples(st.integers(1, 20), st.integers(1, 8), st.integers(1, 500), st.booleans()),
        max_size=60,
    )
)
def test_every_line_is_counted_once(raw):
    lines = [
        RequestLine(
            request_line_id=LineId(w, i),
            warung_id=w,
            product_id=p,
            sku=f"P{p}",
            quantity=Decimal(q) / 10,
            serves_preorder=pre,
        )
        for i, (w, p, q, pre) in enumerate(raw)
    ]
    result = consolidate(lines)
    assert sum(d.quantity for d in result) == sum(line.quantity for line in lines)
    ids = [i for d in result for i in d.request_line_ids]
    assert sorted(ids) == sorted(line.request_line_id for line in lines)
    for d in result:
        assert d.preorder_quantity <= d.quantity
