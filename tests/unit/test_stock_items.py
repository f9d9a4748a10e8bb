"""Items a warung records name a product still sold, in a quantity its unit allows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from contracts.errors import FieldError
from services.domain.stock import check_item_quantity, sold_product


@dataclass(frozen=True)
class Product:
    fractional: bool
    active: bool = True


PRODUCTS = {1: Product(fractional=False), 2: Product(fractional=True), 3: Product(False, False)}


def test_a_sold_product_is_returned_and_others_are_errors_at_the_pointer():
    errors: list[FieldError] = []
    assert sold_product(PRODUCTS, 1, "/items/0/product_id", errors) == PRODUCTS[1]
    assert sold_product(PRODUCTS, 3, "/items/1/product_id", errors) is None
    assert sold_product(PRODUCTS, 9, "/items/2/product_id", errors) is None
    assert [(e.pointer, e.detail) for e in errors] == [
        ("/items/1/product_id", "product 3 is no longer sold"),
        ("/items/2/product_id", "unknown product 9"),
    ]


def test_quantities_follow_the_products_unit():
    errors: list[FieldError] = []
    check_item_quantity(Decimal("1.5"), PRODUCTS[2], "/a", errors, allow_zero=False)  # kg
    check_item_quantity(Decimal(0), PRODUCTS[1], "/b", errors, allow_zero=True)
    check_item_quantity(None, PRODUCTS[1], "/c", errors, allow_zero=False)  # nothing to check
    assert errors == []
    check_item_quantity(Decimal("1.5"), PRODUCTS[1], "/d", errors, allow_zero=False)  # pieces
    check_item_quantity(Decimal(0), PRODUCTS[1], "/e", errors, allow_zero=False)
    check_item_quantity(Decimal("0.0001"), None, "/f", errors, allow_zero=False)  # unknown
    assert [e.pointer for e in errors] == ["/d", "/e", "/f"]
