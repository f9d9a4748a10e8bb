"""Products (with packs and ceilings), suppliers and market reference prices.

Reference data shared by every satker; written by admins, read by everyone. Upserts by
natural key (sku, supplier name, product+kota+date+source) serve both the API and CSV import.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.api.catalogue import (
    Ceiling,
    CeilingOut,
    MarketPriceCreate,
    MarketPriceOut,
    Pack,
    PackOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    SupplierCreate,
    SupplierCreated,
    SupplierOut,
    SupplierUpdate,
)
from contracts.errors import FieldError, InvalidInput, NotFound
from contracts.quantity import QuantityError, check_quantity
from services.db.models import MarketPrice, PriceCeiling, Product, ProductPack, Supplier
from services.db.tx import Tx
from services.domain.versioning import check_if_match
from services.registry import AdapterRegistry


def margin_problems(target: Decimal | None, minimum: Decimal | None) -> list[FieldError]:
    """A target and a minimum margin are fractions in [0, 1), the minimum not above the target."""
    errors: list[FieldError] = []
    for name, value in (("target_margin", target), ("min_margin", minimum)):
        if value is not None and not Decimal(0) <= value < Decimal(1):
            errors.append(FieldError(f"/{name}", "must be a fraction from 0 up to 1"))
    if target is not None and minimum is not None and minimum > target:
        errors.append(FieldError("/min_margin", "must not exceed target_margin"))
    return errors


def product_problems(data: ProductCreate | ProductUpdate) -> list[FieldError]:
    errors = margin_problems(data.target_margin, data.min_margin)
    seen: set[str] = set()
    for i, pack in enumerate(data.packs or []):
        try:
            check_quantity(pack.units_per_pack, fractional=True)
        except QuantityError as exc:
            errors.append(FieldError(f"/packs/{i}/units_per_pack", str(exc)))
        if pack.pack_name in seen:
            errors.append(FieldError(f"/packs/{i}/pack_name", "listed twice"))
        seen.add(pack.pack_name)
    keys: set[tuple[str, str]] = set()
    for i, ceiling in enumerate(data.ceilings or []):
        if (ceiling.region, ceiling.kind) in keys:
            errors.append(FieldError(f"/ceilings/{i}/region", "listed twice for this kind"))
        keys.add((ceiling.region, ceiling.kind))
    return errors


async def _product_out(session: AsyncSession, rows: Sequence[Product]) -> list[ProductOut]:
    ids = [r.id for r in rows]
    packs: dict[int, list[PackOut]] = {i: [] for i in ids}
    ceilings: dict[int, list[CeilingOut]] = {i: [] for i in ids}
    if ids:
        for p in await session.scalars(
            select(ProductPack).where(ProductPack.product_id.in_(ids)).order_by(ProductPack.id)
        ):
            packs[p.product_id].append(
                PackOut(pack_name=p.pack_name, units_per_pack=p.units_per_pack)
            )
        for c in await session.scalars(
            select(PriceCeiling).where(PriceCeiling.product_id.in_(ids)).order_by(PriceCeiling.id)
        ):
            ceilings[c.product_id].append(
                CeilingOut(
                    region=c.region, kind=c.kind, price_idr=c.price_idr, regulation=c.regulation
                )
            )
    return [
        ProductOut(
            id=r.id,
            sku=r.sku,
            name=r.name,
            category=r.category,
            retail_unit=r.retail_unit,
            fractional=r.fractional,
            vat=r.vat,
            active=r.active,
            target_margin=r.target_margin,
            min_margin=r.min_margin,
            packs=packs[r.id],
            ceilings=ceilings[r.id],
            version=r.version,
        )
        for r in rows
    ]


async def _replace_children(
    session: AsyncSession, product_id: int, packs: list[Pack] | None, ceilings: list[Ceiling] | None
) -> None:
    if packs is not None:
        await session.execute(delete(ProductPack).where(ProductPack.product_id == product_id))
        session.add_all(
            ProductPack(
                product_id=product_id, pack_name=p.pack_name, units_per_pack=p.units_per_pack
            )
            for p in packs
        )
    if ceilings is not None:
        await session.execute(delete(PriceCeiling).where(PriceCeiling.product_id == product_id))
        session.add_all(
            PriceCeiling(product_id=product_id, **msgspec.structs.asdict(c)) for c in ceilings
        )


async def create_product(tx: Tx, data: ProductCreate) -> ProductOut:
    errors = product_problems(data)
    if errors:
        raise InvalidInput("the product is not valid", errors=errors)
    session = await tx.session()
    values = msgspec.structs.asdict(data)
    packs, ceilings = values.pop("packs"), values.pop("ceilings")
    row = Product(**values)
    session.add(row)
    await session.flush()
    await _replace_children(session, row.id, packs, ceilings)
    await session.flush()
    await session.refresh(row)
    return (await _product_out(session, [row]))[0]


async def upsert_product(tx: Tx, data: ProductCreate, now: datetime) -> tuple[ProductOut, str]:
    """Create the product, or bring an existing one with that SKU up to ``data``.
    Returns (product, "created" | "updated" | "unchanged")."""
    session = await tx.session()
    row = await session.scalar(select(Product).where(Product.sku == data.sku).with_for_update())
    if row is None:
        return await create_product(tx, data), "created"
    current = (await _product_out(session, [row]))[0]
    wanted = msgspec.structs.asdict(data)
    have = msgspec.to_builtins(current)
    if all(
        msgspec.to_builtins(wanted[k]) == have[k] for k in wanted if k not in ("packs", "ceilings")
    ) and _same_children(current, data):
        return current, "unchanged"
    update = ProductUpdate(**{k: v for k, v in wanted.items() if k != "sku"})
    return await update_product(tx, row.id, update, None, now), "updated"


def _same_children(current: ProductOut, data: ProductCreate) -> bool:
    have_packs = {(p.pack_name, p.units_per_pack) for p in current.packs}
    want_packs = {(p.pack_name, p.units_per_pack) for p in data.packs}
    have_c = {(c.region, c.kind, c.price_idr, c.regulation) for c in current.ceilings}
    want_c = {(c.region, c.kind, c.price_idr, c.regulation) for c in data.ceilings}
    return have_packs == want_packs and have_c == want_c


async def update_product(
    tx: Tx, product_id: int, data: ProductUpdate, if_match: str | None, now: datetime
) -> ProductOut:
    errors = product_problems(data)
    if errors:
        raise InvalidInput("the product is not valid", errors=errors)
    session = await tx.session()
    row = await session.get(Product, product_id, with_for_update=True)
    if row is None:
        raise NotFound(f"product {product_id} not found")
    check_if_match(if_match, row.version)
    for name in ("name", "category", "retail_unit", "fractional", "vat", "active"):
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)
    for name in ("target_margin", "min_margin"):
        if name in data.__struct_fields__ and getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    await _replace_children(session, row.id, data.packs, data.ceilings)
    row.version += 1
    row.updated_at = now
    await session.flush()
    return (await _product_out(session, [row]))[0]


async def get_product(tx: Tx, product_id: int) -> ProductOut:
    session = await tx.session()
    row = await session.get(Product, product_id)
    if row is None:
        raise NotFound(f"product {product_id} not found")
    return (await _product_out(session, [row]))[0]


async def list_products(
    tx: Tx,
    *,
    limit: int,
    after_id: int | None,
    category: str | None = None,
    active: bool | None = None,
) -> list[ProductOut]:
    session = await tx.session()
    stmt = select(Product).order_by(Product.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Product.id > after_id)
    if category is not None:
        stmt = stmt.where(Product.category == category)
    if active is not None:
        stmt = stmt.where(Product.active == active)
    return await _product_out(session, (await session.scalars(stmt)).all())


SECRET_WORDS = ("secret", "password", "token", "api_key", "apikey", "credential")


def masked_config(config: dict) -> dict:
    """Adapter credentials are write-only: reads show that they are set, not what they are."""
    return {
        key: ("***" if any(word in key.lower() for word in SECRET_WORDS) and value else value)
        for key, value in config.items()
    }


def _supplier_out(row: Supplier) -> SupplierOut:
    out = msgspec.convert(row, SupplierOut, from_attributes=True)
    return msgspec.structs.replace(out, adapter_config=masked_config(out.adapter_config))


def _supplier_problems(data: SupplierCreate | SupplierUpdate) -> list[FieldError]:
    errors = []
    if data.payment_terms == "tempo" and not data.tempo_days:
        errors.append(FieldError("/tempo_days", "tempo terms need a number of days"))
    if data.payment_terms not in (None, "tempo") and data.tempo_days:
        errors.append(FieldError("/tempo_days", "only tempo terms have days"))
    return errors


def _validate_adapter(adapters: AdapterRegistry, key: str, config: dict, *, strict: bool) -> None:
    """Refuse an unknown adapter key. The factory checks its config when it is installed;
    ``strict=False`` (demo seed, imports) accepts a known key whose package is not installed."""
    if key not in adapters.keys:
        adapters.get(key)  # raises InvalidInput naming the known keys
    if strict or adapters.available(key):
        try:
            adapters.validate(key, config)
        except InvalidInput as exc:
            raise InvalidInput(
                exc.detail, errors=exc.errors or [FieldError("/adapter_config", exc.detail)]
            ) from exc


async def create_supplier(
    tx: Tx, data: SupplierCreate, adapters: AdapterRegistry, *, strict: bool = True
) -> SupplierCreated:
    errors = _supplier_problems(data)
    if errors:
        raise InvalidInput("the supplier is not valid", errors=errors)
    _validate_adapter(adapters, data.adapter_key, data.adapter_config, strict=strict)
    session = await tx.session()
    row = Supplier(**msgspec.structs.asdict(data), webhook_secret=secrets.token_urlsafe(32))
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return SupplierCreated(
        **msgspec.structs.asdict(_supplier_out(row)), webhook_secret=row.webhook_secret
    )


async def update_supplier(
    tx: Tx,
    supplier_id: int,
    data: SupplierUpdate,
    adapters: AdapterRegistry,
    if_match: str | None,
    now: datetime,
    *,
    strict: bool = True,
) -> SupplierOut:
    session = await tx.session()
    row = await session.get(Supplier, supplier_id, with_for_update=True)
    if row is None:
        raise NotFound(f"supplier {supplier_id} not found")
    check_if_match(if_match, row.version)
    merged = msgspec.structs.replace(
        data,
        payment_terms=data.payment_terms or row.payment_terms,
        tempo_days=row.tempo_days if data.tempo_days is None else data.tempo_days,
    )
    errors = _supplier_problems(merged)
    if errors:
        raise InvalidInput("the supplier is not valid", errors=errors)
    if data.adapter_config is not None:
        _validate_adapter(adapters, row.adapter_key, data.adapter_config, strict=strict)
    for name in data.__struct_fields__:
        value = getattr(merged, name)
        if value is not None:
            setattr(row, name, value)
    row.version += 1
    row.updated_at = now
    await session.flush()
    return _supplier_out(row)


async def get_supplier(tx: Tx, supplier_id: int) -> SupplierOut:
    row = await (await tx.session()).get(Supplier, supplier_id)
    if row is None:
        raise NotFound(f"supplier {supplier_id} not found")
    return _supplier_out(row)


async def list_suppliers(
    tx: Tx, *, limit: int, after_id: int | None, region: str | None = None
) -> list[SupplierOut]:
    session = await tx.session()
    stmt = select(Supplier).order_by(Supplier.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Supplier.id > after_id)
    if region is not None:
        stmt = stmt.where(Supplier.regions.any(region))
    return [_supplier_out(r) for r in (await session.scalars(stmt)).all()]


async def product_ids_by_sku(tx: Tx, skus: Sequence[str]) -> dict[str, int]:
    session = await tx.session()
    rows = await session.execute(select(Product.sku, Product.id).where(Product.sku.in_(set(skus))))
    return dict(rows.tuples().all())


async def upsert_market_prices(tx: Tx, prices: Sequence[MarketPriceCreate]) -> list[MarketPriceOut]:
    """Record prices; the same product, kota, date and source is updated, not duplicated."""
    ids = await product_ids_by_sku(tx, [p.sku for p in prices])
    errors = [
        FieldError(f"/{i}/sku" if len(prices) > 1 else "/sku", f"no product with sku {p.sku}")
        for i, p in enumerate(prices)
        if p.sku not in ids
    ]
    if errors:
        raise InvalidInput("unknown product", errors=errors)
    if not prices:
        return []
    session = await tx.session()
    stmt = insert(MarketPrice).values(
        [
            {
                "product_id": ids[p.sku],
                "kota": p.kota,
                "price_date": p.price_date,
                "price_idr": p.price_idr,
                "source": str(p.source),
            }
            for p in prices
        ]
    )
    stmt = stmt.on_conflict_do_update(
        constraint="uq_market_price_product_id_kota_price_date_source",
        set_={"price_idr": stmt.excluded.price_idr},
    ).returning(MarketPrice)
    rows = (await session.scalars(stmt, execution_options={"populate_existing": True})).all()
    sku_of = {v: k for k, v in ids.items()}
    return [_price_out(r, sku_of[r.product_id]) for r in rows]


def _price_out(row: MarketPrice, sku: str) -> MarketPriceOut:
    return MarketPriceOut(
        id=row.id,
        product_id=row.product_id,
        sku=sku,
        kota=row.kota,
        price_date=row.price_date,
        price_idr=row.price_idr,
        source=row.source,
        created_at=row.created_at,
    )


async def list_market_prices(
    tx: Tx,
    *,
    limit: int,
    after_id: int | None,
    sku: str | None = None,
    kota: str | None = None,
) -> list[MarketPriceOut]:
    session = await tx.session()
    stmt = (
        select(MarketPrice, Product.sku)
        .join(Product, Product.id == MarketPrice.product_id)
        .order_by(MarketPrice.id)
        .limit(limit + 1)
    )
    if after_id is not None:
        stmt = stmt.where(MarketPrice.id > after_id)
    if sku is not None:
        stmt = stmt.where(Product.sku == sku)
    if kota is not None:
        stmt = stmt.where(MarketPrice.kota == kota)
    return [_price_out(row, s) for row, s in (await session.execute(stmt)).tuples().all()]


async def latest_market_prices(
    tx: Tx, kota: str, product_ids: Sequence[int], as_of: date
) -> dict[int, int]:
    """The most recent reference price per product in ``kota`` on or before ``as_of``
    (the lowest source's price where several report that day)."""
    session = await tx.session()
    latest = (
        select(MarketPrice.product_id, func.max(MarketPrice.price_date).label("d"))
        .where(
            MarketPrice.kota == kota,
            MarketPrice.product_id.in_(list(product_ids)),
            MarketPrice.price_date <= as_of,
        )
        .group_by(MarketPrice.product_id)
        .subquery()
    )
    stmt = (
        select(MarketPrice.product_id, func.min(MarketPrice.price_idr))
        .join(
            latest,
            (latest.c.product_id == MarketPrice.product_id)
            & (latest.c.d == MarketPrice.price_date),
        )
        .where(MarketPrice.kota == kota)
        .group_by(MarketPrice.product_id)
    )
    return dict((await session.execute(stmt)).tuples().all())
