"""A UBL supplier end to end, through real HTTP with the API server and the UBL simulator as
processes: the purchase order goes out as a signed Order; the OrderResponse changes one price
(held above the tolerance, then accepted by the coordinator); the DespatchAdvice delivers
part; the Invoice bills it; the settlement invoices the warungs exactly what was billed. The
documents kulakan writes on the way (the Order, the warungs' invoices) are valid against the
OASIS schemas."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.ubl import xml
from contracts.api.catalogue import SupplierCreate
from services.app.suppliers import create_supplier
from services.bootstrap import Container
from services.db.tx import Tx
from services.processes import free_port, start, stop, wait_for
from services.registry import AdapterRegistry
from services.settings import Settings
from services.worker.outbox import Dispatcher
from tests.support_demand import new_tenant
from tests.support_process import api_server
from tests.support_ubl import PRICE_LIST, products

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@contextlib.contextmanager
def ubl_simulator(port: int, callback_url: str, secret: str) -> Iterator[str]:
    """``kulakan simulate ubl-supplier --manual``: it sends documents when the test asks."""
    command = ["simulate", "ubl-supplier", "--port", str(port), "--manual"]
    command += ["--callback-url", callback_url, f"--webhook-secret={secret}"]
    proc = start(command, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/health")
        yield base
    finally:
        stop(proc)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def open_cycle(engine, satker_id: int) -> int:
    now = datetime.now(UTC)
    async with Tx(engine) as tx:
        raw = await tx.raw()
        await raw.execute(
            "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
            " SELECT id, 'Kota Palembang', $1, 60000, 'SP2KP' FROM product",
            now.date(),
        )
        return await raw.fetchval(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES ($1, 'Lauk UBL', $2, $3, $4, $5, 'open') RETURNING id",
            satker_id,
            ["protein"],
            now - timedelta(minutes=1),
            now + timedelta(hours=2),
            now.date() + timedelta(days=1),
        )


async def approve(api: httpx.AsyncClient, base: str, cycle_id: int, coordinator) -> int:
    ok(await api.post(f"{base}/cycles/{cycle_id}/close", headers=coordinator))
    built = await api.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=coordinator)
    bb = ok(built, 201)
    tag = built.headers["etag"]
    for line in bb["lines"]:
        if line["blocking"]:
            changed = await api.post(
                f"{base}/bulk-buys/{bb['id']}/lines/{line['product_id']}/override",
                json={"reason": "harga wajar"},
                headers={**coordinator, "If-Match": tag},
            )
            ok(changed)
            tag = changed.headers["etag"]
    approved = await api.post(
        f"{base}/bulk-buys/{bb['id']}/approve", headers={**coordinator, "If-Match": tag}
    )
    assert ok(approved)["status"] == "ordered"
    return bb["id"]


async def test_an_order_round_trips_through_a_ubl_supplier_and_settles_to_the_rupiah(
    engine, database_url
):
    tenant = await new_tenant(engine, warungs=3)
    ids = await products(engine)
    sim_port = free_port()
    async with Tx(engine) as tx:
        supplier = await create_supplier(
            tx,
            SupplierCreate(
                name="CV Sumber Pangan (Odoo)",
                adapter_key="ubl",
                adapter_config={
                    "base_url": f"http://127.0.0.1:{sim_port}",
                    "price_list": PRICE_LIST,
                    "delivery_fee_idr": 30_000,
                    "max_attempts": 2,
                },
                regions=["Kota Palembang"],
                delivery_fee_idr=30_000,
                payment_terms="tempo",
                tempo_days=14,
            ),
            AdapterRegistry(),
        )
    cycle_id = await open_cycle(engine, tenant.satker_id)
    base = f"/v1/satkers/{tenant.satker_id}"
    with (
        api_server(database_url) as api_base,
        ubl_simulator(
            sim_port, f"{api_base}/v1/suppliers/{supplier.id}/documents", supplier.webhook_secret
        ) as sim_base,
    ):
        async with (
            httpx.AsyncClient(base_url=api_base, timeout=30) as api,
            httpx.AsyncClient(base_url=sim_base, timeout=30) as sim,
        ):
            for n, key in enumerate(tenant.warung_keys):
                lines = [
                    {"product_id": ids["PATIN"], "quantity": str(3 + n)},
                    {"product_id": ids["TEMPE"], "quantity": str(8 + 2 * n)},
                ]
                ok(await api.post("/v1/restock-requests", json={"lines": lines}, headers=key), 201)
            bb_id = await approve(api, base, cycle_id, tenant.coordinator)

            # the worker's dispatcher sends the Order to the simulator over HTTP
            container = Container(settings=Settings(api_key_cache_seconds=0.0), engine=engine)
            try:
                assert await Dispatcher(container).drain() == 1
            finally:
                await container.adapters.aclose()
            [po] = ok(await api.get(f"{base}/purchase-orders", headers=tenant.coordinator))["items"]
            assert po["status"] == "sent" and po["supplier_ref"] == f"SO-{po['po_number']}"
            taken = ok(await sim.get(f"/_admin/orders/{po['po_number']}"))
            assert [ln["item_id"] for ln in taken["order"]["lines"]] == [
                "SP-PATIN-1KG" if ln["sku"] == "PATIN" else "SP-TEMPE-10" for ln in po["lines"]
            ]
            as_xml = await api.get(
                f"{base}/purchase-orders/{po['id']}",
                headers={**tenant.coordinator, "Accept": "application/xml"},
            )
            assert xml.schema_errors(xml.parse(as_xml.content)) == []

            # an OrderResponse raising line 1's price 10 %: held above the 3 % tolerance
            first = po["lines"][0]
            raised = first["price_per_pack_idr"] * 110 // 100
            answer = ok(
                await sim.post(
                    f"/_admin/orders/{po['po_number']}/order-response",
                    json={"prices": {"1": raised}},
                )
            )
            assert answer["status"] == 200, answer
            assert answer["body"]["status"] == "changed"
            held = ok(
                await api.get(f"{base}/purchase-orders/{po['id']}", headers=tenant.coordinator)
            )
            assert held["lines"][0]["status"] == "pending_approval"
            assert held["lines"][0]["proposed_price_per_pack_idr"] == raised
            accepted = await api.post(
                f"{base}/purchase-orders/{po['id']}/lines/1/price-decision",
                json={"accept": True},
                headers={**tenant.coordinator, "If-Match": f'"{held["version"]}"'},
            )
            assert ok(accepted)["lines"][0]["confirmed_price_per_pack_idr"] == raised

            # despatch: line 1 one pack short, line 2 complete
            despatched = {"1": str(first["packs"] - 1), "2": str(po["lines"][1]["packs"])}
            answer = ok(
                await sim.post(
                    f"/_admin/orders/{po['po_number']}/despatch-advice",
                    json={"packs": despatched},
                )
            )
            assert [e["status"] for e in answer["body"]["events"]] == ["despatched", "delivered"]

            answer = ok(await sim.post(f"/_admin/orders/{po['po_number']}/invoice", json={}))
            assert answer["body"]["status"] == "invoiced"
            billed = (
                (first["packs"] - 1) * raised
                + po["lines"][1]["packs"] * po["lines"][1]["price_per_pack_idr"]
                + 30_000
            )
            replay = ok(
                await sim.post(f"/_admin/orders/{po['po_number']}/invoice", json={})
            )  # the same invoice again: nothing changes
            assert replay["body"]["duplicate"] is True

            settled = ok(
                await api.post(f"{base}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator)
            )
            assert settled["supplier_billed_idr"] == billed
            assert settled["invoiced_idr"] == billed
            invoices = ok(
                await api.get(f"{base}/invoices?bulk_buy_id={bb_id}", headers=tenant.coordinator)
            )["items"]
            assert sum(i["total_idr"] for i in invoices) == billed
            delivered = Decimal(0)
            for invoice in invoices:
                if invoice["warung_id"] is None:
                    continue
                mine = tenant.warungs.index(invoice["warung_id"])
                key = tenant.warung_keys[mine]
                url = f"/v1/warungs/{invoice['warung_id']}/invoices/{invoice['id']}"
                other = tenant.warungs[mine - 1]  # another warung of the satker
                elsewhere = f"/v1/warungs/{other}/invoices/{invoice['id']}"
                peer = tenant.warung_keys[mine - 1]
                assert (await api.get(elsewhere, headers=peer)).status_code == 404
                assert ok(await api.get(url, headers=key))["total_idr"] == invoice["total_idr"]
                document = await api.get(url, headers={**key, "Accept": "application/xml"})
                assert document.headers["content-type"].startswith("application/xml")
                root = xml.parse(document.content)
                assert xml.schema_errors(root) == []
                payable = root.findtext(
                    f"{xml.cac('LegalMonetaryTotal')}/{xml.cbc('PayableAmount')}"
                )
                assert int(payable) == invoice["total_idr"]
                delivered += sum(Decimal(ln["quantity"]) for ln in invoice["lines"])
            assert delivered > 0
