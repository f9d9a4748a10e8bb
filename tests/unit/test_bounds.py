"""The bounds of what a client may send, as the contracts declare them: ids, money, plain
decimal quantities and fractions, dates in a window, times of day, text without control
characters; and the driver errors the database layer translates."""

from __future__ import annotations

import ast
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import asyncpg
import msgspec
import pytest

from contracts.api.common import MAX_ID, to_clock_time, to_fraction, to_quantity
from contracts.api.demand import CycleTemplateCreate, PreorderCreate, RestockLineIn
from contracts.api.registry import MarginRuleSet, SatkerCreate, SatkerUpdate
from contracts.errors import ConcurrentUpdate, Conflict, InvalidInput
from services.api.request_input import MAX_DEPTH, check_depth
from services.db.errors import translate, translated

ROOT = Path(__file__).resolve().parents[2]


def decode(body: dict, into: type) -> object:
    return msgspec.convert(body, into, strict=False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2.5", Decimal("2.5")), ("-1", Decimal(-1)), (40, Decimal(40)), (2.5, Decimal("2.5"))],
)
def test_plain_quantities_become_decimals(given, expected):
    assert to_quantity(given) == expected
    line = decode({"product_id": 1, "quantity": given}, RestockLineIn)
    assert isinstance(line.quantity, Decimal) and line.quantity == expected


@pytest.mark.parametrize(
    "given",
    [
        "1e3",
        "1E+3",
        "NaN",
        "Infinity",
        " 1",
        "1 ",
        "1\n",
        "+1",
        ".5",
        "1.",
        "1_000",
        "1.2345",
        "100000000000",
        "1e400",
        10**11,
        2**64,
        1e308,
        float("nan"),
        float("inf"),
    ],
)
def test_quantities_outside_plain_numeric_14_3_are_refused(given):
    with pytest.raises(ValueError, match="plain decimal"):
        to_quantity(given)
    with pytest.raises(msgspec.ValidationError, match="`quantity`: must be a plain decimal"):
        decode({"product_id": 1, "quantity": given}, RestockLineIn)


def test_the_largest_quantity_numeric_14_3_holds_is_taken():
    assert to_quantity("99999999999.999") == Decimal("99999999999.999")
    assert to_quantity(-99_999_999_999) == Decimal(-99_999_999_999)


@pytest.mark.parametrize("given", ["0", "0.08", "0.9999", 0, 0.5])
def test_fractions_from_zero_up_to_one(given):
    assert 0 <= to_fraction(given) < 1


@pytest.mark.parametrize("given", ["1", "10", "1.0", "-0.1", "0.12345", "1e-1", 1, 1.5, -0.1])
def test_fractions_outside_zero_to_one_are_refused(given):
    with pytest.raises(ValueError, match="fraction"):
        to_fraction(given)


def test_the_minimum_margin_may_not_exceed_the_target_on_every_route():
    for body_type in (SatkerUpdate, MarginRuleSet):
        with pytest.raises(msgspec.ValidationError, match="`min_margin`: must not exceed"):
            decode({"target_margin": "0.05", "min_margin": "0.1"}, body_type)
    with pytest.raises(msgspec.ValidationError, match="`min_margin`"):
        decode(
            {
                "name": "S",
                "kecamatan": "K",
                "kota": "K",
                "province": "P",
                "timezone": "Asia/Jakarta",
                "min_margin": "0.5",
            },
            SatkerCreate,
        )
    assert decode({"min_margin": "0.5"}, SatkerUpdate).min_margin == Decimal("0.5")


@pytest.mark.parametrize(
    ("given", "expected"), [("06:00", time(6)), ("23:59:59", time(23, 59, 59))]
)
def test_times_of_day_take_minutes_or_seconds(given, expected):
    assert to_clock_time(given) == expected
    template = decode(
        {"name": "Harian", "categories": ["fresh"], "cadence": "daily", "opens_at": given}
        | {"cutoff_at": "12:00"},
        CycleTemplateCreate,
    )
    assert template.opens_at == expected and template.cutoff_at == time(12)


def test_dates_outside_the_window_are_refused():
    body = {"product_id": 1, "quantity": 1, "customer_ref": "Bu Ani"}
    assert decode({**body, "needed_by": "2100-12-31"}, PreorderCreate).needed_by == date(
        2100, 12, 31
    )
    for day in ("1999-12-31", "2101-01-01", "0001-01-01"):
        with pytest.raises(msgspec.ValidationError, match="`needed_by`: must be from 2000-01-01"):
            decode({**body, "needed_by": day}, PreorderCreate)


def test_ids_stop_at_a_bigint():
    assert decode({"product_id": MAX_ID, "quantity": 1}, RestockLineIn).product_id == MAX_ID
    for bad in (0, MAX_ID + 1, 2**64):
        with pytest.raises(msgspec.ValidationError, match=r"\$.product_id"):
            decode({"product_id": bad, "quantity": 1}, RestockLineIn)


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb"])
def test_text_refuses_control_characters(text):
    base = {"name": "S", "kecamatan": "K", "kota": "K", "province": "P", "timezone": "Asia/Jakarta"}
    with pytest.raises(msgspec.ValidationError, match=r"\$.name"):
        decode({**base, "name": text}, SatkerCreate)


def test_nesting_is_bounded_and_strings_do_not_count():
    check_depth(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    check_depth(b'{"a": "' + b"[" * 1000 + b'\\"{{{"}')
    with pytest.raises(InvalidInput):
        check_depth(b"[" * (MAX_DEPTH + 1))
    with pytest.raises(InvalidInput):
        check_depth(b'{"a": ' * 100_000)


def test_driver_errors_become_contracts_errors():
    conflict = translate(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert isinstance(conflict, Conflict) and not isinstance(conflict, ConcurrentUpdate)
    assert isinstance(
        translate(asyncpg.exceptions.SerializationError("could not serialize")), ConcurrentUpdate
    )
    assert isinstance(
        translate(asyncpg.exceptions.NumericValueOutOfRangeError("out of range")), InvalidInput
    )
    assert isinstance(
        translate(asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte 0x00")),
        InvalidInput,
    )
    argument = asyncpg.exceptions._base.DataError("invalid input for query argument $1")
    assert isinstance(translate(argument), InvalidInput)
    assert translate(asyncpg.exceptions.UndefinedTableError("no table")) is None
    assert translate(RuntimeError("a bug")) is None


def test_the_translating_context_keeps_the_driver_error_as_the_cause():
    driver = asyncpg.exceptions.UniqueViolationError("duplicate key")
    with pytest.raises(Conflict) as caught, translated():
        raise driver
    assert caught.value.__cause__ is driver
    with pytest.raises(RuntimeError), translated():
        raise RuntimeError("a bug stays a bug")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_the_database_layer_sees_driver_errors():
    for path in (ROOT / "services").rglob("*.py"):
        if (ROOT / "services" / "db") in path.parents:
            continue
        driver = {
            n for n in _imports(path) if n.startswith(("sqlalchemy.exc", "asyncpg.exceptions"))
        }
        assert not driver, f"{path.relative_to(ROOT)} imports {driver}"
