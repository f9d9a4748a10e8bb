"""Quantities as owners type them, and the field errors shown beside the fields."""

from __future__ import annotations

from decimal import Decimal

from contracts.errors import FieldError, InvalidInput
from services.web.warung_forms import explain, field_errors, parse_quantity, show_quantity


def test_quantities_typed_either_way():
    assert parse_quantity("1,5") == Decimal("1.5")
    assert parse_quantity(" 2 ") == 2
    assert parse_quantity("1.5") == Decimal("1.5")
    assert parse_quantity("1.000,5") == Decimal("1000.5")
    assert parse_quantity("") == 0
    for bad in ("2x", "-1", "NaN", "inf", "1" * 20):
        assert parse_quantity(bad) is None, bad
    assert show_quantity(Decimal("1.500")) == "1,5" and show_quantity(Decimal(0)) == "0"


def test_field_errors_land_on_their_fields_in_the_catalogue_words():
    exc = InvalidInput(
        "bad",
        errors=[
            FieldError("/lines/1/quantity", "this product is sold in whole units only"),
            FieldError("/needed_by", "the date has passed"),
        ],
    )
    assert field_errors(exc, ["7", "9"]) == {
        "9": "this product is sold in whole units only",
        "needed_by": "the date has passed",
    }
    assert explain("something else entirely", str) == "This value is not accepted"
