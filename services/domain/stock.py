"""Checks on the items a warung records (stock levels, movements, pre-orders): each names a
product that is still sold, in a quantity its retail unit allows."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol, TypeVar

from contracts.errors import FieldError
from contracts.quantity import QuantityError, check_quantity


class SoldProduct(Protocol):
    @property
    def fractional(self) -> bool: ...

    @property
    def active(self) -> bool: ...


P = TypeVar("P", bound=SoldProduct)


def sold_product(
    products: Mapping[int, P], product_id: int, pointer: str, errors: list[FieldError]
) -> P | None:
    """The product, or None (and an error at ``pointer``) when it is unknown or no longer
    sold."""
    product = products.get(product_id)
    if product is None:
        errors.append(FieldError(pointer, f"unknown product {product_id}"))
    elif not product.active:
        errors.append(FieldError(pointer, f"product {product_id} is no longer sold"))
        return None
    return product


def check_item_quantity(
    value: Decimal | None,
    product: SoldProduct | None,
    pointer: str,
    errors: list[FieldError],
    *,
    allow_zero: bool,
) -> None:
    """Add an error at ``pointer`` when ``value`` is not a quantity of the product's unit
    (whole units unless sold by weight or volume; any 3-decimal quantity for an unknown
    product). None is no value to check."""
    if value is None:
        return
    try:
        check_quantity(
            value, fractional=product.fractional if product else True, allow_zero=allow_zero
        )
    except QuantityError as exc:
        errors.append(FieldError(pointer, str(exc)))
