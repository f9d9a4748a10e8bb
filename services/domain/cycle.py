"""Cycle instances of a template in the satker's time zone.

Stand-in until ``services.domain.cycle`` (branch domain-flow) lands; then this module only
adapts rows to it. Indonesia keeps no daylight saving, so a local wall time maps to one instant.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec


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
                        opens_at=opens.astimezone(ZoneInfo("UTC")),
                        cutoff_at=cutoff.astimezone(ZoneInfo("UTC")),
                        delivery_date=day + timedelta(days=template.delivery_days_after),
                    )
                )
        day += timedelta(days=1)
    return out
