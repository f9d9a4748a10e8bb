"""The catalogue both consolidation scripts seed: numbered products, a market price for about
nine in ten of them, and the benchmark suppliers (served by ``rush_app.py``)."""

from __future__ import annotations

import random
from datetime import date

import asyncpg


async def insert_catalogue(
    conn: asyncpg.Connection, rnd: random.Random, today: date, products: int, suppliers: int
) -> list[int]:
    """The new products' ids."""
    ids = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO product (sku, name, category, retail_unit, fractional)"
            " SELECT 'P' || lpad(g::text, 3, '0'), 'Produk nomor ' || g, 'sembako', 'pcs', false"
            " FROM generate_series(1, $1) g RETURNING id",
            products,
        )
    ]
    await conn.executemany(
        "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
        " VALUES ($1, 'Kota Palembang', $2, $3, 'SP2KP')",
        [(p, today, rnd.randint(3_000, 60_000)) for p in ids if rnd.random() < 0.9],
    )
    await conn.executemany(
        "INSERT INTO supplier (name, adapter_key, adapter_config, regions, webhook_secret)"
        " VALUES ($1, 'bench', $2, '{Kota Palembang}', 's')",
        [(f"Pemasok {i}", f'{{"index": {i}}}') for i in range(1, suppliers + 1)],
    )
    return ids
