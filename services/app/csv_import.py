"""CSV import of products, warungs, suppliers and market prices.

Every row is checked before anything is written; an error is reported as "line N, column C:
message" and a file with any error imports nothing. Rows are upserts by natural key, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import msgspec
from sqlalchemy import select

from contracts.api.catalogue import (
    MarketPriceCreate,
    ProductCreate,
    SupplierCreate,
    SupplierUpdate,
)
from contracts.api.registry import WarungCreate, WarungUpdate
from contracts.errors import FieldError, InvalidInput, KulakanError, NotFound
from services.app import market_prices, products, registry, suppliers
from services.db.models import Satker, Supplier, Warung
from services.db.tx import Tx
from services.registry import AdapterRegistry

KINDS = ("products", "warungs", "suppliers", "market-prices")


class ImportError_(InvalidInput):
    code = "import-failed"
    title = "Import failed"


class ImportReport(msgspec.Struct, kw_only=True):
    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class RowError(msgspec.Struct, frozen=True):
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


_AT = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.S)


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes", "ya", "y"):
        return True
    if v in ("false", "0", "no", "tidak", "n", ""):
        return False
    raise ValueError("expected true or false")


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value.strip().replace("_", ""))
    except InvalidOperation as exc:
        raise ValueError("expected a number") from exc


def _int(value: str) -> int:
    v = value.strip().replace("_", "")
    if not re.fullmatch(r"-?\d+", v):
        raise ValueError("expected a whole number")
    return int(v)


def _opt(convert: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda v: None if v.strip() == "" else convert(v)


# column -> (required, converter)
Columns = dict[str, tuple[bool, Callable[[str], Any]]]
S = TypeVar("S", bound=msgspec.Struct)

PRODUCT_COLUMNS: Columns = {
    "sku": (True, str.strip),
    "name": (True, str.strip),
    "category": (True, str.strip),
    "retail_unit": (True, str.strip),
    "fractional": (False, _bool),
    "vat": (False, _bool),
    "active": (False, _bool),
    "pack_name": (False, str.strip),
    "units_per_pack": (False, _opt(_decimal)),
    "het_idr": (False, _opt(_int)),
    "het_region": (False, str.strip),
    "target_margin": (False, _opt(_decimal)),
    "min_margin": (False, _opt(_decimal)),
}
WARUNG_COLUMNS: Columns = {
    "name": (True, str.strip),
    "owner_name": (True, str.strip),
    "phone": (True, str.strip),
    "address": (True, str.strip),
    "kota": (False, _opt(str.strip)),
}
SUPPLIER_COLUMNS: Columns = {
    "name": (True, str.strip),
    "adapter_key": (True, str.strip),
    "regions": (False, lambda v: [r.strip() for r in v.split(";") if r.strip()]),
    "delivery_fee_idr": (False, _opt(_int)),
    "min_order_value_idr": (False, _opt(_int)),
    "payment_terms": (False, _opt(str.strip)),
    "tempo_days": (False, _opt(_int)),
    "contact_phone": (False, str.strip),
    "adapter_config": (False, _opt(json.loads)),
}
PRICE_COLUMNS: Columns = {
    "sku": (True, str.strip),
    "kota": (True, str.strip),
    "price_date": (True, str.strip),
    "price_idr": (True, _int),
    "source": (False, _opt(str.strip)),
}


def _product_body(v: dict[str, Any]) -> dict[str, Any]:
    packs = []
    if v.pop("pack_name", None) or v.get("units_per_pack") is not None:
        packs.append({"pack_name": v.get("_pack_name"), "units_per_pack": v.get("units_per_pack")})
    v.pop("units_per_pack", None)
    het, region = v.pop("het_idr", None), v.pop("het_region", "") or "national"
    ceilings = [{"region": region, "kind": "HET", "price_idr": het}] if het is not None else []
    v.pop("_pack_name", None)
    return {**v, "packs": packs, "ceilings": ceilings}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_csv(data: bytes, kind: str = "file") -> str:
    """The file's text (UTF-8, a byte-order mark allowed); raise ImportError_ naming the line
    and column of the first byte that is not UTF-8 (a Latin-1 or Windows-1252 export)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        before = data[line_start : exc.start].decode("utf-8-sig", errors="replace")
        header_end = data.find(b"\n")
        header_bytes = data[: header_end if header_end >= 0 else len(data)]
        header = next(csv.reader([header_bytes.decode("utf-8-sig", errors="replace")]), [])
        index = len(next(csv.reader([before]), [""])) - 1 if before else 0
        column = header[index].strip() if line > 1 and index < len(header) else str(index + 1)
        message = (
            f"byte 0x{data[exc.start]:02X} is not UTF-8; save the file as UTF-8 "
            "(it looks like Latin-1 or Windows-1252)"
        )
        raise _fail(kind, [RowError(line, column, message)]) from None


