"""CSV import of products, warungs, suppliers and market prices.

Every row is checked before anything is written; an error is reported as "line N, column C:
message" and a file with any error imports nothing. Rows are upserts by natural key, so
importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

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
from services.app.csv_rows import (
    Columns,
    RowError,
    S,
    decimal_cell,
    decode_csv,
    import_failed,
    int_cell,
    optional,
    parse_rows,
    row_errors_of,
    yes_no,
)
from services.db.models import Satker, Supplier, Warung
from services.db.tx import Tx
from services.registry import AdapterRegistry

KINDS = ("products", "warungs", "suppliers", "market-prices")


class ImportReport(msgspec.Struct, kw_only=True):
    kind: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0


PRODUCT_COLUMNS: Columns = {
    "sku": (True, str.strip),
    "name": (True, str.strip),
    "category": (True, str.strip),
    "retail_unit": (True, str.strip),
    "fractional": (False, yes_no),
    "vat": (False, yes_no),
    "active": (False, yes_no),
    "pack_name": (False, str.strip),
    "units_per_pack": (False, optional(decimal_cell)),
    "het_idr": (False, optional(int_cell)),
    "het_region": (False, str.strip),
    "target_margin": (False, optional(decimal_cell)),
    "min_margin": (False, optional(decimal_cell)),
}
WARUNG_COLUMNS: Columns = {
    "name": (True, str.strip),
    "owner_name": (True, str.strip),
    "phone": (True, str.strip),
    "address": (True, str.strip),
    "kota": (False, optional(str.strip)),
}
SUPPLIER_COLUMNS: Columns = {
    "name": (True, str.strip),
    "adapter_key": (True, str.strip),
    "regions": (False, lambda v: [r.strip() for r in v.split(";") if r.strip()]),
    "delivery_fee_idr": (False, optional(int_cell)),
    "min_order_value_idr": (False, optional(int_cell)),
    "payment_terms": (False, optional(str.strip)),
    "tempo_days": (False, optional(int_cell)),
    "contact_phone": (False, str.strip),
    "adapter_config": (False, optional(json.loads)),
}
PRICE_COLUMNS: Columns = {
    "sku": (True, str.strip),
    "kota": (True, str.strip),
    "price_date": (True, str.strip),
    "price_idr": (True, int_cell),
    "source": (False, optional(str.strip)),
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
            raise import_failed(kind, errors)
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
            raise import_failed(kind, errors)
        return await _import_warungs(tx, satker_id, warung_rows, now)
    if kind == "suppliers":
        supplier_rows, errors = parse_rows(text, SUPPLIER_COLUMNS, SupplierCreate)
        _check_unique(supplier_rows, lambda s: s.name, "name", errors)
        if errors:
            raise import_failed(kind, errors)
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
            raise import_failed(kind, errors)
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
            raise import_failed("warungs", row_errors_of(line, exc)) from exc
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
            raise import_failed("suppliers", row_errors_of(line, exc)) from exc
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
