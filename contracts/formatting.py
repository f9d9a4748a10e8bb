"""Indonesian formats from Babel's CLDR data, for pages, messages and summaries alike:
``"Rp 1.234.567"``, ``"Kamis, 26 November 2026 06:00 WIB"``, ``"2,5 kg"``.

Pure: imports only Babel and the standard library, so adapters may use it too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

__all__ = [
    "DEFAULT_LOCALE",
    "locale_for",
    "long_date",
    "moment",
    "quantity",
    "rupiah",
    "time_of_day",
    "zone_abbreviation",
]

DEFAULT_LOCALE = "id_ID"
_LOCALES = {"id": "id_ID", "en": "en_ID"}
# Indonesians write the zone as WIB, WITA or WIT in either language.
_ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def locale_for(language: str) -> str:
    """``"id"`` → ``"id_ID"``, ``"en"`` → ``"en_ID"``; a full locale is returned as it is."""
    return _LOCALES.get(language, language)


def rupiah(amount: int, locale: str = DEFAULT_LOCALE) -> str:
    """``1234567`` → ``"Rp 1.234.567"`` (whole rupiah: the currency has no minor unit in use)."""
    if isinstance(amount, float):
        raise TypeError("money is integer rupiah, never a float")
    text = format_currency(amount, "IDR", format="¤ #,##0", locale=locale, currency_digits=False)
    return text.replace("IDR", "Rp")


def quantity(value: Decimal | int, unit: str = "", locale: str = DEFAULT_LOCALE) -> str:
    """``Decimal("2.500"), "kg"`` → ``"2,5 kg"``; up to three decimals, no trailing zeros."""
    if isinstance(value, float):
        raise TypeError("quantities are Decimal, never a float")
    text = format_decimal(Decimal(value), format="#,##0.###", locale=locale)
    return f"{text} {unit}" if unit else text


def zone_abbreviation(timezone: str) -> str:
    return _ZONES.get(timezone, timezone)


def moment(at: datetime, timezone: str, locale: str = DEFAULT_LOCALE) -> str:
    """An instant in a satker's zone: ``"Kamis, 26 November 2026 06:00 WIB"``."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    text = format_datetime(at, "EEEE, d MMMM y HH:mm", tzinfo=ZoneInfo(timezone), locale=locale)
    return f"{text} {zone_abbreviation(timezone)}"


def time_of_day(at: datetime, timezone: str) -> str:
    """``"06:00 WIB"``."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    return f"{at.astimezone(ZoneInfo(timezone)):%H:%M} {zone_abbreviation(timezone)}"


def long_date(day: date, locale: str = DEFAULT_LOCALE) -> str:
    """``date(2026, 11, 26)`` → ``"Kamis, 26 November 2026"``."""
    return format_date(day, "EEEE, d MMMM y", locale=locale)