def parse_rows(
    text: str,
    columns: Columns,
    target: type[S],
    shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[list[tuple[int, S]], list[RowError]]:
    """Parse and validate every row; returns ([(line, struct)], errors)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    errors = [
        RowError(1, name, "missing column")
        for name, (required, _) in columns.items()
        if required and name not in header
    ]
    if errors:
        return [], errors
    out: list[tuple[int, S]] = []
    for row in _rows(reader, errors):
        line = reader.line_num
        values: dict[str, Any] = {}
        bad = False
        for name, (required, convert) in columns.items():
            raw = row.get(name)
            if raw is None:
                continue
            if required and raw.strip() == "":
                errors.append(RowError(line, name, "required"))
                bad = True
                continue
            control = _CONTROL.search(raw)
            if control:
                what = "a NUL byte" if control[0] == "\x00" else "a control character"
                errors.append(RowError(line, name, f"contains {what} (0x{ord(control[0]):02X})"))
                bad = True
                continue
            try:
                values[name] = convert(raw)
            except (ValueError, json.JSONDecodeError) as exc:
                errors.append(RowError(line, name, str(exc).split("\n")[0]))
                bad = True
        if bad:
            continue
        values = {k: v for k, v in values.items() if v is not None and v != ""}
        if shape is not None:
            values["_pack_name"] = (row.get("pack_name") or "").strip()
            values = shape(values)
        try:
            out.append((line, msgspec.convert(values, target, strict=False)))
        except msgspec.ValidationError as exc:
            m = _AT.match(str(exc))
            path = (m["path"] or "").lstrip(".") if m else ""
            column = path.split(".")[0].split("[")[0] or "?"
            if column in ("packs",):
                column = "units_per_pack" if "units_per_pack" in path else "pack_name"
            elif column == "ceilings":
                column = "het_idr"
            errors.append(RowError(line, column, m["msg"] if m else str(exc)))
    return out, errors


def _rows(reader: csv.DictReader, errors: list[RowError]) -> Iterable[dict[str, Any]]:
    """The reader's rows; a row the csv module cannot read ends the file with an error."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(reader.line_num, "?", str(exc)))
            return


def _fail(kind: str, errors: list[RowError]) -> ImportError_:
    lines = "; ".join(str(e) for e in errors[:50])
    more = f" (and {len(errors) - 50} more)" if len(errors) > 50 else ""
    return ImportError_(
        f"{kind}: {len(errors)} error(s), nothing imported: {lines}{more}",
        extra={"row_errors": [msgspec.structs.asdict(e) for e in errors]},
    )


def _from_kulakan(line: int, exc: KulakanError) -> list[RowError]:
    if not exc.errors:
        return [RowError(line, "?", exc.detail)]
    return [RowError(line, e.pointer.strip("/").split("/")[0] or "?", e.detail) for e in exc.errors]


async def import_csv(
    tx: Tx,
    kind: str,
    text: str,
    *,
    now: datetime,
    adapters: AdapterRegistry,
    satker_id: int | None = None,
) -> ImportReport:
    """Import one file in the caller's transaction; raise ImportError_ (nothing written,
    as long as the caller rolls back) on any error."""
    if kind == "products":
        product_rows, errors = parse_rows(text, PRODUCT_COLUMNS, ProductCreate, shape=_product_body)
        errors += [
            RowError(line, e.pointer.strip("/").split("/")[0], e.detail)
            for line, p in product_rows
            for e in products.product_problems(p)
        ]
        _check_unique(product_rows, lambda p: p.sku, "sku", errors)
        if errors:
            raise _fail(kind, errors)
        report = ImportReport(kind=kind, rows=len(product_rows))
        for _, product in product_rows:
            _, outcome = await products.upsert_product(tx, product, now)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report
    if kind == "warungs":
        if satker_id is None:
            raise InvalidInput("importing warungs needs --satker")
        warung_rows, errors = parse_rows(text, WARUNG_COLUMNS, WarungCreate)
        _check_unique(warung_rows, lambda w: w.name, "name", errors)
        if errors:
            raise _fail(kind, errors)
        return await _import_warungs(tx, satker_id, warung_rows, now)
    if kind == "suppliers":
        supplier_rows, errors = parse_rows(text, SUPPLIER_COLUMNS, SupplierCreate)
        _check_unique(supplier_rows, lambda s: s.name, "name", errors)
        if errors:
            raise _fail(kind, errors)
        return await _import_suppliers(tx, supplier_rows, adapters, now)
    if kind == "market-prices":
        price_rows, errors = parse_rows(text, PRICE_COLUMNS, MarketPriceCreate)
        known = await products.product_ids_by_sku(tx, [p.sku for _, p in price_rows])
        errors += [
            RowError(line, "sku", f"no product with sku {p.sku}")
            for line, p in price_rows
            if p.sku not in known
        ]
        if errors:
            raise _fail(kind, errors)
        await market_prices.upsert_market_prices(tx, [p for _, p in price_rows])
        return ImportReport(kind=kind, rows=len(price_rows), updated=len(price_rows))
    raise InvalidInput(f"unknown import kind {kind!r}; one of {', '.join(KINDS)}")


def _check_unique(
    rows: Iterable[tuple[int, S]], key: Callable[[S], object], column: str, errors: list[RowError]
) -> None:
    seen: dict[object, int] = {}
    for line, row in rows:
        k = key(row)
        if k in seen:
            errors.append(RowError(line, column, f"same as line {seen[k]}"))
        seen.setdefault(k, line)


async def _import_warungs(
    tx: Tx, satker_id: int, rows: list[tuple[int, WarungCreate]], now: datetime
) -> ImportReport:
    session = await tx.session()
    if await session.get(Satker, satker_id) is None:
        raise NotFound(f"satker {satker_id} not found")
    existing = {
        w.name: w
        for w in await session.scalars(select(Warung).where(Warung.satker_id == satker_id))
    }
    report = ImportReport(kind="warungs", rows=len(rows))
    for line, data in rows:
        row = existing.get(data.name)
        try:
            if row is None:
                await registry.create_warung(tx, satker_id, data)
                report.created += 1
            elif any(
                getattr(data, f) not in (None, getattr(row, f))
                for f in ("owner_name", "phone", "address", "kota")
            ):
                change = WarungUpdate(
                    owner_name=data.owner_name, phone=data.phone, address=data.address
                )
                await registry.update_warung_row(tx, row, change, now)
                report.updated += 1
            else:
                report.unchanged += 1
        except KulakanError as exc:
            raise _fail("warungs", _from_kulakan(line, exc)) from exc
    return report


async def _import_suppliers(
    tx: Tx, rows: list[tuple[int, SupplierCreate]], adapters: AdapterRegistry, now: datetime
) -> ImportReport:
    session = await tx.session()
    existing = {
        s.name: s
        for s in await session.scalars(
            select(Supplier).where(Supplier.name.in_([d.name for _, d in rows]))
        )
    }
    report = ImportReport(kind="suppliers", rows=len(rows))
    for line, data in rows:
        row = existing.get(data.name)
        try:
            if row is None:
                await suppliers.create_supplier(tx, data, adapters, strict=False)
                report.created += 1
                continue
            wanted = msgspec.structs.asdict(data)
            wanted.pop("name")
            if wanted.pop("adapter_key") != row.adapter_key:
                raise InvalidInput(
                    "a supplier's adapter cannot change on import",
                    errors=[_pointer("adapter_key", "differs from the saved supplier")],
                )
            if all(getattr(row, k) == v for k, v in wanted.items()):
                report.unchanged += 1
                continue
            await suppliers.update_supplier(
                tx, row.id, SupplierUpdate(**wanted), adapters, None, now, strict=False
            )
            report.updated += 1
        except KulakanError as exc:
            raise _fail("suppliers", _from_kulakan(line, exc)) from exc
    return report


def _pointer(column: str, detail: str) -> FieldError:
    return FieldError(f"/{column}", detail)


async def import_market_prices(
    tx: Tx, data: bytes, *, now: datetime, adapters: AdapterRegistry
) -> ImportReport:
    """An uploaded market-price file (sku,kota,price_date,price_idr[,source]), for the API and
    the console: every row checked first, nothing written on any error."""
    return await import_csv(
        tx, "market-prices", decode_csv(data, "market-prices"), now=now, adapters=adapters
    )
