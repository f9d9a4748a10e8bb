"""Demo data: Satker Kalidoni (Palembang) with 20 warungs, ~40 products with 2025 prices,
market references and four suppliers (the fourth an ERP speaking UBL 2.1). Seeding twice
changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select

from contracts.adapter import AdapterContext, Capability
from contracts.api.catalogue import MarketPriceCreate, PriceSource
from contracts.api.registry import ApiKeyCreate, KeyRole, SatkerCreate
from contracts.capabilities import PriceBoards
from services.app import market_prices, registry
from services.app.api_keys import create_api_key
from services.app.csv_import import ImportReport, import_csv
from services.app.field_suppliers import store_board
from services.db.models import ApiKey, Satker, Supplier, Warung
from services.db.tx import Tx
from services.registry import AdapterRegistry

DEMO_SATKER = SatkerCreate(
    name="Satker Kalidoni",
    kecamatan="Kalidoni",
    kota="Kota Palembang",
    province="Sumatera Selatan",
    timezone="Asia/Jakarta",
    second_approval_threshold_idr=25_000_000,
)
DEMO_KEY_LABEL = "demo"


class DemoKeys(msgspec.Struct, kw_only=True):
    admin: str
    coordinator: str
    warung: str
    warung_id: int
    supplier: str
    supplier_id: int
    satker_id: int


class SeedReport(msgspec.Struct, kw_only=True):
    satker_id: int
    imports: list[ImportReport]
    market_prices: int
    keys: DemoKeys | None  # only on the first seed


def demo_file(name: str) -> str:
    return resources.files("services.demo_data").joinpath(name).read_text(encoding="utf-8")


async def seed_demo(tx: Tx, *, now: datetime, adapters: AdapterRegistry) -> SeedReport:
    session = await tx.session()
    satker = await session.scalar(select(Satker).where(Satker.name == DEMO_SATKER.name))
    satker_id = satker.id if satker else (await registry.create_satker(tx, DEMO_SATKER)).id
    imports = [
        await import_csv(tx, "products", demo_file("products.csv"), now=now, adapters=adapters),
        await import_csv(
            tx, "warungs", demo_file("warungs.csv"), now=now, adapters=adapters, satker_id=satker_id
        ),
        await import_csv(tx, "suppliers", demo_file("suppliers.csv"), now=now, adapters=adapters),
    ]
    today = now.astimezone(ZoneInfo(DEMO_SATKER.timezone)).date()
    await _demo_board(tx, adapters, today, now)
    prices = [
        MarketPriceCreate(
            sku=row["sku"],
            kota=DEMO_SATKER.kota,
            price_date=today,
            price_idr=int(row["price_idr"]),
            source=PriceSource.SP2KP if row["source"] == "report" else PriceSource.MANUAL,
        )
        for row in csv.DictReader(demo_file("market_reference.csv").splitlines())
    ]
    await market_prices.upsert_market_prices(tx, prices)
    keys = None
    has_keys = await session.scalar(
        select(ApiKey.id).where(ApiKey.label.like(f"{DEMO_KEY_LABEL}%"))
    )
    if has_keys is None:
        keys = await _demo_keys(tx, satker_id)
    return SeedReport(satker_id=satker_id, imports=imports, market_prices=len(prices), keys=keys)


async def _demo_board(tx: Tx, adapters: AdapterRegistry, today: date, now: datetime) -> None:
    """Today's Jakabaring board (the sample board's prices, dated today so it quotes)."""
    raw = await tx.raw()
    market = await raw.fetchrow(
        "SELECT id, name, adapter_config FROM supplier WHERE adapter_key = 'wholesale_market'"
        " ORDER BY id LIMIT 1"
    )
    if market is None:
        return
    rows = list(csv.DictReader(demo_file("jakabaring_board.csv").splitlines()))
    sheet = io.StringIO()
    writer = csv.DictWriter(sheet, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows({**row, "date": today.isoformat()} for row in rows)
    adapter = adapters.get("wholesale_market").create(
        market["adapter_config"],
        AdapterContext(supplier_id=market["id"], supplier_name=market["name"]),
    )
    boards = adapters.offered(adapter, Capability.PRICE_BOARD, PriceBoards)
    if boards is None:
        raise RuntimeError("the wholesale_market adapter offers no price board")
    entries = boards.parse_board(sheet.getvalue().encode(), "text/csv")
    await store_board(raw, market["id"], entries, now, posted_by="demo")


async def _demo_keys(tx: Tx, satker_id: int) -> DemoKeys:
    session = await tx.session()
    warung_id = await session.scalar(
        select(Warung.id).where(Warung.satker_id == satker_id).order_by(Warung.id).limit(1)
    )
    supplier_id = await session.scalar(
        select(Supplier.id).where(Supplier.adapter_key == "marketplace").order_by(Supplier.id)
    )
    if warung_id is None or supplier_id is None:
        raise RuntimeError("the demo needs a warung and a marketplace supplier; import them first")

    async def key(role: KeyRole, **scope: int | None) -> str:
        data = ApiKeyCreate(role=role, label=f"{DEMO_KEY_LABEL} {role}", **scope)
        return (await create_api_key(tx, data)).key

    return DemoKeys(
        admin=await key(KeyRole.ADMIN),
        coordinator=await key(KeyRole.COORDINATOR, satker_id=satker_id),
        warung=await key(KeyRole.WARUNG, satker_id=satker_id, warung_id=warung_id),
        warung_id=warung_id,
        supplier=await key(KeyRole.SUPPLIER, supplier_id=supplier_id),
        supplier_id=supplier_id,
        satker_id=satker_id,
    )
