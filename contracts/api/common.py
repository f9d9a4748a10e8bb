"""Pieces shared by the API bodies, and the bounds of every value a client may send.

A body is decoded by msgspec; what msgspec cannot bound by itself (a decimal written in plain
notation, a date inside a window, a time of day with or without seconds) is marked with a
:class:`Parse` in the field's type and turned into its Python value by :class:`Body` right
after decoding. A parse that fails names its field (see :func:`field_error`), so the problem
points at it: ``/lines/0/quantity``.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

import msgspec

from contracts.money import MAX_RUPIAH
from contracts.quantity import QUANTITY_INTEGER_DIGITS, QUANTITY_PLACES

MAX_ID = 2**63 - 1  # PostgreSQL bigint
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="An id: 1 to 2^63 − 1")]

# Text: no control characters (PostgreSQL refuses NUL; the rest are never meant).
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tab, newline and return allowed


def single_line(max_length: int, *, min_length: int = 0) -> msgspec.Meta:
    """The bounds of one line of text: ``Annotated[str, single_line(200)]``."""
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=SINGLE_LINE)


Name = Annotated[str, single_line(200, min_length=1)]
ShortText = Annotated[str, msgspec.Meta(max_length=500, pattern=MULTI_LINE)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 ()-]{6,20}$", max_length=30)]
TimeZone = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^Asia/(Jakarta|Makassar|Jayapura)$",
        description="IANA zone: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)",
    ),
]


class Parse:
    """Marks a field whose decoded value :class:`Body` turns into ``to(value)``; ``to`` raises
    ``ValueError`` with a message for the client."""

    __slots__ = ("to",)

    def __init__(self, to: Callable[[Any], Any]) -> None:
        self.to = to


def field_error(name: str, message: str) -> ValueError:
    """An error about one field of a body, raised while it is decoded. msgspec adds the path
    of the body (`` - at `$.lines[0]` ``); the problem mapping joins the two."""
    return ValueError(f"`{name}`: {message}")


# Quantities: numeric(14, 3). A plain decimal string ("2.5", "-1") or a JSON number; no
# exponent, no spaces, no NaN or Infinity. Sign and whole units are the service's rules.
QUANTITY_LIMIT = Decimal(10) ** QUANTITY_INTEGER_DIGITS
QUANTITY_PATTERN = rf"^-?[0-9]{{1,{QUANTITY_INTEGER_DIGITS}}}(\.[0-9]{{1,{QUANTITY_PLACES}}})?$"
_QUANTITY = re.compile(QUANTITY_PATTERN)
QUANTITY_RULE = (
    f"must be a plain decimal number such as 2.5: at most {QUANTITY_INTEGER_DIGITS} digits"
    f" before the point and {QUANTITY_PLACES} decimal places, no exponent"
)


def to_quantity(value: str | int | float | Decimal) -> Decimal:
    if isinstance(value, str):
        if not _QUANTITY.match(value) or value.endswith("\n"):
            raise ValueError(QUANTITY_RULE)
        return Decimal(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or abs(number) >= QUANTITY_LIMIT:
        raise ValueError(QUANTITY_RULE)
    return number


# Fractions (margins, tolerances): numeric(7, 4), from 0 up to (not including) 1.
FRACTION_PLACES = 4
_FRACTION = re.compile(rf"^0(\.[0-9]{{1,{FRACTION_PLACES}}})?$")
FRACTION_RULE = f"must be a fraction from 0 up to 1 such as 0.08, at most {FRACTION_PLACES} places"


def to_fraction(value: str | int | float | Decimal) -> Decimal:
    if isinstance(value, str):
        if not _FRACTION.match(value) or value.endswith("\n"):
            raise ValueError(FRACTION_RULE)
        return Decimal(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    exponent = number.as_tuple().exponent
    if (
        not number.is_finite()
        or not 0 <= number < 1
        or (isinstance(exponent, int) and exponent < -FRACTION_PLACES)
    ):
        raise ValueError(FRACTION_RULE)
    return number


# Dates: a window wide enough for any real price, pre-order or delivery.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def in_window(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must be from {FIRST_DAY} to {LAST_DAY}")
    return value


# Times of day: "06:00" or "06:00:30", local to the satker's zone.
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def to_clock_time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    if not re.match(CLOCK_PATTERN, value) or value.endswith("\n"):
        raise ValueError("must be a time of day, HH:MM or HH:MM:SS")
    return time.fromisoformat(value)


if TYPE_CHECKING:
    Quantity = Decimal
    Fraction = Decimal
    ClockTime = time
    Day = date
else:
    Quantity = Annotated[
        Union[str, int, float],  # noqa: UP007 (a runtime union msgspec reads)
        msgspec.Meta(
            description=f"A quantity: {QUANTITY_RULE}",
            examples=["2.5", 40],
        ),
        Parse(to_quantity),
    ]
    Fraction = Annotated[
        Union[str, int, float],  # noqa: UP007
        msgspec.Meta(description=f"A fraction, e.g. 0.08 for 8 %: {FRACTION_RULE}"),
        Parse(to_fraction),
    ]
    ClockTime = Annotated[
        str,
        msgspec.Meta(
            pattern=CLOCK_PATTERN,
            description="A time of day, local to the satker: HH:MM or HH:MM:SS",
            examples=["06:00", "12:00:00"],
        ),
        Parse(to_clock_time),
    ]
    Day = Annotated[
        date,
        msgspec.Meta(description=f"A date from {FIRST_DAY} to {LAST_DAY}"),
        Parse(in_window),
    ]

Money = Annotated[int, msgspec.Meta(ge=0, le=MAX_RUPIAH, description="Whole rupiah (IDR)")]


def _parses(annotation: Any) -> Parse | None:
    """The Parse marker of a field's type, looking through Optional."""
    if get_origin(annotation) is Annotated:
        return next((m for m in get_args(annotation)[1:] if isinstance(m, Parse)), None)
    if get_origin(annotation) in (Union, types.UnionType):
        return next((p for a in get_args(annotation) if (p := _parses(a)) is not None), None)
    return None


_PARSED: dict[type, tuple[tuple[str, Parse], ...]] = {}


def _parsed_fields(cls: type) -> tuple[tuple[str, Parse], ...]:
    found = _PARSED.get(cls)
    if found is None:
        found = tuple(
            (f.name, p) for f in msgspec.structs.fields(cls) if (p := _parses(f.type)) is not None
        )
        _PARSED[cls] = found
    return found


class Body(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A request body we own: unknown fields are an error, not silently dropped."""

    def __post_init__(self) -> None:
        for name, parse in _parsed_fields(type(self)):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                setattr(self, name, parse.to(value))
            except (ValueError, InvalidOperation) as exc:
                raise field_error(name, str(exc)) from None


class Out(msgspec.Struct, kw_only=True):
    """A response body."""


# msgspec's own words for a refused pattern, and what we say instead.
PATTERN_HINTS = {
    SINGLE_LINE: "must be one line of text without control characters",
    MULTI_LINE: "must be text without control characters (tab and newline are fine)",
    CLOCK_PATTERN: "must be a time of day, HH:MM or HH:MM:SS",
}
