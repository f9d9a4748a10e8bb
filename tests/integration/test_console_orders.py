"""The console's Pesanan and Penerimaan & tagihan pages, and Beranda's work lists, through
HTTP: content, tenancy (another satker's coordinator gets 404), CSRF, If-Match conflicts shown
with the fresh data, and an idempotent double submit; invoices numbered 1, 2, 3, … per satker."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import httpx
from sqlalchemy import text

from contracts.events import LineConfirmation, LineOutcome, OrderConfirmed
from services.app.purchase_orders import apply_supplier_event
from services.db.tx import Tx
from tests.integration.test_bulk_buys import MORNING, setup  # noqa: F401  (the fixture)
from tests.integration.test_fulfilment import deliver, ordered_bulk_buy
from tests.support import new_satker
from tests.support_console import csrf_token, new_user, sign_in

PHONE = "0812-4444-0001"
OTHER = "0812-4444-0002"
VERSION = re.compile(r'name="version" value="(\d+)"')


async def signed_in(engine, client, satker_id: int, phone: str = PHONE) -> str:
    await new_user(engine, satker_id, phone)
    assert (await sign_in(client, phone)).status_code == 303
    return await csrf_token(client, "/console/")


def stranger(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))


async def the_order(engine) -> tuple[int, str, int]:
    async with engine.connect() as conn:
        po = (
            await conn.execute(text("SELECT id, po_number, supplier_id FROM purchase_order"))
        ).one()
    return po.id, po.po_number, po.supplier_id


async def hold_a_price_rise(engine) -> int:
    po_id, number, supplier_id = await the_order(engine)
    async with engine.connect() as conn:
        line_no = (
            await conn.execute(
                text(
                    "SELECT line_no FROM purchase_order_line WHERE purchase_order_id = :p"
                    " ORDER BY line_no LIMIT 1"
                ),
                {"p": po_id},
            )
        ).scalar_one()
    rise = OrderConfirmed(
        event_id="rise-1",
        po_number=number,
        occurred_at=MORNING,
        lines=(
            LineConfirmation(
                line_no=line_no, outcome=LineOutcome.CHANGED, price_per_pack_idr=999_000
            ),
        ),
    )
    async with Tx(engine) as tx:
        await apply_supplier_event(tx, supplier_id, rise, MORNING)
    return line_no


async def test_orders_pages_show_the_order_its_timeline_and_the_held_price_rise(engine, setup):  # noqa: F811
    client, tenant, cycle_id, _, _ = setup
    await ordered_bulk_buy(client, tenant, cycle_id)
    line_no = await hold_a_price_rise(engine)
    po_id, number, _ = await the_order(engine)
    token = await signed_in(engine, client, tenant.satker_id)
    base = f"/console/satkers/{tenant.satker_id}"

    listing = await client.get(f"{base}/orders")
    assert listing.status_code == 200
    assert number in listing.text and "Grosir A" in listing.text
    assert "1 kenaikan harga ditahan" in listing.text
    status = (
        await client.get(
            f"/v1/satkers/{tenant.satker_id}/purchase-orders?cycle_id={cycle_id}",
            headers=tenant.coordinator,
        )
    ).json()["items"][0]["status"]
    by_cycle = await client.get(f"{base}/orders?cycle={cycle_id}&status={status}")
    assert number in by_cycle.text
    other_status = "closed" if status != "closed" else "sent"
    assert number not in (await client.get(f"{base}/orders?status={other_status}")).text
    every = await client.get(f"{base}/orders?status=&cycle=")  # the filter form's "all"
    assert every.status_code == 200 and number in every.text
    other_cycle = await client.get(f"{base}/orders?cycle={cycle_id + 1000}")
    assert number not in other_cycle.text and "Tidak ada pesanan yang cocok." in other_cycle.text
    fragment = await client.get(f"{base}/orders?cycle={cycle_id}", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith("<section") and number in fragment.text

    detail = await client.get(f"{base}/orders/{po_id}")
    assert detail.status_code == 200
    html = detail.text
    assert "Kenaikan harga menunggu keputusan Anda" in html and "Rp 999.000" in html
    assert "Pemasok mengonfirmasi" in html  # the timeline shows the stored event
    assert "Batalkan pesanan ini" in html
    version = int(VERSION.search(html).group(1))

    home = await client.get(base)
    assert "Pesanan yang sedang berjalan" in home.text and number in home.text
    assert "1 kenaikan harga menunggu keputusan Anda" in home.text
    assert f'href="{base}/orders/{po_id}"' in home.text

    # CSRF: a form post without the token is refused and changes nothing
    url = f"{base}/orders/{po_id}/lines/{line_no}/price-decision"
    refused = await client.post(url, data={"version": version, "decision": "accept"})
    assert refused.status_code == 403
    # a stale version shows the conflict with the order as it is now
    stale = await client.post(
        url, data={"version": version - 1, "decision": "accept", "_csrf_token": token}
    )
    assert stale.status_code == 409 and "baru saja diubah orang lain" in stale.text
    assert "Rp 999.000" in stale.text  # still held, shown fresh
    # double submit with one Idempotency-Key: one decision, the same answer twice
    key = {"Idempotency-Key": uuid.uuid4().hex}
    form = {"version": version, "decision": "accept", "_csrf_token": token}
    first = await client.post(url, data=form, headers=key)
    second = await client.post(url, data=form, headers=key)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert second.headers.get("idempotent-replayed") == "true"
    api = (
        await client.get(
            f"/v1/satkers/{tenant.satker_id}/purchase-orders/{po_id}", headers=tenant.coordinator
        )
    ).json()
    assert api["version"] == version + 1  # one change, not two
    assert [
        ln["confirmed_price_per_pack_idr"] for ln in api["lines"] if ln["line_no"] == line_no
    ] == [999_000]
    events = await client.get(
        f"/v1/satkers/{tenant.satker_id}/purchase-orders/{po_id}/events",
        headers=tenant.coordinator,
    )
    assert [e["event_type"] for e in events.json()] == ["order.confirmed"]
    done = await client.get(first.headers["location"])
    assert "Kenaikan harga diterima." in done.text

    # cancel: a reason is required; then the order is cancelled with it (If-Match)
    version = api["version"]
    no_reason = await client.post(
        f"{base}/orders/{po_id}/cancel", data={"version": version, "_csrf_token": token}
    )
    assert no_reason.status_code == 422 and "Tulis alasan" in no_reason.text
    cancelled = await client.post(
        f"{base}/orders/{po_id}/cancel",
        data={"version": version, "reason": "pemasok tutup", "_csrf_token": token},
    )
    assert cancelled.status_code == 303
    after = await client.get(cancelled.headers["location"])
    assert "Pesanan dibatalkan." in after.text and "pemasok tutup" in after.text
    assert "Batalkan pesanan ini" not in after.text
    again = await client.post(
        f"{base}/orders/{po_id}/cancel",
        data={"version": version + 1, "reason": "lagi", "_csrf_token": token},
    )
    assert again.status_code == 409 and "tidak bisa lagi" in again.text

    # tenancy: another satker's coordinator finds none of it
    other = await new_satker(engine, name="Satker Lain")
    async with stranger(client) as them:
        await signed_in(engine, them, other, OTHER)
        for path in (f"{base}/orders", f"{base}/orders/{po_id}", f"{base}/invoices"):
            assert (await them.get(path)).status_code == 404, path
        mine = await them.get(f"/console/satkers/{other}/orders/{po_id}")
        assert mine.status_code == 404


async def test_invoices_receipts_balances_and_print_pages(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, clock = setup
    satker = tenant.satker_id
    bb_id = await ordered_bulk_buy(client, tenant, cycle_id)
    await deliver(engine, cabai_kg="7.2")
    settled = await client.post(
        f"/v1/satkers/{satker}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator
    )
    assert settled.status_code == 200, settled.text
    w1 = tenant.warungs[1]
    received = await client.post(
        f"/v1/warungs/{w1}/receipts",
        json={
            "bulk_buy_id": bb_id,
            "lines": [
                {
                    "product_id": products["cabai"],
                    "received": "2.5",
                    "damaged": "0.2",
                    "note": "busuk",
                }
            ],
        },
        headers=tenant.warung_keys[1],
    )
    assert received.status_code == 201, received.text
    invoices = (
        await client.get(f"/v1/satkers/{satker}/invoices", headers=tenant.coordinator)
    ).json()["items"]
    # numbered 1, 2, 3, … for this satker: the warungs by id, then the satker's own stock
    by_serial = sorted(invoices, key=lambda i: i["serial"])
    assert [i["serial"] for i in by_serial] == list(range(1, len(invoices) + 1))
    assert [i["number"] for i in by_serial] == [
        f"INV-{satker}-{n:06d}" for n in range(1, len(invoices) + 1)
    ]
    assert [i["warung_id"] for i in by_serial] == [*tenant.warungs, None]

    clock.advance(days=3)  # cash on delivery: due on delivery day, now overdue
    token = await signed_in(engine, client, satker)
    base = f"/console/satkers/{satker}/invoices"
    page = await client.get(base)
    assert page.status_code == 200
    html = page.text
    assert "Penerimaan kurang atau rusak" in html and "busuk" in html and "Rusak" in html
    assert "Saldo utang per warung" in html
    assert all(i["number"] in html for i in invoices)
    assert f"{base}/print?cycle={cycle_id}" in html

    balances = (
        await client.get(f"/v1/satkers/{satker}/invoices/balances", headers=tenant.coordinator)
    ).json()
    assert {b["warung_id"] for b in balances} == set(tenant.warungs)
    assert all(b["overdue_idr"] == b["owed_idr"] > 0 for b in balances)
    home = await client.get(f"/console/satkers/{satker}")
    assert "3 tagihan lewat jatuh tempo" in home.text
    assert "1 penerimaan dilaporkan kurang atau rusak" in home.text
    assert f'href="{base}#receipts"' in home.text and f'href="{base}#balances"' in home.text

    one = next(i for i in invoices if i["warung_id"] == w1)
    printed = await client.get(f"{base}/{one['id']}/print")
    assert printed.status_code == 200 and one["number"] in printed.text
    assert "Total dibayar" in printed.text and "Lewat jatuh tempo" in printed.text
    assert 'class="topbar"' not in printed.text  # nothing of the console around it
    everything = await client.get(f"{base}/print?cycle={cycle_id}")
    assert everything.text.count('<article class="invoice"') == len(invoices)
    assert (await client.get(f"{base}/print?cycle={cycle_id + 99}")).status_code == 404

    paid_url = f"{base}/{one['id']}/paid"
    form = {"version": one["version"], "cycle": cycle_id, "_csrf_token": token}
    assert (await client.post(paid_url, data={"version": one["version"]})).status_code == 403
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = await client.post(paid_url, data=form, headers=key)
    second = await client.post(paid_url, data=form, headers=key)
    assert first.status_code == second.status_code == 303
    assert second.headers.get("idempotent-replayed") == "true"
    shown = await client.get(first.headers["location"])
    assert "Tagihan ditandai lunas." in shown.text
    stale = await client.post(paid_url, data=form)
    assert stale.status_code == 409 and "baru saja diubah orang lain" in stale.text
    now_paid = (
        await client.get(f"/v1/satkers/{satker}/invoices/{one['id']}", headers=tenant.coordinator)
    ).json()
    assert now_paid["status"] == "paid" and now_paid["version"] == one["version"] + 1
    assert Decimal(now_paid["total_idr"]) > 0

    other = await new_satker(engine, name="Satker Seberang")
    async with stranger(client) as them:
        await signed_in(engine, them, other, OTHER)
        for path in (f"{base}/{one['id']}/print", f"{base}/print?cycle={cycle_id}"):
            assert (await them.get(path)).status_code == 404, path
        them_token = await csrf_token(them, "/console/")
        hit = await them.post(
            paid_url, data={"version": 2, "cycle": cycle_id, "_csrf_token": them_token}
        )
        assert hit.status_code == 404
        assert (
            await them.get(f"/console/satkers/{other}/invoices/{one['id']}/print")
        ).status_code == 404


async def test_beranda_points_at_an_order_its_supplier_never_got(engine, world, system):
    from services.api.app import create_app
    from services.worker.outbox import Dispatcher
    from tests.support_purchasing import make_orders

    container, _, satker, supplier, product = world
    [(po_id, number)] = await make_orders(engine, satker, supplier, product)
    system.refuse = True
    await Dispatcher(container).drain()  # refused for good: a dead letter
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await signed_in(engine, client, satker)
        home = await client.get(f"/console/satkers/{satker}")
        assert "1 pesanan gagal dikirim ke pemasok" in home.text
        assert f'href="/console/satkers/{satker}/orders/{po_id}"' in home.text
        assert number in home.text  # still a draft: in flight until sent or cancelled
        assert "Tidak ada yang menunggu Anda." not in home.text
