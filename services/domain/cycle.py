"""Order cycles in the satker's time zone: their instances from a template, and the cut-off.

The cut-off rule lives here and nowhere else:
- a cycle **takes new requests** while it is scheduled or open, its opening has passed and its
  cut-off has not (``opens_at ≤ now < cutoff_at``);
- a request already in a cycle **may change** (edit, submit, cancel) while the cycle is
  scheduled or open and its cut-off has not passed; if not, the refusal names the **next
  cut-off** of a cycle taking the request's categories;
- a scheduled or open cycle whose cut-off has passed is **due to close**, however late the
  worker runs; a scheduled cycle whose opening has passed (and cut-off not) is **due to open**;
  a new instance starts open when its opening has passed, else scheduled;
- a coordinator may close a scheduled or open cycle early;
- a one-off cycle (outside the templates) has its cut-off in the future, after its opening,
  and its delivery on or after the cut-off's local date; it starts like an instance.

Statements that pick or claim their rows themselves (the restock insert, the closing job)
cannot call a Python predicate per row: they take the rule as a ``Window`` computed here once,
statuses and instants, and apply exactly ``status = ANY(statuses) AND opens_at <= opened_by
AND cutoff_at > cutoff_after AND cutoff_at <= cutoff_by``. ``Window.admits`` is that same test,
and every rule above is defined through it, so the SQL and the Python cannot disagree.

Times are aware datetimes; ``now`` is always passed in. Indonesia keeps no daylight saving, so
a local wall time maps to one instant.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec

from contracts.errors import Conflict, FieldError, IllegalTransition, InvalidInput

ACCEPTING: tuple[str, ...] = ("scheduled", "open")  # the states in which a cycle takes requests
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


class CycleTemplate(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    categories: tuple[str, ...]
    cadence: str  # "daily" | "weekly"
    opens_at: time
    cutoff_at: time
    weekday: int | None = None  # of the cut-off, Monday = 0
    open_days_before: int = 0
    delivery_days_after: int = 1


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    opens_at: datetime  # UTC
    cutoff_at: datetime  # UTC
    delivery_date: date  # local


def occurrences(
    template: CycleTemplate, zone: str, start: datetime, end: datetime
) -> list[Occurrence]:
    """Instances whose cut-off lies in ``(start, end]`` (UTC instants), earliest first."""
    tz = ZoneInfo(zone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    out: list[Occurrence] = []
    day = first
    while day <= last:
        if template.cadence == "daily" or day.weekday() == template.weekday:
            cutoff = datetime.combine(day, template.cutoff_at, tz)
            opens = datetime.combine(
                day - timedelta(days=template.open_days_before), template.opens_at, tz
            )
            if opens < cutoff and start < cutoff <= end:
                out.append(
                    Occurrence(
                        opens_at=opens.astimezone(UTC),
                        cutoff_at=cutoff.astimezone(UTC),
                        delivery_date=day + timedelta(days=template.delivery_days_after),
                    )
                )
        day += timedelta(days=1)
    return out


class CycleState(msgspec.Struct, frozen=True, kw_only=True):
    """What the cut-off rules read of a cycle instance."""

    status: str
    opens_at: datetime
    cutoff_at: datetime
    categories: tuple[str, ...] = ()


class Window(msgspec.Struct, frozen=True, kw_only=True):
    """A set of cycles by state and instants: those whose status is one of ``statuses`` with
    ``opens_at <= opened_by`` and ``cutoff_after < cutoff_at <= cutoff_by``. A bound not
    given admits every instant."""

    statuses: tuple[str, ...]
    opened_by: datetime = LATEST
    cutoff_after: datetime = EARLIEST
    cutoff_by: datetime = LATEST

    def admits(self, cycle: CycleState) -> bool:
        return (
            cycle.status in self.statuses
            and cycle.opens_at <= self.opened_by
            and self.cutoff_after < cycle.cutoff_at <= self.cutoff_by
        )


def taking_requests(now: datetime) -> Window:
    """The cycles a new request may join at ``now``."""
    return Window(statuses=ACCEPTING, opened_by=now, cutoff_after=now)


def before_cutoff(now: datetime) -> Window:
    """The cycles whose requests may still change at ``now``, and the cycles still to come:
    not closed, cut-off ahead (opened or not)."""
    return Window(statuses=ACCEPTING, cutoff_after=now)


def due_to_close(now: datetime) -> Window:
    """The cycles to close at ``now``: not closed, cut-off reached or passed."""
    return Window(statuses=ACCEPTING, cutoff_by=now)


def due_to_open(now: datetime) -> Window:
    """The scheduled cycles to open at ``now``: opening reached, cut-off ahead."""
    return Window(statuses=("scheduled",), opened_by=now, cutoff_after=now)


def takes_requests(cycle: CycleState, now: datetime) -> bool:
    return taking_requests(now).admits(cycle)


def may_change(cycle: CycleState, now: datetime) -> bool:
    """May a request in ``cycle`` be edited, submitted or cancelled at ``now``?"""
    return before_cutoff(now).admits(cycle)


def is_due_to_close(cycle: CycleState, now: datetime) -> bool:
    return due_to_close(now).admits(cycle)


def is_due_to_open(cycle: CycleState, now: datetime) -> bool:
    return due_to_open(now).admits(cycle)


def initial_status(occurrence: Occurrence, now: datetime) -> str:
    """The state a new instance starts in: open if its opening has passed, else scheduled."""
    scheduled = CycleState(
        status="scheduled", opens_at=occurrence.opens_at, cutoff_at=occurrence.cutoff_at
    )
    return "open" if is_due_to_open(scheduled, now) else "scheduled"


def next_cutoff(
    cycles: Iterable[CycleState], categories: Collection[str], now: datetime
) -> datetime | None:
    """The earliest cut-off after ``now`` of a cycle (scheduled or open) taking all of
    ``categories``; None when no such cycle exists."""
    window = before_cutoff(now)
    wanted = set(categories)
    return min(
        (c.cutoff_at for c in cycles if window.admits(c) and wanted <= set(c.categories)),
        default=None,
    )


def cutoff_passed(
    what: str, categories: Collection[str], cycles: Iterable[CycleState], now: datetime
) -> Conflict:
    """The refusal of a change after the cut-off (``what``: "the request cannot edit"),
    naming the next cut-off among ``cycles`` for ``categories`` (or that there is none)."""
    upcoming = next_cutoff(cycles, categories, now)
    named = ", ".join(categories)
    if upcoming is None:
        detail = f"{what}: no order cycle for {named} is open and none is scheduled"
    else:
        detail = (
            f"{what}: the order cycle is closed; the next cycle for {named}"
            f" has its cut-off at {upcoming.isoformat()}"
        )
    return Conflict(detail, extra={"next_cutoff_at": upcoming.isoformat() if upcoming else None})


def check_close(status: str) -> str:
    """The state closing leads to (by the schedule or early by a coordinator), or raise."""
    if status not in ACCEPTING:
        raise IllegalTransition("order cycle", status, "close")
    return "closed"


def one_off(
    *,
    opens_at: datetime | None,
    cutoff_at: datetime,
    delivery_date: date | None,
    zone: str,
    now: datetime,
) -> tuple[Occurrence, str]:
    """A one-off cycle's instants and first state, or InvalidInput naming each wrong field."""
    opens = opens_at or now
    cutoff_day = cutoff_at.astimezone(ZoneInfo(zone)).date()
    delivery = delivery_date or cutoff_day + timedelta(days=1)
    errors = []
    if cutoff_at <= now:
        errors.append(FieldError("/cutoff_at", "the cut-off must be in the future"))
    if opens >= cutoff_at:
        errors.append(FieldError("/opens_at", "the opening must come before the cut-off"))
    if delivery < cutoff_day:
        errors.append(FieldError("/delivery_date", "delivery cannot come before the cut-off"))
    if errors:
        raise InvalidInput("the one-off cycle is not valid", errors=errors)
    occurrence = Occurrence(
        opens_at=opens.astimezone(UTC), cutoff_at=cutoff_at.astimezone(UTC), delivery_date=delivery
    )
    return occurrence, initial_status(occurrence, now)
