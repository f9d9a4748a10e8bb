"""The cut-off rule of ``services.domain.cycle`` on a fixed clock: which cycle takes a request,
whether a request may still change, the next cut-off named in a refusal, which cycles are due
to open or close — in WIB, WITA and WIT, and exactly at the cut-off."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import IllegalTransition
from services.domain.cycle import (
    ACCEPTING,
    CycleState,
    CycleTemplate,
    check_close,
    cutoff_passed,
    initial_status,
    is_due_to_close,
    is_due_to_open,
    may_change,
    next_cutoff,
    occurrences,
    takes_requests,
)

FRESH = CycleTemplate(
    id=1,
    name="Segar harian",
    categories=("fresh", "protein"),
    cadence="daily",
    opens_at=time(6),
    cutoff_at=time(12),
)
US = timedelta(microseconds=1)

# 12:00 local on 25 November 2026 in each zone, as UTC
ZONES = [
    ("Asia/Jakarta", datetime(2026, 11, 25, 5, tzinfo=UTC)),  # WIB, UTC+7
    ("Asia/Makassar", datetime(2026, 11, 25, 4, tzinfo=UTC)),  # WITA, UTC+8
    ("Asia/Jayapura", datetime(2026, 11, 25, 3, tzinfo=UTC)),  # WIT, UTC+9
]


def cycle_of(zone: str, status: str = "open") -> CycleState:
    """The fresh-food instance whose cut-off is 12:00 local on 25 November."""
    start = datetime(2026, 11, 24, 12, tzinfo=UTC)
    [occ] = occurrences(FRESH, zone, start, start + timedelta(days=1))
    return CycleState(
        status=status,
        opens_at=occ.opens_at,
        cutoff_at=occ.cutoff_at,
        categories=FRESH.categories,
    )


@pytest.mark.parametrize(("zone", "cutoff"), ZONES)
def test_a_request_may_change_until_the_instant_of_the_local_cut_off(zone, cutoff):
    cycle = cycle_of(zone)
    assert cycle.cutoff_at == cutoff
    assert cycle.opens_at == cutoff - timedelta(hours=6)  # 06:00 local
    assert may_change(cycle, cutoff - US)
    assert not may_change(cycle, cutoff)  # exactly at the cut-off: too late
    assert not may_change(cycle, cutoff + timedelta(hours=1))


@pytest.mark.parametrize(("zone", "cutoff"), ZONES)
def test_a_cycle_takes_new_requests_from_its_opening_until_its_cut_off(zone, cutoff):
    cycle = cycle_of(zone)
    opens = cycle.opens_at
    assert not takes_requests(cycle, opens - US)
    assert takes_requests(cycle, opens)
    assert takes_requests(cycle, cutoff - US)
    assert not takes_requests(cycle, cutoff)


@pytest.mark.parametrize(("zone", "cutoff"), ZONES)
def test_a_cycle_is_due_to_close_from_the_instant_of_its_cut_off(zone, cutoff):
    cycle = cycle_of(zone)
    assert not is_due_to_close(cycle, cutoff - US)
    assert is_due_to_close(cycle, cutoff)
    assert is_due_to_close(cycle, cutoff + timedelta(days=3))  # a worker that was down
    assert not is_due_to_close(cycle_of(zone, "closed"), cutoff)
    assert not is_due_to_close(cycle_of(zone, "consolidated"), cutoff + timedelta(days=1))


@pytest.mark.parametrize(("zone", "cutoff"), ZONES)
def test_a_scheduled_cycle_is_due_to_open_between_its_opening_and_its_cut_off(zone, cutoff):
    scheduled = cycle_of(zone, "scheduled")
    assert not is_due_to_open(scheduled, scheduled.opens_at - US)
    assert is_due_to_open(scheduled, scheduled.opens_at)
    assert not is_due_to_open(scheduled, cutoff)  # past its cut-off it closes instead
    assert is_due_to_close(scheduled, cutoff)
    assert not is_due_to_open(cycle_of(zone, "open"), scheduled.opens_at)


def test_a_closed_cycle_refuses_changes_before_its_cut_off():
    closed = cycle_of("Asia/Jakarta", "closed")
    assert not may_change(closed, closed.cutoff_at - timedelta(hours=1))
    assert not takes_requests(closed, closed.cutoff_at - timedelta(hours=1))


def test_a_new_instance_starts_open_once_its_opening_has_passed():
    start = datetime(2026, 11, 24, 12, tzinfo=UTC)
    [occ] = occurrences(FRESH, "Asia/Makassar", start, start + timedelta(days=1))
    assert initial_status(occ, occ.opens_at - US) == "scheduled"
    assert initial_status(occ, occ.opens_at) == "open"


def test_the_next_cut_off_is_the_earliest_ahead_of_a_cycle_taking_every_category():
    now = datetime(2026, 11, 25, 5, tzinfo=UTC)  # 12:00 WIB
    today = CycleState(
        status="open", opens_at=now - timedelta(hours=6), cutoff_at=now, categories=("fresh",)
    )

    def cycle(status: str, days: int, *categories: str) -> CycleState:
        return CycleState(
            status=status,
            opens_at=now + timedelta(days=days, hours=-6),
            cutoff_at=now + timedelta(days=days),
            categories=categories,
        )

    later = [
        cycle("closed", 1, "fresh", "protein"),  # closed early by a coordinator
        cycle("scheduled", 3, "fresh", "protein"),
        cycle("scheduled", 2, "fresh"),  # does not take protein
        cycle("scheduled", 4, "fresh", "protein", "sembako"),
    ]
    assert next_cutoff([today, *later], ["fresh", "protein"], now) == now + timedelta(days=3)
    assert next_cutoff([today, *later], ["fresh"], now) == now + timedelta(days=2)
    # a cut-off exactly now is not ahead
    assert next_cutoff([today], ["fresh"], now) is None
    assert next_cutoff([today], ["fresh"], now - US) == now
    assert next_cutoff(later, ["household"], now) is None


def test_the_refusal_names_the_next_cut_off_or_that_there_is_none():
    now = datetime(2026, 11, 25, 3, tzinfo=UTC)  # 12:00 WIT
    tomorrow = CycleState(
        status="scheduled",
        opens_at=now + timedelta(hours=18),
        cutoff_at=now + timedelta(days=1),
        categories=("fresh",),
    )
    refused = cutoff_passed("the request cannot edit", ["fresh"], [tomorrow], now)
    assert refused.extra == {"next_cutoff_at": "2026-11-26T03:00:00+00:00"}
    assert refused.detail == (
        "the request cannot edit: the order cycle is closed; the next cycle for fresh"
        " has its cut-off at 2026-11-26T03:00:00+00:00"
    )
    none = cutoff_passed("the request cannot be submitted", ["fresh", "protein"], [tomorrow], now)
    assert none.extra == {"next_cutoff_at": None}
    assert none.detail == (
        "the request cannot be submitted: no order cycle for fresh, protein is open"
        " and none is scheduled"
    )


@pytest.mark.parametrize("status", ACCEPTING)
def test_a_coordinator_closes_a_scheduled_or_open_cycle(status):
    assert check_close(status) == "closed"


@pytest.mark.parametrize("status", ["closed", "consolidated", "settled"])
def test_closing_a_closed_cycle_names_its_state(status):
    with pytest.raises(IllegalTransition) as caught:
        check_close(status)
    assert caught.value.extra == {"current_state": status, "action": "close"}


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)


@given(
    status=st.sampled_from([*ACCEPTING, "closed", "consolidated"]),
    opens_at=instants,
    length=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=7)),
    now=instants,
)
def test_the_cut_off_splits_time_with_no_gap_and_no_overlap(status, opens_at, length, now):
    cycle = CycleState(status=status, opens_at=opens_at, cutoff_at=opens_at + length)
    if status in ACCEPTING:
        assert may_change(cycle, now) != is_due_to_close(cycle, now)
    else:
        assert not (may_change(cycle, now) or is_due_to_close(cycle, now))
    assert not takes_requests(cycle, now) or may_change(cycle, now)
    assert not is_due_to_open(cycle, now) or takes_requests(cycle, now)
