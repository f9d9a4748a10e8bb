"""Pure demand rules: cycle instances in local time, the request state machine and line checks,
and the suggestion's invariants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import IllegalTransition, InvalidInput
from services.domain.cycle import CycleTemplate, occurrences
from services.domain.restock import check_transition, validate_lines
from services.domain.suggestion import StockPoint, suggest

WEEKLY = CycleTemplate(
    id=1,
    name="Sembako mingguan",
    categories=("sembako",),
    cadence="weekly",
    weekday=0,
    opens_at=time(8),
    cutoff_at=time(12),
    open_days_before=6,
    delivery_days_after=2,
)


def test_weekly_instances_open_days_before_their_monday_cut_off():
    start = datetime(2026, 11, 24, tzinfo=UTC)  # a Tuesday
    found = occurrences(WEEKLY, "Asia/Makassar", start, datetime(2026, 12, 10, tzinfo=UTC))
    assert [o.cutoff_at for o in found] == [
        datetime(2026, 11, 30, 4, tzinfo=UTC),  # Monday 12:00 WITA
        datetime(2026, 12, 7, 4, tzinfo=UTC),
    ]
    assert found[0].opens_at == datetime(2026, 11, 24, 0, tzinfo=UTC)  # Tuesday 08:00 WITA
    assert found[0].delivery_date == date(2026, 12, 2)


def test_instances_exclude_cut_offs_at_or_before_the_start():
    daily = CycleTemplate(
        id=2,
        name="d",
        categories=("fresh",),
        cadence="daily",
        opens_at=time(6),
        cutoff_at=time(12),
    )
    start = datetime(2026, 11, 24, 5, tzinfo=UTC)  # exactly 12:00 WIB
    found = occurrences(daily, "Asia/Jakarta", start, datetime(2026, 11, 26, 5, tzinfo=UTC))
    assert [o.cutoff_at.day for o in found] == [25, 26]


@pytest.mark.parametrize(
    ("current", "action", "after"),
    [
        ("draft", "submit", "submitted"),
        ("submitted", "cancel", "cancelled"),
        ("draft", "edit", "draft"),
        ("submitted", "lock", "locked"),
        ("locked", "consolidate", "consolidated"),
        ("delivered", "receive", "received"),
    ],
)
def test_legal_moves(current, action, after):
    assert check_transition(current, action) == after


@pytest.mark.parametrize(
    ("current", "action"),
    [("submitted", "submit"), ("locked", "edit"), ("locked", "cancel"), ("cancelled", "submit")],
)
def test_illegal_moves_name_the_current_state(current, action):
    with pytest.raises(IllegalTransition) as caught:
        check_transition(current, action)
    assert caught.value.extra["current_state"] == current


@dataclass
class Line:
    product_id: int
    quantity: Decimal


@dataclass
class Product:
    category: str
    fractional: bool
    active: bool = True


def test_lines_are_checked_together_and_categories_returned():
    products = {1: Product("fresh", True), 2: Product("protein", False)}
    assert validate_lines([Line(1, Decimal("0.125")), Line(2, Decimal(3))], products) == [
        "fresh",
        "protein",
    ]
    with pytest.raises(InvalidInput) as caught:
        validate_lines(
            [Line(1, Decimal("0.1255")), Line(2, Decimal("1.5")), Line(1, Decimal(1))],
            products,
        )
    assert [e.pointer for e in caught.value.errors] == [
        "/lines/0/quantity",
        "/lines/1/quantity",
        "/lines/2/product_id",
    ]


quantities = st.decimals(min_value=0, max_value=500, places=3)


@given(
    on_hand=quantities,
    minimum=quantities,
    extra=quantities,
    ordered=quantities,
    wanted=quantities,
    fractional=st.booleans(),
)
def test_suggestion_invariants(on_hand, minimum, extra, ordered, wanted, fractional):
    maximum = minimum + extra
    lines = suggest(
        {1: StockPoint(on_hand=on_hand, minimum=minimum, maximum=maximum)},
        {1: wanted} if wanted else {},
        {1: ordered},
        {1: fractional},
        {1: "kg"},
    )
    if not lines:
        assert wanted == 0
        assert on_hand > minimum or maximum - on_hand - ordered <= 0
        return
    (line,) = lines
    assert line.replenish_quantity >= 0
    assert line.quantity >= line.preorder_quantity + line.replenish_quantity
    if on_hand > minimum:
        assert line.replenish_quantity == 0
    else:
        assert line.replenish_quantity == max(Decimal(0), maximum - on_hand - ordered)
    if not fractional:
        assert line.quantity == line.quantity.to_integral_value()
        assert line.quantity - (line.preorder_quantity + line.replenish_quantity) < 1
