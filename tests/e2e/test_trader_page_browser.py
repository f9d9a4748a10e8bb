"""The trader's confirmation page in a real browser: Debian's Chromium at a phone's size,
driven by Playwright, against ``kulakan serve`` on the test database.

The trader opens the link from the WhatsApp message, catches 18 kg of lele instead of 20,
states the ongkir and how it comes, and submits; the coordinator then sees the order
confirmed with that change through the API.
"""

from __future__ import annotations

import os
from decimal import Decimal

import httpx

from contracts.api.catalogue import SupplierCreate
from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
from services.app.suppliers import create_supplier
from services.db.tx import Tx
from services.settings import Settings
from services.worker.outbox import Dispatcher
from tests.fixtures_db import ROOT
from tests.integration.test_field_suppliers import TRADER_CONFIG
from tests.support import bearer, new_key, new_satker
from tests.support_browser import PHONE
from tests.support_process import api_server

# KULAKAN_SCREENSHOT=docs/img/trader-confirmation.png keeps the filled-in page for the docs
SCREENSHOT = os.environ.get("KULAKAN_SCREENSHOT")


async def trader_order(engine, make_container, base: str) -> tuple[int, int, str]:
    container = make_container(settings=Settings(public_base_url=base, api_key_cache_seconds=0))
    satker = await new_satker(engine)
    async with Tx(engine) as tx:
        trader = await create_supplier(
            tx,
            SupplierCreate(
                name="Kelompok Tani Kalidoni",
                adapter_key="whatsapp_trader",
                adapter_config=TRADER_CONFIG,
                regions=["Kota Palembang"],
            ),
            container.adapters,
        )
        raw = await tx.raw()
        lele = await raw.fetchval(
            "INSERT INTO product (sku, name, category, retail_unit, fractional)"
            " VALUES ('LELE', 'Ikan lele', 'protein', 'kg', true) RETURNING id"
        )
        order = NewPurchaseOrder(
            supplier_id=trader.id,
            delivery_address="Jl. Kalidoni No. 1, Palembang",
            contact_name="Bu Sari",
            contact_phone="081200001111",
            lines=(
                NewLine(
                    product_id=lele,
                    sku="LELE",
                    pack_name="kg",
                    units_per_pack=Decimal(1),
                    packs=20,
                    price_per_pack_idr=25_000,
                ),
            ),
        )
        [(po_id, _)] = await create_purchase_orders(tx, satker, [order], container.clock())
    assert await Dispatcher(container, worker_id="browser-test").drain() == 1
    coordinator = bearer(await new_key(engine, "coordinator", satker_id=satker))
    return satker, po_id, coordinator["Authorization"]


async def test_the_trader_confirms_on_a_phone(engine, database_url, make_container, browser):
    with api_server(database_url) as base:
        satker, po_id, auth = await trader_order(engine, make_container, base)
        headers = {"Authorization": auth}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as api:
            message = (
                await api.get(f"/v1/satkers/{satker}/purchase-orders/{po_id}/whatsapp-message")
            ).json()
            link = message["confirmation_url"]
            assert link.startswith(base) and link in message["text"]

            page = await browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
            await page.goto(link)
            assert "Ikan lele" in await page.content()
            await page.fill("input[name=line_1_packs]", "18")
            await page.fill("input[name=delivery_fee_idr]", "15.000")
            await page.check("input[name=delivery_method][value=ojek_online]")
            if SCREENSHOT:
                await page.screenshot(path=str(ROOT / SCREENSHOT), full_page=True)
            async with page.expect_navigation():
                await page.click("button[name=decision][value=confirm]")
            assert "Terima kasih" in await page.content()

            po = (await api.get(f"/v1/satkers/{satker}/purchase-orders/{po_id}")).json()
            assert po["status"] == "changed"  # confirmed, with a change
            assert po["delivery_fee_idr"] == 15_000
            [line] = po["lines"]
            assert (line["status"], line["confirmed_packs"]) == ("changed", 18)

            await page.goto(link)  # the used link shows the answer, read-only
            assert await page.locator("input[name=line_1_packs]").count() == 0
