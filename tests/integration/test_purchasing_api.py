"""Purchase orders over HTTP: coordinator views and cancel, dead letters, the supplier feed
and events, and signed webhooks."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from contracts.api.registry import ApiKeyCreate, KeyRole
from contracts.events import OrderConfirmed, OrderDespatched
from services.api.app import create_app
from services.app.api_keys import create_api_key
from services.db.tx import Tx
from services.worker.outbox import Dispatcher
from tests.support import bearer, new_key, new_satker
from tests.support_purchasing import NOW, encode_events, make_orders, sign


@pytest.fixture
async def api(world):
    container = world[0]
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def supplier_key(engine, supplier_id):
    async with Tx(engine) as tx:
        return (
            await create_api_key(tx, ApiKeyCreate(role=KeyRole.SUPPLIER, supplier_id=supplier_id))
        ).key


async def test_coordinator_sees_and_cancels_its_orders_only(engine, world, api):
    container, _, satker, supplier, product = world
    [(po_id, number)] = await make_orders(engine, satker, supplier, product)
    coord = bearer(await new_key(engine, "coordinator", satker_id=satker))
    other = bearer(await new_key(engine, "coordinator", satker_id=await new_satker(engine)))
    listed = await api.get(f"/v1/satkers/{satker}/purchase-orders", headers=coord)
    assert [p["po_number"] for p in listed.json()["items"]] == [number]
    assert listed.json()["items"][0]["lines"][0]["packs"] == 10
    assert (
        await api.get(f"/v1/satkers/{satker}/purchase-orders/{po_id}", headers=other)
    ).status_code == 404
    one = await api.get(f"/v1/satkers/{satker}/purchase-orders/{po_id}", headers=coord)
    stale = await api.post(
        f"/v1/satkers/{satker}/purchase-orders/{po_id}/cancel", headers={**coord, "If-Match": '"0"'}
    )
    assert stale.status_code == 412
    cancelled = await api.post(
        f"/v1/satkers/{satker}/purchase-orders/{po_id}/cancel",
        headers={**coord, "If-Match": one.headers["etag"]},
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await api.post(f"/v1/satkers/{satker}/purchase-orders/{po_id}/cancel", headers=coord)
    assert again.status_code == 409
    assert again.json()["current_state"] == "cancelled"
    assert await Dispatcher(container).drain() == 0  # the unsent order is never sent


async def test_dead_letters_are_listed_and_requeued_by_admins(engine, world, api, system):
    container, _, satker, supplier, product = world
    await make_orders(engine, satker, supplier, product)
    system.refuse = True
    await Dispatcher(container).drain()
    admin = bearer(await new_key(engine, "admin"))
    dead = (await api.get("/v1/outbox?status=dead", headers=admin)).json()["items"]
    assert len(dead) == 1 and "sku not sold here" in dead[0]["last_error"]
    coord = bearer(await new_key(engine, "coordinator", satker_id=satker))
    assert (await api.get("/v1/outbox", headers=coord)).status_code == 403
    system.refuse = False
    requeued = await api.post(f"/v1/outbox/{satker}/{dead[0]['id']}/requeue", headers=admin)
    assert requeued.status_code == 200
    assert await Dispatcher(container).drain() == 1
    assert (
        system.orders
        and (await api.get("/v1/outbox?status=dead", headers=admin)).json()["items"] == []
    )


async def test_supplier_feed_and_posted_events_are_scoped_and_idempotent(engine, world, api):
    container, _, satker, supplier, product = world
    [(po_id, number)] = await make_orders(engine, satker, supplier, product)
    await Dispatcher(container).drain()
    key = bearer(await supplier_key(engine, supplier))
    feed = (await api.get("/v1/supplier/purchase-orders?status=sent", headers=key)).json()
    assert [p["po_number"] for p in feed["items"]] == [number]
    event = {
        "type": "order.confirmed",
        "event_id": "c-1",
        "po_number": number,
        "occurred_at": NOW.isoformat(),
    }
    first = await api.post(f"/v1/supplier/purchase-orders/{po_id}/events", json=event, headers=key)
    again = await api.post(f"/v1/supplier/purchase-orders/{po_id}/events", json=event, headers=key)
    assert first.json()["status"] == "confirmed" and not first.json()["duplicate"]
    assert again.json()["duplicate"] is True
    wrong = await api.post(
        f"/v1/supplier/purchase-orders/{po_id}/events",
        json={**event, "type": "order.teleported"},
        headers=key,
    )
    assert wrong.status_code == 400
    coord = bearer(await new_key(engine, "coordinator", satker_id=satker))
    assert (await api.get("/v1/supplier/purchase-orders", headers=coord)).status_code == 403


async def test_webhooks_need_a_valid_signature_and_apply_once(engine, world, api):
    container, _, satker, supplier, product = world
    [(_, number)] = await make_orders(engine, satker, supplier, product)
    await Dispatcher(container).drain()
    async with engine.connect() as conn:
        secret = (await conn.execute(text("SELECT webhook_secret FROM supplier"))).scalar()
    body = encode_events(
        OrderConfirmed(event_id="w1", po_number=number, occurred_at=NOW),
        OrderDespatched(event_id="w2", po_number=number, occurred_at=NOW),
    )
    url = f"/v1/suppliers/{supplier}/webhooks"
    bad = await api.post(url, content=body, headers={"x-signature": "0" * 64})
    assert bad.status_code == 401
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM supplier_event"))).scalar() == 0
    good = await api.post(url, content=body, headers={"x-signature": sign(secret, body)})
    assert good.status_code == 200 and [r["status"] for r in good.json()] == [
        "confirmed",
        "despatched",
    ]
    replay = await api.post(url, content=body, headers={"x-signature": sign(secret, body)})
    assert replay.status_code == 200 and all(r["duplicate"] for r in replay.json())


async def test_a_price_rise_above_tolerance_waits_for_the_coordinator(engine, world, api):
    container, _, satker, supplier, product = world
    [(po_id, number)] = await make_orders(engine, satker, supplier, product)
    await Dispatcher(container).drain()
    key = bearer(await supplier_key(engine, supplier))
    rise = {
        "type": "order.confirmed",
        "event_id": "c-rise",
        "po_number": number,
        "occurred_at": NOW.isoformat(),
        # 118,000 ordered; 130,000 is more than the 3 % tolerance
        "lines": [
            {"line_no": 1, "outcome": "changed", "price_per_pack_idr": 130_000, "reason": "naik"}
        ],
    }
    applied = await api.post(f"/v1/supplier/purchase-orders/{po_id}/events", json=rise, headers=key)
    assert applied.status_code == 200, applied.text
    coord = bearer(await new_key(engine, "coordinator", satker_id=satker))
    url = f"/v1/satkers/{satker}/purchase-orders/{po_id}"
    held = await api.get(url, headers=coord)
    [line] = held.json()["lines"]
    assert line["status"] == "pending_approval" and line["proposed_price_per_pack_idr"] == 130_000
    assert line["confirmed_price_per_pack_idr"] is None
    stale = await api.post(
        f"{url}/lines/1/price-decision", json={"accept": True}, headers={**coord, "If-Match": '"0"'}
    )
    assert stale.status_code == 412
    missing = await api.post(f"{url}/lines/9/price-decision", json={"accept": True}, headers=coord)
    assert missing.status_code == 404
    accepted = await api.post(
        f"{url}/lines/1/price-decision",
        json={"accept": True},
        headers={**coord, "If-Match": held.headers["etag"]},
    )
    assert accepted.status_code == 200, accepted.text
    [line] = accepted.json()["lines"]
    assert (line["status"], line["confirmed_price_per_pack_idr"]) == ("changed", 130_000)
    again = await api.post(f"{url}/lines/1/price-decision", json={"accept": False}, headers=coord)
    assert again.status_code == 409


async def test_a_cancel_keeps_its_reason_and_an_order_lists_its_events(engine, world, api):
    container, _, satker, supplier, product = world
    [(po_id, number)] = await make_orders(engine, satker, supplier, product)
    await Dispatcher(container).drain()
    coord = bearer(await new_key(engine, "coordinator", satker_id=satker))
    other = bearer(await new_key(engine, "coordinator", satker_id=await new_satker(engine)))
    url = f"/v1/satkers/{satker}/purchase-orders/{po_id}"
    assert (await api.get(f"{url}/events", headers=coord)).json() == []
    key = bearer(await supplier_key(engine, supplier))
    confirmed = {
        "type": "order.confirmed",
        "event_id": "c-ok",
        "po_number": number,
        "occurred_at": NOW.isoformat(),
    }
    posted = await api.post(
        f"/v1/supplier/purchase-orders/{po_id}/events", json=confirmed, headers=key
    )
    assert posted.status_code == 200, posted.text
    [event] = (await api.get(f"{url}/events", headers=coord)).json()
    assert event["event_id"] == "c-ok" and event["event_type"] == "order.confirmed"
    assert event["occurred_at"].startswith(NOW.isoformat()[:19])
    assert (await api.get(f"{url}/events", headers=other)).status_code == 404
    by_cycle = await api.get(f"/v1/satkers/{satker}/purchase-orders?cycle_id=999", headers=coord)
    assert by_cycle.json()["items"] == []  # the order belongs to no bulk buy of that cycle

    too_long = await api.post(f"{url}/cancel", json={"reason": "x" * 501}, headers=coord)
    assert too_long.status_code == 400
    unknown = await api.post(f"{url}/cancel", json={"why": "tutup"}, headers=coord)
    assert unknown.status_code == 400
    cancelled = await api.post(f"{url}/cancel", json={"reason": "toko tutup"}, headers=coord)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "toko tutup"
    assert (await api.get(url, headers=coord)).json()["cancel_reason"] == "toko tutup"
