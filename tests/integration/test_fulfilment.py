"""After delivery, through HTTP: a short delivery broken down to the warungs (pre-orders
first), the surplus kept by the satker, invoices that sum to the supplier's bill to the
rupiah, receipts that move stock and report what came damaged, and the reports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import text

from contracts.events import (
    DeliveredLine,
    LineConfirmation,
    LineOutcome,
    OrderConfirmed,
    OrderDelivered,
)
from services.app.purchase_orders import apply_supplier_event
from services.db.tx import Tx
from services.worker.runner import settle_delivered_bulk_buys
from tests.integration.test_bulk_buys import MORNING, setup  # noqa: F401  (the fixture)


async def ordered_bulk_buy(client, tenant, cycle_id) -> int:
    base = f"/v1/satkers/{tenant.satker_id}"
    built = await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    bb = built.json()
    telur = next(ln for ln in bb["lines"] if ln["sku"] == "TELUR")
    overridden = await client.post(
        f"{base}/bulk-buys/{bb['id']}/lines/{telur['product_id']}/override",
        json={"reason": "harga telur pasar belum tercatat; harga grosir wajar"},
        headers=tenant.coordinator,
    )
    approved = await client.post(
        f"{base}/bulk-buys/{bb['id']}/approve",
        headers={**tenant.coordinator, "If-Match": overridden.headers["etag"]},
    )
    assert approved.json()["status"] == "ordered", approved.text
    return bb["id"]


async def deliver(engine, *, cabai_kg: str) -> None:
    """The supplier confirms everything and delivers telur in full, cabai as weighed."""
    async with engine.connect() as conn:
        po = (
            await conn.execute(text("SELECT po_number, supplier_id, id FROM purchase_order"))
        ).one()
        lines = dict(
            (
                await conn.execute(
                    text(
                        "SELECT sku, line_no FROM purchase_order_line WHERE purchase_order_id = :p"
                    ),
                    {"p": po.id},
                )
            ).all()
        )
    events = [
        OrderConfirmed(
            event_id="c1",
            po_number=po.po_number,
            occurred_at=MORNING,
            lines=tuple(
                LineConfirmation(line_no=n, outcome=LineOutcome.ACCEPTED) for n in lines.values()
            ),
        ),
        OrderDelivered(
            event_id="d1",
            po_number=po.po_number,
            occurred_at=MORNING,
            lines=(
                DeliveredLine(line_no=lines["CBI-MRH"], quantity=Decimal(cabai_kg)),
                DeliveredLine(line_no=lines["TELUR"], quantity=Decimal(30)),
            ),
        ),
    ]
    async with Tx(engine) as tx:
        for event in events:
            await apply_supplier_event(tx, po.supplier_id, event, MORNING)


async def test_a_short_delivery_is_shared_out_invoiced_and_received(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    bb_id = await ordered_bulk_buy(client, tenant, cycle_id)

    early = await client.post(f"{base}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator)
    assert early.status_code == 409
    assert len(early.json()["open_purchase_orders"]) == 1

    await deliver(engine, cabai_kg="7.2")  # 8 kg ordered, 7.5 kg wanted
    settled = await client.post(f"{base}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator)
    assert settled.status_code == 200, settled.text
    s = settled.json()
    # the bill: 7.2 kg cabai at 52,000 + 2 peti telur at 380,000 + the 50,000 fee
    assert s["supplier_billed_idr"] == 374_400 + 760_000 + 50_000 == s["invoiced_idr"]
    assert s["ordered_value_idr"] == 8 * 52_000 + 2 * 380_000
    assert Decimal(s["fill_rate"]) == Decimal("0.965")
    stock = {p["sku"]: Decimal(p["satker_stock"]) for p in s["products"]}
    assert stock == {"CBI-MRH": 0, "TELUR": 5}  # 30 kg telur for 25 wanted
    again = await client.post(f"{base}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator)
    assert again.json() == s

    deliveries = (
        await client.get(f"{base}/deliveries?bulk_buy_id={bb_id}", headers=tenant.coordinator)
    ).json()["items"]
    got = {
        (d["warung_id"], d["sku"]): (Decimal(d["allocated"]), Decimal(d["shortfall"]))
        for d in deliveries
    }
    w0, w1, w2 = tenant.warungs
    assert got == {
        (w0, "CBI-MRH"): (Decimal("4.5"), 0),  # the pre-order is served first
        (w1, "CBI-MRH"): (Decimal("2.7"), Decimal("0.3")),  # the shortfall falls here
        (w0, "TELUR"): (15, 0),
        (w2, "TELUR"): (10, 0),
    }

    invoices = (
        await client.get(f"{base}/invoices?bulk_buy_id={bb_id}", headers=tenant.coordinator)
    ).json()["items"]
    assert sum(i["total_idr"] for i in invoices) == s["supplier_billed_idr"]
    assert sorted((i["warung_id"] or 0) for i in invoices) == sorted([0, w0, w1, w2])
    mine = (await client.get(f"/v1/warungs/{w1}/invoices", headers=tenant.warung_keys[1])).json()
    [invoice] = mine["items"]
    assert [(ln["sku"], Decimal(ln["quantity"])) for ln in invoice["lines"]] == [
        ("CBI-MRH", Decimal("2.7"))
    ]
    assert invoice["savings_idr"] > 0 and invoice["due_on"] is not None  # cash on delivery
    assert invoice["total_idr"] == sum(ln["goods_idr"] + ln["fee_idr"] for ln in invoice["lines"])
    other = await client.get(f"/v1/warungs/{w0}/invoices", headers=tenant.warung_keys[1])
    assert other.status_code == 404

    received = await client.post(
        f"/v1/warungs/{w1}/receipts",
        json={
            "bulk_buy_id": bb_id,
            "lines": [
                {
                    "product_id": products["cabai"],
                    "received": "2.5",
                    "damaged": "0.2",
                    "note": "busuk sebagian",
                }
            ],
        },
        headers=tenant.warung_keys[1],
    )
    assert received.status_code == 201, received.text
    assert received.json()[0]["receipt"] == "damaged"
    level = (await client.get(f"/v1/warungs/{w1}/stock", headers=tenant.warung_keys[1])).json()
    assert [(x["product_id"], Decimal(x["on_hand"])) for x in level["items"]] == [
        (products["cabai"], Decimal("2.5"))
    ]
    twice = await client.post(
        f"/v1/warungs/{w1}/receipts",
        json={"bulk_buy_id": bb_id, "lines": [{"product_id": products["cabai"], "received": "1"}]},
        headers=tenant.warung_keys[1],
    )
    assert (
        twice.status_code == 400 and twice.json()["errors"][0]["pointer"] == "/lines/0/product_id"
    )
    too_much = await client.post(
        f"/v1/warungs/{w0}/receipts",
        json={"bulk_buy_id": bb_id, "lines": [{"product_id": products["telur"], "received": "16"}]},
        headers=tenant.warung_keys[0],
    )
    assert too_much.status_code == 400
    damaged = (
        await client.get(f"{base}/deliveries?receipt=damaged", headers=tenant.coordinator)
    ).json()["items"]
    assert [(d["warung_id"], d["note"]) for d in damaged] == [(w1, "busuk sebagian")]

    savings = (await client.get(f"{base}/reports/savings", headers=tenant.coordinator)).json()
    assert savings["timezone"] == "Asia/Jakarta"
    assert savings["total"]["paid_idr"] == sum(r["paid_idr"] for r in savings["rows"])
    assert {r["warung_id"] for r in savings["rows"]} == {w0, w1, w2}  # satker stock left out
    as_csv = await client.get(f"{base}/reports/savings?format=csv", headers=tenant.coordinator)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(as_csv.text)))) == 3 + 1 + 1  # warungs, cycle, total
    card = (await client.get(f"{base}/reports/suppliers", headers=tenant.coordinator)).json()
    [score] = card["suppliers"]
    assert Decimal(score["fill_rate"]) == Decimal("0.965") and score["discrepancies"] == 1
    assert Decimal(score["price_variance"]) == 0

    paid = await client.post(
        f"{base}/invoices/{invoice['id']}/paid",
        headers={**tenant.coordinator, "If-Match": f'"{invoice["version"]}"'},
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    stale = await client.post(
        f"{base}/invoices/{invoice['id']}/paid",
        headers={**tenant.coordinator, "If-Match": f'"{invoice["version"]}"'},
    )
    assert stale.status_code == 412


async def test_the_worker_settles_a_bulk_buy_once_its_orders_are_done(
    engine,
    setup,  # noqa: F811
    make_container,
):
    client, tenant, cycle_id, _, clock = setup
    bb_id = await ordered_bulk_buy(client, tenant, cycle_id)
    container = make_container(clock=clock)
    assert await settle_delivered_bulk_buys(container) == 0  # still waiting for delivery
    await deliver(engine, cabai_kg="8")
    assert await settle_delivered_bulk_buys(container) == 1
    assert await settle_delivered_bulk_buys(container) == 0
    s = (
        await client.get(
            f"/v1/satkers/{tenant.satker_id}/bulk-buys/{bb_id}/settlement",
            headers=tenant.coordinator,
        )
    ).json()
    assert s["invoiced_idr"] == s["supplier_billed_idr"] == 8 * 52_000 + 760_000 + 50_000


async def test_bad_input_after_delivery_is_a_problem_never_a_500(engine, setup):  # noqa: F811
    client, tenant, _, products, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    w0 = tenant.warungs[0]
    cases = [
        ("POST", f"{base}/bulk-buys/999/settle", None, tenant.coordinator, 404),
        ("GET", f"{base}/bulk-buys/999/settlement", None, tenant.coordinator, 404),
        ("GET", f"{base}/deliveries?cursor=not-a-cursor", None, tenant.coordinator, 400),
        ("GET", f"{base}/deliveries?receipt=lost", None, tenant.coordinator, 400),
        ("GET", f"{base}/reports/savings?format=xml", None, tenant.coordinator, 400),
        ("POST", f"{base}/invoices/999/paid", None, tenant.coordinator, 404),
        ("GET", f"{base}/reports/suppliers", None, tenant.warung_keys[0], 403),
        (
            "POST",
            f"/v1/warungs/{w0}/receipts",
            {"bulk_buy_id": 1, "lines": []},
            tenant.warung_keys[0],
            400,
        ),
        (
            "POST",
            f"/v1/warungs/{w0}/receipts",
            {"bulk_buy_id": 999, "lines": [{"product_id": products["cabai"], "received": "1"}]},
            tenant.warung_keys[0],
            404,
        ),
        (
            "POST",
            f"/v1/warungs/{w0}/receipts",
            {"bulk_buy_id": 1, "lines": [{"product_id": products["cabai"], "received": "abc"}]},
            tenant.warung_keys[0],
            400,
        ),
        ("GET", f"/v1/warungs/{tenant.warungs[1]}/invoices", None, tenant.warung_keys[0], 404),
        ("GET", "/v1/trader-links/%00%ff..", None, {}, 400),
    ]
    for method, url, body, headers, expected in cases:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == expected, (method, url, response.text)
        if expected != 400 or "trader-links" not in url:
            assert response.headers["content-type"].startswith("application/problem+json"), url
