"""Restock request rules: line validation and the status machine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from contracts.errors import FieldError, IllegalTransition, InvalidInput
from contracts.quantity import QuantityError, check_quantity

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft"}), "submitted"),
    "edit": (frozenset({"draft", "submitted"}), ""),
    "cancel": (frozenset({"draft", "submitted"}), "cancelled"),
    "lock": (frozenset({"submitted"}), "locked"),
    "consolidate": (frozenset({"locked"}), "consolidated"),
    "order": (frozenset({"consolidated"}), "ordered"),
    "deliver": (frozenset({"ordered"}), "delivered"),
    "receive": (frozenset({"delivered"}), "received"),
}


class LineLike(Protocol):
    # read-only, so frozen Structs match
    @property
    def product_id(self) -> int: ...
    @property
    def quantity(self) -> Decimal: ...


class ProductLike(Protocol):
    @property
    def category(self) -> str: ...
    @property
    def fractional(self) -> bool: ...
    @property
    def active(self) -> bool: ...


def check_transition(current: str, action: str) -> str:
    """The state ``action`` leads to from ``current`` (``current`` for an edit), or raise."""
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise IllegalTransition("restock request", current, action)
    return target or current


def validate_lines(
    lines: Sequence[LineLike],
    products: Mapping[int, ProductLike],
    *,
    allowed: set[str] | None = None,
) -> list[str]:
    """Check every line and return the sorted categories the request needs; raise one
    InvalidInput naming every bad field."""
    errors: list[FieldError] = []
    first_seen: dict[int, int] = {}
    categories: set[str] = set()
    for i, line in enumerate(lines):
        at = f"/lines/{i}"
        product = products.get(line.product_id)
        if line.product_id in first_seen:
            earlier = first_seen[line.product_id]
            errors.append(
                FieldError(
                    f"{at}/product_id",
                    f"product {line.product_id} appears twice (also line {earlier})",
                )
            )
        else:
            first_seen[line.product_id] = i
        if product is None:
            errors.append(FieldError(f"{at}/product_id", f"unknown product {line.product_id}"))
        elif not product.active:
            errors.append(
                FieldError(f"{at}/product_id", f"product {line.product_id} is no longer sold")
            )
        elif allowed is not None and product.category not in allowed:
            errors.append(
                FieldError(
                    f"{at}/product_id",
                    f"{product.category} products are not ordered in this cycle",
                )
            )
        else:
            categories.add(product.category)
        try:
            check_quantity(line.quantity, fractional=product.fractional if product else True)
        except QuantityError as exc:
            errors.append(FieldError(f"{at}/quantity", str(exc)))
    if errors:
        raise InvalidInput("the restock request has invalid lines", errors=errors)
    return sorted(categories)
