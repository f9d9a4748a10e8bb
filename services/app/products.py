"""Products: the shared catalogue with packs, margins and price ceilings (HET/HAP).

Reference data shared by every satker; written by admins, read by everyone. ``upsert_product``
(by SKU) serves both the API and CSV import.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.api.catalogue import (
    Category,
    Ceiling,
    CeilingKind,
    CeilingOut,
    Pack,
    PackOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
)
from contracts.errors import FieldError, InvalidInput, NotFound
from contracts.quantity import QuantityError, check_quantity
from services.db.models import PriceCeiling, Product, ProductPack
from services.db.tx import Tx
from services.domain.versioning import check_if_match


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
                    region=c.region,
                    kind=CeilingKind(c.kind),
                    price_idr=c.price_idr,
                    regulation=c.regulation,
                )
            )
    return [
        ProductOut(
            id=r.id,
            sku=r.sku,
            name=r.name,
            category=Category(r.category),
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


async def product_ids_by_sku(tx: Tx, skus: Sequence[str]) -> dict[str, int]:
    session = await tx.session()
    rows = await session.execute(select(Product.sku, Product.id).where(Product.sku.in_(set(skus))))
    return dict(rows.tuples().all())
