"""Quantities are ``Decimal`` with at most three places (kg and litre goods); never float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

QUANTITY_PLACES = 3
QUANTITY_INTEGER_DIGITS = 11  # numeric(14, 3): 14 digits, 3 of them after the point
QUANTITY_MAX = Decimal("99999999999.999")
QUANTUM = Decimal("0.001")


class QuantityError(ValueError):
    """A quantity that is not a positive decimal with at most three places."""


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_quantity(value: Decimal, *, fractional: bool, allow_zero: bool = False) -> Decimal:
    """Return ``value`` if it is a valid order quantity, else raise :class:`QuantityError`."""
    try:
        if not value.is_finite():
            raise QuantityError("must be a finite number")
    except (InvalidOperation, AttributeError) as exc:
        raise QuantityError("must be a decimal number") from exc
    if value > QUANTITY_MAX:
        raise QuantityError(f"must be at most {QUANTITY_MAX}")
    if value < 0 or (value == 0 and not allow_zero):
        raise QuantityError("must be greater than 0" if not allow_zero else "must not be negative")
    places = decimal_places(value)
    if places > QUANTITY_PLACES:
        raise QuantityError(f"must have at most {QUANTITY_PLACES} decimal places")
    if not fractional and places > 0:
        raise QuantityError("this product is sold in whole units only")
    return value


__all__ = [
    "QUANTITY_INTEGER_DIGITS",
    "QUANTITY_MAX",
    "QUANTITY_PLACES",
    "QUANTUM",
    "QuantityError",
    "check_quantity",
    "decimal_places",
]
