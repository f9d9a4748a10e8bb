"""Who plays in the demo, set up in the database before any process starts: the seeded
satker with the marketplace and the UBL supplier pointed at their simulators, a one-off open
cycle taking every category, fresh API keys for two coordinators, the warungs and the field
suppliers, and the products some supplier quotes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from babel.dates import format_date

from contracts.api.registry import ApiKeyCreate, KeyRole
from services.app.api_keys import create_api_key
from services.bootstrap import bootstrap
from services.db.tx import Tx
from services.demo.seed import DEMO_SATKER, seed_demo
from services.registry import AdapterRegistry
from services.settings import Settings


class Cast(msgspec.Struct, kw_only=True):
    """Who plays in the demo: ids and fresh API keys."""

    satker_id: int
    cycle_id: int
    warungs: list[int]
    coordinators: list[str]
    warung_keys: dict[int, str]
    marketplace: int
    market: int
    trader: int
    market_key: str
    trader_key: str
    webhook_secret: str
    ubl: int  # the supplier whose system speaks UBL 2.1
    ubl_secret: str
    skus: dict[str, tuple[int, str]]  # quotable sku -> (product id, retail unit)


async def prepare(
    settings: Settings, simulator_base: str, now: datetime, ubl_base: str = ""
) -> Cast:
    container = bootstrap(settings)
    try:
        async with Tx(container.engine) as tx:
            report = await seed_demo(tx, now=now, adapters=container.adapters)
        async with Tx(container.engine) as tx:
            raw = await tx.raw()
            satker_id = report.satker_id
            suppliers = {
                r["adapter_key"]: r
                for r in await raw.fetch(
                    "SELECT id, adapter_key, adapter_config, webhook_secret FROM supplier"
                    " WHERE active ORDER BY id"
                )
            }
            marketplace = suppliers["marketplace"]
            await raw.execute(
                "UPDATE supplier SET adapter_config = adapter_config || $2::jsonb WHERE id = $1",
                marketplace["id"],
                msgspec.json.encode({"base_url": simulator_base}).decode(),
            )
            ubl = suppliers["ubl"]
            if ubl_base:
                await raw.execute(
                    "UPDATE supplier SET adapter_config = adapter_config || $2::jsonb"
                    " WHERE id = $1",
                    ubl["id"],
                    msgspec.json.encode({"base_url": ubl_base}).decode(),
                )
            warungs = [
                r["id"]
                for r in await raw.fetch(
                    "SELECT id FROM warung WHERE satker_id = $1 AND active ORDER BY id", satker_id
                )
            ]
            local = now.astimezone(ZoneInfo(DEMO_SATKER.timezone))
            cycle_id = await raw.fetchval(
                """
                INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,
                    delivery_date, status)
                VALUES ($1, $2, $3, $4, $5, $6, 'open') RETURNING id
                """,
                satker_id,
                f"Demo {format_date(local.date(), 'd MMM', locale='id_ID')} {local:%H:%M}",
                ["sembako", "fresh", "protein", "household"],
                now - timedelta(minutes=1),
                now + timedelta(hours=2),
                local.date() + timedelta(days=1),
            )
            quotable = await _quotable_skus(raw, suppliers)
            skus = {
                r["sku"]: (r["id"], r["retail_unit"])
                for r in await raw.fetch(
                    "SELECT id, sku, retail_unit FROM product"
                    " WHERE active AND sku = ANY($1::varchar[]) ORDER BY sku",
                    sorted(quotable),
                )
            }

            async def key(role: KeyRole, **scope: int) -> str:
                data = ApiKeyCreate(role=role, label=f"demo run {local:%Y-%m-%d %H:%M}", **scope)
                return (await create_api_key(tx, data)).key

            return Cast(
                satker_id=satker_id,
                cycle_id=cycle_id,
                warungs=warungs,
                coordinators=[
                    await key(KeyRole.COORDINATOR, satker_id=satker_id) for _ in range(2)
                ],
                warung_keys={
                    w: await key(KeyRole.WARUNG, satker_id=satker_id, warung_id=w) for w in warungs
                },
                marketplace=marketplace["id"],
                market=suppliers["wholesale_market"]["id"],
                trader=suppliers["whatsapp_trader"]["id"],
                market_key=await key(
                    KeyRole.SUPPLIER, supplier_id=suppliers["wholesale_market"]["id"]
                ),
                trader_key=await key(
                    KeyRole.SUPPLIER, supplier_id=suppliers["whatsapp_trader"]["id"]
                ),
                webhook_secret=marketplace["webhook_secret"],
                ubl=ubl["id"],
                ubl_secret=ubl["webhook_secret"],
                skus=skus,
            )
    finally:
        await container.close()


async def _quotable_skus(raw: Any, suppliers: dict[str, Any]) -> set[str]:
    board = {
        r["sku"]
        for r in await raw.fetch(
            "SELECT DISTINCT sku FROM price_board_entry WHERE supplier_id = $1",
            suppliers["wholesale_market"]["id"],
        )
    }
    trader = {
        e["sku"] for e in suppliers["whatsapp_trader"]["adapter_config"].get("price_list", [])
    }
    ubl = {e["sku"] for e in suppliers["ubl"]["adapter_config"].get("price_list", [])}
    marketplace = set(AdapterRegistry().simulator("marketplace").simulated_skus())
    return marketplace | board | trader | ubl
