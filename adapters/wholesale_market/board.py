"""The daily price board of a wholesale market: indicative min–max prices per product and grade.

A board arrives as a CSV file (the market's own sheet: ``date,product,grade,unit,min_idr,
max_idr``, optionally a ``sku`` column) or as JSON posted by a market agent. Products without
a ``sku`` are mapped through the supplier's ``sku_by_name`` config: ``"Bawang merah|super"``
(name and grade) wins over ``"Bawang merah"`` (any grade). Errors name the CSV line (the header
is line 1) and column, or the JSON entry and field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from adapters.local_time import zone
from contracts.capabilities import PriceBoardEntry
from contracts.errors import FieldError, InvalidInput

BOARD_COLUMNS = ("date", "product", "grade", "unit", "min_idr", "max_idr")
_OPTIONAL_COLUMNS = ("sku",)
_JSON_FIELDS = frozenset((*BOARD_COLUMNS, *_OPTIONAL_COLUMNS))
_DIGITS = re.compile(r"^\d{1,12}$")


BoardEntry = PriceBoardEntry  # the board line every price-board supplier speaks


def _name_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def sku_lookup(sku_by_name: Mapping[str, str] | None) -> Callable[[str, str], str | None]:
    """A function ``(product, grade) -> sku | None`` over the config mapping."""
    keyed: dict[str, str] = {}
    for name, sku in (sku_by_name or {}).items():
        product, _, grade = name.partition("|")
        keyed[f"{_name_key(product)}|{_name_key(grade)}"] = sku

    def lookup(product: str, grade: str) -> str | None:
        key = _name_key(product)
        return keyed.get(f"{key}|{_name_key(grade)}") or keyed.get(f"{key}|")

    return lookup


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _rupiah(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        amount = int(value.strip())
        return amount if amount > 0 else None
    return None


def _entry(
    raw: Mapping[str, Any],
    pointer: Callable[[str], str],
    where: str,
    lookup: Callable[[str, str], str | None],
    errors: list[FieldError],
) -> BoardEntry | None:
    """Validate one row; append errors and return None if it is bad."""
    before = len(errors)

    def bad(column: str, detail: str) -> None:
        errors.append(FieldError(pointer(column), f"{where}, {column}: {detail}"))

    day = None
    raw_date = raw.get("date")
    try:
        day = date.fromisoformat(raw_date.strip()) if isinstance(raw_date, str) else None
    except ValueError:
        day = None
    if day is None:
        bad("date", "must be a date as YYYY-MM-DD")
    product = _text(raw.get("product"))
    if not product:
        bad("product", "must not be empty")
    grade = _text(raw.get("grade")) or ""
    unit = _text(raw.get("unit"))
    if not unit:
        bad("unit", "must not be empty")
    low, high = _rupiah(raw.get("min_idr")), _rupiah(raw.get("max_idr"))
    if low is None:
        bad("min_idr", "must be a whole number of rupiah above 0")
    if high is None:
        bad("max_idr", "must be a whole number of rupiah above 0")
    if low is not None and high is not None and high < low:
        bad("max_idr", f"{high} is below min_idr {low}")
    sku = _text(raw.get("sku")) or (lookup(product, grade) if product else None)
    if product and not sku:
        bad("product", f"no sku for {product!r}: add a sku column or map it in sku_by_name")
    if len(errors) > before:
        return None
    assert day is not None and product and unit and sku and low is not None and high is not None
    return BoardEntry(
        date=day, sku=sku, product_name=product, grade=grade, unit=unit, min_idr=low, max_idr=high
    )


def _check_duplicates(
    rows: Iterable[tuple[BoardEntry, Callable[[str], str], str]], errors: list[FieldError]
) -> None:
    seen: dict[tuple[date, str, str], str] = {}
    for entry, pointer, where in rows:
        key = (entry.date, entry.sku, _name_key(entry.grade))
        if key in seen:
            errors.append(
                FieldError(
                    pointer("grade"),
                    f"{where}: {entry.sku} grade {entry.grade!r} on {entry.date} "
                    f"is already on {seen[key]}",
                )
            )
        else:
            seen[key] = where


def parse_board_csv(
    text: str, *, sku_by_name: Mapping[str, str] | None = None
) -> tuple[BoardEntry, ...]:
    """Parse a board sheet. Raise InvalidInput with one error per bad cell, pointers
    ``/board/<line>/<column>``."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise InvalidInput("the board is empty", errors=[FieldError("/board/1", "no header row")])
    columns = [name.strip().lower() for name in header]
    missing = [name for name in BOARD_COLUMNS if name not in columns]
    if missing:
        raise InvalidInput(
            "the board's header lacks columns",
            errors=[
                FieldError(f"/board/1/{name}", f"line 1: column {name} is missing")
                for name in missing
            ],
        )
    lookup = sku_lookup(sku_by_name)
    errors: list[FieldError] = []
    rows: list[tuple[BoardEntry, Callable[[str], str], str]] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        where = f"line {line}"

        def pointer(column: str, line: int = line) -> str:
            return f"/board/{line}/{column}"

        if len(cells) != len(columns):
            errors.append(
                FieldError(
                    f"/board/{line}",
                    f"{where}: expected {len(columns)} columns, found {len(cells)}",
                )
            )
            continue
        entry = _entry(dict(zip(columns, cells, strict=True)), pointer, where, lookup, errors)
        if entry is not None:
            rows.append((entry, pointer, where))
    _check_duplicates(rows, errors)
    if errors:
        raise InvalidInput(f"{len(errors)} error(s) in the board", errors=errors)
    return tuple(entry for entry, _, _ in rows)


