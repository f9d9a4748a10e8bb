"""A cycle taken from closed to delivered and invoiced through the application's own services,
in-process (the coordinator's console is another page): a supplier that quotes every product,
market prices well above its prices, the bulk buy built, flagged lines overridden, approved,
confirmed and delivered in full, settled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from contracts.adapter import Capability, PackOffer, SupplierQuote, TierPrice
from contracts.api.catalogue import SupplierCreate
from contracts.events import (
    DeliveredLine,
    LineConfirmation,
    LineOutcome,
    OrderConfirmed,
    OrderDelivered,
)
from services.api.app import create_app
from services.app.purchase_orders import apply_supplier_event
from services.app.suppliers import create_supplier
from services.db.tx import Tx
from services.registry import AdapterRegistry
from services.settings import Settings
from tests.support import bearer, new_key

PRICE_PER_UNIT = 5_000
MARKET_PRICE = 20_000


class EverythingAdapter:
    key = "everything"
    capabilities = frozenset({Capability.QUOTE})

    async def quote(self, request: Any) -> SupplierQuote:
        return SupplierQuote(
            supplier_id=0,
            quote_ref="Q-ALL",
            valid_until=datetime.now(UTC) + timedelta(days=2),
            offers=tuple(
                PackOffer(
                    sku=item.sku,
                    pack_name="satuan",
                    units_per_pack=Decimal(1),
                    tiers=(TierPrice(min_packs=1, price_per_pack_idr=PRICE_PER_UNIT),),
                )
                for item in request.items
            ),
            delivery_fee_idr=10_000,
        )


class EverythingFactory:
    key = "everything"
    capabilities = frozenset({Capability.QUOTE})

    def validate_config(self, config: Any) -> None:
        return None

    def create(self, config: Any, context: Any) -> EverythingAdapter:
        return EverythingAdapter()


async def _ok(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in codes, response.text
    return response.json()


async def deliver_cycle(
    engine: AsyncEngine, make_container: Callable[..., Any], satker_id: int, cycle_id: int
) -> int:
    """Close the cycle, buy, approve, deliver in full and settle; returns the bulk buy id."""
    container = make_container(
        adapters=AdapterRegistry({"everything": EverythingFactory()}),
        settings=Settings(api_key_cache_seconds=0.0),
    )
    coordinator = bearer(await new_key(engine, "coordinator", satker_id=satker_id))
    async with Tx(engine) as tx:
        await create_supplier(
            tx,
            SupplierCreate(
                name="Grosir Serba Ada",
                adapter_key="everything",
                adapter_config={},
                regions=["Kota Palembang"],
            ),
            container.adapters,
        )
        raw = await tx.raw()
        await raw.execute(
            "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
            " SELECT id, 'Kota Palembang', $1, $2, 'SP2KP' FROM product",
            date.today(),
            MARKET_PRICE,
        )
    base = f"/v1/satkers/{satker_id}"
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        cycle = await api.get(f"{base}/cycles/{cycle_id}", headers=coordinator)
        if cycle.json()["status"] in ("open", "scheduled"):
            await _ok(await api.post(f"{base}/cycles/{cycle_id}/close", headers=coordinator), 200)
        built = await api.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=coordinator)
        bb = await _ok(built, 201)
        tag = built.headers["etag"]
        for line in bb["lines"]:
            if line["blocking"]:
                overridden = await api.post(
                    f"{base}/bulk-buys/{bb['id']}/lines/{line['product_id']}/override",
                    json={"reason": "harga wajar menurut koordinator"},
                    headers={**coordinator, "If-Match": tag},
                )
                await _ok(overridden, 200)
                tag = overridden.headers["etag"]
        approved = await api.post(
            f"{base}/bulk-buys/{bb['id']}/approve", headers={**coordinator, "If-Match": tag}
        )
        assert (await _ok(approved, 200))["status"] == "ordered", approved.text
        async with engine.connect() as conn:
            orders = (
                await conn.execute(
                    text(
                        "SELECT id, po_number, supplier_id FROM purchase_order WHERE satker_id = :s"
                    ),
                    {"s": satker_id},
                )
            ).all()
            lines = {
                po.id: (
                    await conn.execute(
                        text(
                            "SELECT line_no, packs * units_per_pack AS quantity"
                            " FROM purchase_order_line WHERE purchase_order_id = :p"
                        ),
                        {"p": po.id},
                    )
                ).all()
                for po in orders
            }
        now = datetime.now(UTC)
        async with Tx(engine) as tx:
            for po in orders:
                for event in (
                    OrderConfirmed(
                        event_id=f"c-{po.id}",
                        po_number=po.po_number,
                        occurred_at=now,
                        lines=tuple(
                            LineConfirmation(line_no=ln.line_no, outcome=LineOutcome.ACCEPTED)
                            for ln in lines[po.id]
                        ),
                    ),
                    OrderDelivered(
                        event_id=f"d-{po.id}",
                        po_number=po.po_number,
                        occurred_at=now,
                        lines=tuple(
                            DeliveredLine(line_no=ln.line_no, quantity=ln.quantity)
                            for ln in lines[po.id]
                        ),
                    ),
                ):
                    await apply_supplier_event(tx, po.supplier_id, event, now)
        await _ok(await api.post(f"{base}/bulk-buys/{bb['id']}/settle", headers=coordinator), 200)
    return bb["id"]
