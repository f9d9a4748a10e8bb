"""A satker ready for the review pages: an open cycle with restock requests from five warungs
and two WhatsApp traders whose price lists answer quotes with no network (for browser tests
and screenshots). Telur has no market price and minyak costs more than its HET, so two lines
come out flagged; every other line has room below the market."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from contracts.api.catalogue import SupplierCreate
from services.app.suppliers import create_supplier
from services.db.tx import Tx
from tests.support import new_satker, new_warung
from tests.support_console import new_user, open_cycle

# sku: (name, category, unit, market price or None, HET or None)
PRODUCTS = {
    "BRS-MED": ("Beras medium", "sembako", "kg", 16_500, None),
    "MNYK-1L": ("Minyak goreng 1 L", "sembako", "liter", 19_000, 15_000),
    "GULA": ("Gula pasir", "sembako", "kg", 21_000, None),
    "TELUR": ("Telur ayam ras", "protein", "kg", None, None),
    "CBI-MRH": ("Cabai merah keriting", "fresh", "kg", 70_000, None),
    "BWG-MRH": ("Bawang merah", "fresh", "kg", 42_000, None),
    "LELE": ("Ikan lele", "protein", "kg", 28_000, None),
}
# per warung: sku -> quantity
REQUESTS = [
    {"BRS-MED": 25, "MNYK-1L": 12, "GULA": 10, "TELUR": 5, "CBI-MRH": 2},
    {"BRS-MED": 50, "GULA": 20, "BWG-MRH": 3, "LELE": 4},
    {"BRS-MED": 25, "MNYK-1L": 24, "TELUR": 10, "CBI-MRH": "1.5"},
    {"GULA": 10, "TELUR": 5, "BWG-MRH": 2, "LELE": 6},
    {"BRS-MED": 25, "MNYK-1L": 12, "CBI-MRH": 3, "BWG-MRH": "2.5"},
]


def trader(name: str, phone: str, fee: int, prices: list[tuple]) -> SupplierCreate:
    return SupplierCreate(
        name=name,
        adapter_key="whatsapp_trader",
        regions=["Kota Palembang"],
        adapter_config={
            "phone": phone,
            "trader_name": name,
            "buyer_name": "Satker Kalidoni",
            "delivery_fee_idr": fee,
            "ordering_window": {"open": "00:00", "close": "23:59"},
            "price_list": [
                {
                    "sku": s,
                    "pack_name": p,
                    "units_per_pack": u,
                    "price_per_pack_idr": c,
                    "moq_packs": m,
                }
                for s, p, u, c, m in prices
            ],
        },
    )


SUPPLIERS = [
    trader(
        "Grosir Sumber Rejeki",
        "081370001111",
        50_000,
        [
            ("BRS-MED", "karung 25 kg", 25, 300_000, 1),
            ("MNYK-1L", "dus 12 × 1 L", 12, 186_000, 1),
            ("GULA", "karung 10 kg", 10, 160_000, 1),
            ("TELUR", "peti 15 kg", 15, 375_000, 1),
            ("CBI-MRH", "kg", 1, 55_000, 1),
        ],
    ),
    trader(
        "Kelompok Tani Kalidoni",
        "081373112233",
        25_000,
        [
            ("BRS-MED", "kg", 1, 12_600, 10),
            ("CBI-MRH", "kg", 1, 52_000, 1),
            ("BWG-MRH", "kg", 1, 31_500, 1),
            ("LELE", "kg", 1, 21_000, 1),
            ("TELUR", "kg", 1, 26_500, 5),
        ],
    ),
]
COORDINATORS = [("0812-7000-2001", "Ibu Rahma"), ("0812-7000-2002", "Pak Darto")]


async def review_satker(engine, adapters, *, threshold: int = 1_000_000) -> tuple[int, int]:
    """(satker id, open cycle id)."""
    satker = await new_satker(
        engine, name="Satker Kalidoni", second_approval_threshold_idr=threshold
    )
    cycle, _ = await open_cycle(
        engine, satker, name="Sembako & lauk pekan ini", hours_left=4, now=datetime.now(UTC)
    )
    async with Tx(engine) as tx:
        for create in SUPPLIERS:
            await create_supplier(tx, create, adapters)
        raw = await tx.raw()
        ids = {}
        for sku, (name, category, unit, market, het) in PRODUCTS.items():
            ids[sku] = await raw.fetchval(
                "INSERT INTO product (sku, name, category, retail_unit, fractional)"
                " VALUES ($1, $2, $3, $4, true) ON CONFLICT (sku) DO UPDATE SET name = $2"
                " RETURNING id",
                sku,
                name,
                category,
                unit,
            )
            if market is not None:
                await raw.execute(
                    "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
                    " VALUES ($1, 'Kota Palembang', current_date - 1, $2, 'SP2KP')",
                    ids[sku],
                    market,
                )
            if het is not None:
                await raw.execute(
                    "INSERT INTO price_ceiling (product_id, kind, region, price_idr)"
                    " VALUES ($1, 'HET', 'national', $2)",
                    ids[sku],
                    het,
                )
    for n, lines in enumerate(REQUESTS, start=1):
        warung = await new_warung(engine, satker, name=f"Warung {n}", phone=f"0812-3456-80{n:02d}")
        async with Tx(engine) as tx:
            raw = await tx.raw()
            request = await raw.fetchval(
                "INSERT INTO restock_request (satker_id, warung_id, cycle_id, status)"
                " VALUES ($1, $2, $3, 'submitted') RETURNING id",
                satker,
                warung,
                cycle,
            )
            for line_no, (sku, quantity) in enumerate(lines.items(), start=1):
                await raw.execute(
                    "INSERT INTO restock_line (satker_id, request_id, line_no, product_id,"
                    " quantity, for_preorder) VALUES ($1, $2, $3, $4, $5, $6)",
                    satker,
                    request,
                    line_no,
                    ids[sku],
                    Decimal(str(quantity)),
                    line_no == 1 and n == 1,
                )
    for phone, name in COORDINATORS:
        await new_user(engine, satker, phone, name=name)
    return satker, cycle