def parse_board_json(
    body: bytes | str, *, sku_by_name: Mapping[str, str] | None = None
) -> tuple[BoardEntry, ...]:
    """Parse a board posted by a market agent::

        {"date": "2025-06-02",            # optional default for the entries
         "entries": [{"product": "Bawang merah", "grade": "super", "unit": "kg",
                      "min_idr": 31000, "max_idr": 34000, "sku": "BWG-MRH"}]}

    Pointers are ``/entries/<index>/<field>``.
    """
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise InvalidInput(
            "the board is not valid JSON", errors=[FieldError("", str(exc))]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise InvalidInput(
            "the board needs an entries list", errors=[FieldError("/entries", "must be a list")]
        )
    errors: list[FieldError] = []
    for key in sorted(document.keys() - {"date", "entries"}):
        errors.append(FieldError(f"/{key}", "unknown field"))
    default_date = document.get("date")
    lookup = sku_lookup(sku_by_name)
    rows: list[tuple[BoardEntry, Callable[[str], str], str]] = []
    for index, raw in enumerate(document["entries"]):
        where = f"entry {index}"

        def pointer(field: str, index: int = index) -> str:
            return f"/entries/{index}/{field}"

        if not isinstance(raw, dict):
            errors.append(FieldError(f"/entries/{index}", f"{where}: must be an object"))
            continue
        unknown = sorted(raw.keys() - _JSON_FIELDS)
        errors.extend(FieldError(pointer(key), f"{where}: unknown field") for key in unknown)
        merged = {"date": default_date, "unit": "kg", **raw}
        entry = _entry(merged, pointer, where, lookup, errors)
        if entry is not None and not unknown:
            rows.append((entry, pointer, where))
    _check_duplicates(rows, errors)
    if errors:
        raise InvalidInput(f"{len(errors)} error(s) in the board", errors=errors)
    return tuple(entry for entry, _, _ in rows)


def latest_board(entries: Sequence[BoardEntry]) -> tuple[BoardEntry, ...]:
    """The entries of the most recent board date (empty if there are none)."""
    if not entries:
        return ()
    newest = max(entry.date for entry in entries)
    return tuple(entry for entry in entries if entry.date == newest)


def quotable_board(
    entries: Sequence[BoardEntry],
    at: datetime,
    *,
    timezone: str = "Asia/Jakarta",
    max_age_days: int = 1,
) -> tuple[BoardEntry, ...]:
    """The latest board if it is fresh enough to quote at ``at``, else nothing.

    A board dated D may be quoted on D and up to ``max_age_days`` days after it, by the
    market's calendar: by default Monday's board still quotes on Tuesday, not on Wednesday.
    """
    board = latest_board(entries)
    if not board:
        return ()
    today = at.astimezone(zone(timezone)).date()
    if today - board[0].date > timedelta(days=max_age_days):
        return ()
    return board
