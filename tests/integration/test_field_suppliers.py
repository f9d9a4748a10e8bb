"""Suppliers without an API through HTTP: a market's price board feeding quotes, the runner's
buying list and report, and a WhatsApp trader's message and confirmation link."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from contracts.adapter import QuoteItem, QuoteRequest
from contracts.api.catalogue import SupplierCreate
from services.api.app import create_app
from services.app import supplier_adapters
from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
from services.app.suppliers import create_supplier
from services.clock import FixedClock
from services.db.tx import Tx
from services.worker.outbox import Dispatcher
from tests.support import bearer, new_key, new_satker

# 07:30 WIB: the market (02:00–08:00) and the trader (06:00–12:00) both take orders
NOW = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
MARKET_CONFIG = {
    "market_name": "Pasar Induk Jakabaring",
    "timezone": "Asia/Jakarta",
    "sku_by_name": {"Bawang merah": "BWG-MRH", "Ikan lele": "LELE"},
}
TRADER_CONFIG = {
    "phone": "081373112233",
    "trader_name": "Pak Hasan (Kelompok Tani Kalidoni)",
    "buyer_name": "Satker Kalidoni",
    "timezone": "Asia/Jakarta",
    "confirmation_path": "/v1/trader-links/{token}",
}
BOARD = """date,product,grade,unit,min_idr,max_idr
2026-11-24,Bawang merah,super,kg,31000,34000
2026-11-24,Bawang merah,biasa,kg,28000,30000
2026-11-24,Ikan lele,,kg,24000,26000
"""


@dataclass
class Field:
    client: httpx.AsyncClient
    container: object
    clock: FixedClock
    satker: int
    market: int
    trader: int
    products: dict[str, int]
    coordinator: dict[str, str]
    market_key: dict[str, str]


@pytest.fixture
async def field(engine, make_container):
    clock = FixedClock(NOW)
    container = make_container(clock=clock)
    satker = await new_satker(engine)
    async with Tx(engine) as tx:
        raw = await tx.raw()
        products = {
            sku: await raw.fetchval(
                "INSERT INTO product (sku, name, category, retail_unit, fractional)"
                " VALUES ($1, $2, 'fresh', 'kg', true) RETURNING id",
                sku,
                name,
            )
            for sku, name in (("BWG-MRH", "Bawang merah"), ("LELE", "Ikan lele"))
        }
        market = await create_supplier(
            tx,
            SupplierCreate(
                name="Pasar Induk Jakabaring",
                adapter_key="wholesale_market",
                adapter_config=MARKET_CONFIG,
                regions=["Kota Palembang"],
            ),
            container.adapters,
        )
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
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://kulakan.test") as client:
        yield Field(
            client=client,
            container=container,
            clock=clock,
            satker=satker,
            market=market.id,
            trader=trader.id,
            products=products,
            coordinator=bearer(await new_key(engine, "coordinator", satker_id=satker)),
            market_key=bearer(await new_key(engine, "supplier", supplier_id=market.id)),
        )


async def order(engine, f: Field, supplier: int, lines) -> tuple[int, str]:
    po = NewPurchaseOrder(
        supplier_id=supplier,
        delivery_fee_idr=0,
        delivery_address="Jl. Kalidoni No. 1, Palembang",
        contact_name="Bu Sari",
        contact_phone="081200001111",
        lines=tuple(
            NewLine(
                product_id=f.products[sku],
                sku=sku,
                pack_name="kg",
                units_per_pack=Decimal(1),
                packs=packs,
                price_per_pack_idr=price,
            )
            for sku, packs, price in lines
        ),
    )
    async with Tx(engine) as tx:
        [(po_id, number)] = await create_purchase_orders(tx, f.satker, [po], NOW)
    assert await Dispatcher(f.container, worker_id="t").drain() == 1
    return po_id, number


async def po_row(engine, po_id):
    async with engine.connect() as conn:
        return (
            await conn.execute(
                text("SELECT status, delivery_fee_idr FROM purchase_order WHERE id = :i"),
                {"i": po_id},
            )
        ).one()


async def lines_of(engine, po_id):
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT line_no, status, confirmed_packs, confirmed_price_per_pack_idr,"
                " delivered_quantity FROM purchase_order_line WHERE purchase_order_id = :i"
                " ORDER BY line_no"
            ),
            {"i": po_id},
        )
        return [tuple(r) for r in rows]


# ---------------------------------------------------------------- price board


async def test_a_market_agent_posts_the_board_and_quotes_come_from_it(engine, field):
    f = field
    url = f"/v1/suppliers/{f.market}/price-board"
    posted = await f.client.post(
        url, content=BOARD, headers={**f.market_key, "Content-Type": "text/csv"}
    )
    assert posted.status_code == 201, posted.text
    board = posted.json()
    assert board["board_date"] == "2026-11-24"
    assert {(e["sku"], e["grade"], e["min_idr"]) for e in board["entries"]} == {
        ("BWG-MRH", "super", 31000),
        ("BWG-MRH", "biasa", 28000),
        ("LELE", "", 24000),
    }
    assert (await f.client.get(url, headers=f.coordinator)).json() == board

    async with Tx(engine) as tx:
        market = await supplier_adapters.adapter_for(
            await tx.raw(), f.container, f.market, with_board=True
        )
    request = QuoteRequest(
        reference="BB-1",
        region="Kota Palembang",
        items=(QuoteItem(sku="BWG-MRH", quantity=Decimal(20), retail_unit="kg"),),
    )
    quote = await market.quote(request)
    assert sorted(o.tiers[0].price_per_pack_idr for o in quote.offers) == [30000, 34000]
    f.clock.advance(days=2)  # Wednesday: Monday's board is too old to quote
    assert (await market.quote(request)).offers == ()


async def test_a_bad_board_is_refused_whole_and_only_its_own_market_may_post(engine, field):
    f = field
    url = f"/v1/suppliers/{f.market}/price-board"
    bad = BOARD + "2026-11-24,Bawang merah,kecil,kg,30000,abc\n2026-11-24,Tomat,,kg,9000,8000\n"
    refused = await f.client.post(
        url, content=bad, headers={**f.market_key, "Content-Type": "text/csv"}
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    pointers = [e["pointer"] for e in refused.json()["errors"]]
    assert "/board/5/max_idr" in pointers and any(p.startswith("/board/6") for p in pointers)
    assert (await f.client.get(url, headers=f.coordinator)).json()["entries"] == []

    posted_json = await f.client.post(
        url,
        json={
            "date": "2026-11-24",
            "entries": [{"product": "Ikan lele", "unit": "kg", "min_idr": 23000, "max_idr": 25000}],
        },
        headers=f.coordinator,
    )
    assert posted_json.status_code == 201, posted_json.text
    assert [e["sku"] for e in posted_json.json()["entries"]] == ["LELE"]

    trader_key = bearer(await new_key(engine, "supplier", supplier_id=f.trader))
    other = await f.client.post(
        url, content=BOARD, headers={**trader_key, "Content-Type": "text/csv"}
    )
    assert other.status_code == 404
    not_a_market = await f.client.post(
        f"/v1/suppliers/{f.trader}/price-board",
        content=BOARD,
        headers={**f.coordinator, "Content-Type": "text/csv"},
    )
    assert not_a_market.status_code == 409


# ---------------------------------------------------------------- buying list and runner


async def test_the_runner_buys_from_the_list_and_reports_once(engine, field):
    f = field
    po_id, number = await order(engine, f, f.market, [("BWG-MRH", 10, 34000), ("LELE", 5, 26000)])
    base = f"/v1/supplier/purchase-orders/{po_id}"
    listed = await f.client.get(f"{base}/buying-list", headers=f.market_key)
    assert listed.status_code == 200, listed.text
    bl = listed.json()
    assert bl["po_number"] == number and [ln["line_no"] for ln in bl["lines"]] == [1, 2]
    as_csv = await f.client.get(f"{base}/buying-list?format=csv", headers=f.market_key)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 2
    page = await f.client.get(
        f"{base}/buying-list", headers={**f.market_key, "Accept": "text/html"}
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "Bawang merah" in page.text and number in page.text
    coordinator_view = await f.client.get(
        f"/v1/satkers/{f.satker}/purchase-orders/{po_id}/buying-list", headers=f.coordinator
    )
    assert coordinator_view.json()["po_number"] == number

    report = {
        "report_id": "RUN-1",
        "po_number": number,
        "reported_at": "2026-11-24T07:40:00+07:00",
        "lines": [
            {
                "line_no": 1,
                "status": "bought",
                "bought_quantity": "9.6",
                "paid_price_per_unit_idr": 33000,
            },
            {"line_no": 2, "status": "not_found", "note": "lele habis"},
        ],
    }
    sent = await f.client.post(f"{base}/runner-report", json=report, headers=f.market_key)
    assert sent.status_code == 200, sent.text
    assert all(not r["duplicate"] for r in sent.json())
    after = await lines_of(engine, po_id)
    # 9.6 kg of bawang at 33,000 instead of 10 kg at 34,000; no lele
    assert after == [
        (1, "changed", 10, 33000, Decimal("9.6")),
        (2, "rejected", None, None, Decimal(0)),
    ]
    assert (await po_row(engine, po_id)).status == "delivered"
    assert after[1][1] == "rejected"
    again = await f.client.post(f"{base}/runner-report", json=report, headers=f.market_key)
    assert all(r["duplicate"] for r in again.json())
    assert await lines_of(engine, po_id) == after

    wrong = await f.client.post(
        f"{base}/runner-report", json={**report, "po_number": "PO-X"}, headers=f.market_key
    )
    assert wrong.status_code == 400
    malformed = await f.client.post(
        f"{base}/runner-report",
        json={**report, "lines": [{"line_no": 1, "status": "lost"}]},
        headers=f.market_key,
    )
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["pointer"] == "/lines/0/status"


# ---------------------------------------------------------------- WhatsApp trader


async def test_the_trader_confirms_through_the_link_once(engine, field):
    f = field
    po_id, number = await order(engine, f, f.trader, [("LELE", 20, 25000), ("BWG-MRH", 5, 32000)])
    message = await f.client.get(
        f"/v1/satkers/{f.satker}/purchase-orders/{po_id}/whatsapp-message", headers=f.coordinator
    )
    assert message.status_code == 200, message.text
    body = message.json()
    assert "Ikan lele" in body["text"] and number in body["text"]
    assert body["confirmation_url"] in body["text"]
    assert body["wa_link"].startswith("https://wa.me/6281373112233?text=")
    path = httpx.URL(body["confirmation_url"]).path

    page = await f.client.get(path)
    assert page.status_code == 200 and "Ikan lele" in page.text
    form = {
        "decision": "confirm",
        "line_1_packs": "18",
        "line_1_price_per_pack_idr": "25.000",
        "line_2_packs": "5",
        "line_2_price_per_pack_idr": "32000",
        "delivery_fee_idr": "15.000",
        "delivery_method": "diantar_sendiri",
    }
    bad = await f.client.post(path, data={**form, "delivery_fee_idr": "lima ribu"})
    assert bad.status_code == 422 and "ongkir" in bad.text.lower()
    assert (await po_row(engine, po_id)).status == "sent"
    done = await f.client.post(path, data=form)
    assert done.status_code == 200, done.text
    assert tuple(await po_row(engine, po_id)) == ("changed", 15000)  # confirmed, with a change
    lines = await lines_of(engine, po_id)
    assert lines[0][1:4] == ("changed", 18, 25000) and lines[1][1] == "accepted"

    replay = await f.client.post(path, data={**form, "line_1_packs": "1"})
    assert replay.status_code == 200
    assert await lines_of(engine, po_id) == lines
    async with engine.connect() as conn:
        answers = (
            await conn.execute(
                text("SELECT count(*) FROM supplier_event WHERE supplier_id = :s"), {"s": f.trader}
            )
        ).scalar()
    assert answers == 1
    assert (await f.client.get(path)).status_code == 200  # read-only result


async def test_tampered_and_expired_links_show_an_error_and_change_nothing(engine, field):
    f = field
    po_id, _ = await order(engine, f, f.trader, [("LELE", 20, 25000)])
    url = (
        await f.client.get(
            f"/v1/satkers/{f.satker}/purchase-orders/{po_id}/whatsapp-message",
            headers=f.coordinator,
        )
    ).json()["confirmation_url"]
    path = httpx.URL(url).path
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    for attempt in (
        await f.client.get(tampered),
        await f.client.post(tampered, data={"decision": "reject"}),
        await f.client.get("/v1/trader-links/not-a-token"),
    ):
        assert attempt.status_code == 400
        assert attempt.headers["content-type"].startswith("text/html")
        assert "Tautan tidak valid" in attempt.text
    f.clock.advance(hours=25)
    expired = await f.client.post(path, data={"decision": "reject"})
    assert expired.status_code == 410 and "kedaluwarsa" in expired.text
    assert (await po_row(engine, po_id)).status == "sent"


async def test_a_supplier_that_takes_no_webhooks_answers_404_not_a_server_error(engine, field):
    f = field
    for supplier in (f.trader, 424242):
        sent = await f.client.post(
            f"/v1/suppliers/{supplier}/webhooks",
            content=b'[{"type": "order.confirmed"}]',
            headers={"Content-Type": "application/json"},
        )
        assert sent.status_code == 404, sent.text
        assert sent.headers["content-type"].startswith("application/problem+json")
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM supplier_event"))).scalar() == 0
