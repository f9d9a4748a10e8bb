"""Break-bulk allocation: pre-orders first, fair shares of a shortfall, exact and deterministic."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.domain.allocation import (
    DemandLine,
    WarungDelivery,
    allocate,
    break_bulk,
    per_warung,
)
from services.domain.restock_line import LineId


def line(line_no, warung, qty, pre=False, request=1):
    return DemandLine(
        line_id=LineId(request, line_no), warung_id=warung, requested=Decimal(qty), preorder=pre
    )


def test_enough_for_everyone_and_surplus_tops_up_then_goes_to_satker_stock():
    # 3 cartons of MinyaKita (36 L) for 10 + 12 + 8 L requested
    lines = [line(1, 1, 10), line(2, 2, 12), line(3, 3, 8)]
    result = allocate(lines, Decimal(36), fractional=False, headroom={1: Decimal(2), 3: Decimal(1)})
    assert [a.allocated for a in result.lines] == [10, 12, 8]
    assert result.surplus_to_warungs == {1: 2, 3: 1}
    assert result.satker_stock == 3
    assert result.total == 36


def test_preorders_are_served_before_stock_top_ups():
    lines = [line(1, 1, 20), line(2, 2, 5, pre=True), line(3, 3, 15)]
    result = allocate(lines, Decimal(25), fractional=False)
    got = {a.line_id.line_no: a.allocated for a in result.lines}
    assert got[2] == 5
    assert got[1] + got[3] == 20 and got == {1: 11, 2: 5, 3: 9}  # 20:15 by largest remainder


def test_kg_goods_split_in_grams_with_shortfall_visible():
    # 24.7 kg of lele arrived for 10 + 10 + 5 kg
    lines = [line(1, 1, "10"), line(2, 2, "10"), line(3, 3, "5")]
    result = allocate(lines, Decimal("24.7"), fractional=True)
    assert sum(a.allocated for a in result.lines) == Decimal("24.7")
    assert {a.line_id.line_no: a.shortfall for a in result.lines} == {
        1: Decimal("0.12"),
        2: Decimal("0.12"),
        3: Decimal("0.06"),
    }


def test_ties_go_to_the_lower_line_id():
    result = allocate([line(7, 1, 1), line(3, 2, 1)], Decimal(1), fractional=False)
    assert {a.line_id.line_no: a.allocated for a in result.lines} == {3: 1, 7: 0}


def test_ties_go_to_the_earlier_request_before_the_line_number():
    lines = [line(1, 1, 1, request=12), line(9, 2, 1, request=3)]
    result = allocate(lines, Decimal(1), fractional=False)
    assert {a.line_id: a.allocated for a in result.lines} == {
        LineId(3, 9): 1,
        LineId(12, 1): 0,
    }


lines_strategy = st.lists(
    st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=12
).map(lambda items: [line(i + 1, i % 5 + 1, q, pre) for i, (q, pre) in enumerate(items)])


@given(lines_strategy, st.integers(0, 400))
def test_allocation_invariants(lines, delivered):
    result = allocate(lines, Decimal(delivered), fractional=False, headroom={1: Decimal(3)})
    requested = sum(line.requested for line in lines)
    assert result.total == delivered
    assert all(0 <= a.allocated <= a.requested for a in result.lines)
    assert sum(a.allocated for a in result.lines) == min(requested, delivered)
    pre_short = any(
        a.shortfall
        for a, src in zip(result.lines, sorted(lines, key=lambda x: x.line_id), strict=True)
        if src.preorder
    )
    if pre_short:  # a pre-order went short, so nobody else got anything
        assert all(
            a.allocated == 0
            for a, src in zip(result.lines, sorted(lines, key=lambda x: x.line_id), strict=True)
            if not src.preorder
        )
    shuffled = lines[:]
    random.Random(delivered).shuffle(shuffled)
    assert (
        allocate(shuffled, Decimal(delivered), fractional=False, headroom={1: Decimal(3)}) == result
    )


def test_break_bulk_shares_whole_pieces_and_the_satker_keeps_the_part_piece():
    # a supplier rounded 10.4 pieces of sabun for 4 + 4 requested; warung 1 has room for 1 more
    lines = [line(1, 1, 4), line(2, 2, 4)]
    room = {1: Decimal(5), 2: Decimal(3)}  # maximum − on hand
    result = break_bulk(lines, Decimal("10.4"), fractional=False, room=room)
    assert [a.allocated for a in result.lines] == [4, 4]
    assert result.surplus_to_warungs == {1: 1}  # warung 2's room is taken by its own 4
    assert result.satker_stock == Decimal("1.4")
    assert result.total == Decimal("10.4")


def test_break_bulk_tops_up_only_warungs_with_a_stock_level():
    lines = [line(1, 1, 2), line(2, 2, 2)]
    result = break_bulk(lines, Decimal(10), fractional=False, room={2: Decimal(7)})
    assert result.surplus_to_warungs == {2: 5}
    assert result.satker_stock == 1


def test_break_bulk_of_kg_goods_keeps_grams():
    lines = [line(1, 1, "2.5"), line(2, 2, "1")]
    result = break_bulk(lines, Decimal("3.2505"), fractional=True, room={})
    assert sum(a.allocated for a in result.lines) == Decimal("3.25")
    assert result.satker_stock == Decimal("0.0005")


@given(
    lines_strategy,
    st.integers(0, 4000).map(lambda tenths: Decimal(tenths) / 10),
    st.dictionaries(st.integers(1, 6), st.integers(-5, 30).map(Decimal), max_size=6),
)
def test_break_bulk_invariants(lines, delivered, room):
    result = break_bulk(lines, delivered, fractional=False, room=room)
    assert result.total == delivered  # the parts add up to what arrived, part pieces too
    assert all(0 <= a.allocated <= a.requested for a in result.lines)
    assert all(a.allocated == a.allocated.to_integral_value() for a in result.lines)
    got: dict[int, Decimal] = {}
    for a in result.lines:
        got[a.warung_id] = got.get(a.warung_id, Decimal(0)) + a.allocated
    for warung, extra in result.surplus_to_warungs.items():
        assert warung in room and 0 < extra <= room[warung] - got[warung]
    assert result.satker_stock >= 0


def test_per_warung_sums_lines_preorders_and_surplus():
    lines = [line(1, 2, 4, pre=True), line(2, 2, 6), line(3, 1, 5)]
    result = break_bulk(lines, Decimal(17), fractional=False, room={1: Decimal(7)})
    rows = per_warung(result, lines)
    assert list(rows) == [1, 2]
    assert rows[2] == WarungDelivery(requested=10, preorder=4, allocated=10, surplus=0)
    assert rows[1] == WarungDelivery(requested=5, preorder=0, allocated=5, surplus=2)
    assert sum(r.allocated + r.surplus for r in rows.values()) + result.satker_stock == 17
