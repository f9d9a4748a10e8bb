"""Local time and Indonesian formatting shared by the adapters for suppliers run by people
(a market's trading hours, a trader's ordering window): daily sessions, rupiah, quantities,
dates."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def parse_hhmm(text: str) -> time:
    """``"02:00"`` → ``time(2, 0)``; raise ValueError on anything else."""
    match = _HHMM.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError("must be a time of day as HH:MM, e.g. 02:00")
    return time(int(match.group(1)), int(match.group(2)))


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raise ValueError if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


class DailyHours(msgspec.Struct, frozen=True, kw_only=True):
    """A session every day from ``opens`` to ``closes`` local time; ``closes <= opens`` means
    the session runs past midnight (e.g. 22:00–04:00)."""

    opens: time
    closes: time
    timezone: str = "Asia/Jakarta"

    @property
    def overnight(self) -> bool:
        return self.closes <= self.opens


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """The session a moment falls in (``open_now``) or, outside hours, the next one."""

    open_now: bool
    starts_at: datetime  # local time of the market
    ends_at: datetime


def session_for(hours: DailyHours, at: datetime) -> Session:
    """Whether ``at`` is inside ``hours`` (opening instant included, closing excluded), and
    the session's bounds; outside hours, the bounds of the next session."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    tz = zone(hours.timezone)
    local = at.astimezone(tz)
    upcoming: list[tuple[datetime, datetime]] = []
    for offset in (-1, 0, 1):
        day = local.date() + timedelta(days=offset)
        starts = datetime.combine(day, hours.opens, tzinfo=tz)
        end_day = day + timedelta(days=1) if hours.overnight else day
        ends = datetime.combine(end_day, hours.closes, tzinfo=tz)
        if starts <= local < ends:
            return Session(open_now=True, starts_at=starts, ends_at=ends)
        if starts > local:
            upcoming.append((starts, ends))
    starts, ends = min(upcoming)
    return Session(open_now=False, starts_at=starts, ends_at=ends)


def zone_abbreviation(name: str) -> str:
    return _ZONE_ABBREVIATIONS.get(name, name)


def rupiah(amount: int) -> str:
    """``34000`` → ``"Rp34.000"``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def quantity_text(value: Decimal) -> str:
    """``Decimal("9.600")`` → ``"9,6"``: no exponent, no trailing zeros, decimal comma."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def long_date(day: date) -> str:
    """``date(2025, 6, 3)`` → ``"Selasa, 3 Juni 2025"``."""
    return f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def local_moment(moment: datetime, timezone: str) -> str:
    """``"Selasa, 3 Juni 2025 02:00 WIB"``."""
    local = moment.astimezone(zone(timezone))
    return f"{long_date(local.date())} {local:%H:%M} {zone_abbreviation(timezone)}"
