"""Market reference prices per product, kota and day, from each source.

Upserted by natural key (product, kota, date, source) for both the API and CSV import.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from contracts.api.catalogue import MarketPriceCreate, MarketPriceOut, PriceSource
from contracts.errors import FieldError, InvalidInput
from services.app.products import product_ids_by_sku
from services.db.models import MarketPrice, Product
from services.db.tx import Tx


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
    insert_prices = insert(MarketPrice).values(
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
    stmt = insert_prices.on_conflict_do_update(
        constraint="uq_market_price_product_id_kota_price_date_source",
        set_={"price_idr": insert_prices.excluded.price_idr},
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
        source=PriceSource(row.source),
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
