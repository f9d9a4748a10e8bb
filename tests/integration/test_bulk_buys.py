"""The bulk buy end to end through HTTP: restock requests → closed cycle → quotes from every
supplier at once (one fails, one is too slow) → split → prices and flags → overrides →
one or two approvals → purchase orders with outbox rows; plus the approval race and rejection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from contracts.adapter import Capability, PackOffer, SupplierQuote, TierPrice
from contracts.api.catalogue import SupplierCreate
from services.api.app import create_app
from services.app.suppliers import create_supplier
from services.clock import FixedClock
from services.db.tx import Tx
from services.registry import AdapterRegistry
from services.settings import Settings
from tests.support import bearer, new_key
from tests.support_demand import DAILY_FRESH, at, new_product, new_tenant

MORNING = at("2026-11-24T03:00:00+00:00")  # 10:00 WIB, before the 12:00 cut-off

# per sku: (units per pack, [(min packs, pack price)])
CATALOGUE = {
    "CBI-MRH": (Decimal(1), [(1, 52_000), (10, 50_000)]),  # cabai merah keriting, per kg
    "TELUR": (Decimal(15), [(1, 380_000), (5, 370_000)]),  # peti 15 kg
}


class QuotingAdapter:
    key = "fake"
    capabilities = frozenset({Capability.QUOTE})

    def __init__(self, behaviour: str, fee: int) -> None:
        self.behaviour = behaviour
        self.fee = fee

    async def quote(self, request):
        if self.behaviour == "fail":
            raise RuntimeError("supplier is down")
        if self.behaviour == "slow":
            await asyncio.sleep(5)
        offers = tuple(
            PackOffer(
                sku=item.sku,
                pack_name="pack",
                units_per_pack=CATALOGUE[item.sku][0],
                tiers=tuple(
                    TierPrice(min_packs=m, price_per_pack_idr=p) for m, p in CATALOGUE[item.sku][1]
                ),
            )
            for item in request.items
            if item.sku in CATALOGUE
        )
        return SupplierQuote(
            supplier_id=0,
            quote_ref=f"Q-{self.behaviour}",
            valid_until=datetime(2026, 11, 25, tzinfo=UTC),
            offers=offers,
            delivery_fee_idr=self.fee,
        )


class QuotingFactory:
    key = "fake"
    capabilities = frozenset({Capability.QUOTE})

    def validate_config(self, config):
        return None

    def create(self, config, context):
        return QuotingAdapter(config.get("behaviour", "ok"), config.get("fee", 0))


@pytest.fixture
async def setup(engine, make_container):
    tenant = await new_tenant(engine, warungs=3)
    cabai = await new_product(engine, sku="CBI-MRH", name="Cabai merah keriting", category="fresh")
    telur = await new_product(engine, sku="TELUR", name="Telur ayam ras", category="protein")
    clock = FixedClock(MORNING)
    container = make_container(
        clock=clock,
        adapters=AdapterRegistry({"fake": QuotingFactory()}),
        settings=Settings(
            api_key_cache_seconds=0.0, supplier_timeout_seconds=0.3, quote_deadline_seconds=1.0
        ),
    )
    async with Tx(engine) as tx:
        for name, behaviour, fee in (
            ("Grosir A", "ok", 50_000),
            ("Grosir B", "fail", 0),
            ("Grosir C", "slow", 0),
        ):
            await create_supplier(
                tx,
                SupplierCreate(
                    name=name,
                    adapter_key="fake",
                    adapter_config={"behaviour": behaviour, "fee": fee},
                    regions=["Kota Palembang"],
                ),
                container.adapters,
            )
        raw = await tx.raw()
        # market reference for cabai only: telur will be flagged NO_MARKET_REFERENCE
        await raw.execute(
            "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
            " VALUES ($1, 'Kota Palembang', '2026-11-24', 63000, 'SP2KP')",
            cabai,
        )
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        orders = [
            [(cabai, "4.5", True), (telur, "15", False)],
            [(cabai, "3", False)],
            [(telur, "10", False)],
        ]
        for key, lines in zip(tenant.warung_keys, orders, strict=True):
            made = await client.post(
                "/v1/restock-requests",
                json={
                    "lines": [
                        {"product_id": p, "quantity": q, "for_preorder": f} for p, q, f in lines
                    ]
                },
                headers=key,
            )
            assert made.status_code == 201, made.text
        cycle = (
            await client.get(f"/v1/satkers/{tenant.satker_id}/cycles", headers=tenant.coordinator)
        ).json()["items"][0]
        closed = await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycles/{cycle['id']}/close", headers=tenant.coordinator
        )
        assert closed.status_code == 200, closed.text
        yield client, tenant, cycle["id"], {"cabai": cabai, "telur": telur}, clock


async def test_from_requests_to_purchase_orders(engine, setup):
    client, tenant, cycle_id, products, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    built = await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    assert built.status_code == 201, built.text
    bb = built.json()
    assert bb["status"] == "proposed" and bb["solver"] == "highs"
    assert {q["status"] for q in bb["quotes"]} == {"ok", "failed", "timeout"}
    lines = {ln["sku"]: ln for ln in bb["lines"]}
    cabai, telur = lines["CBI-MRH"], lines["TELUR"]
    assert Decimal(cabai["demand"]) == Decimal("7.5") and cabai["warungs"] == 2
    assert Decimal(cabai["preorder_quantity"]) == Decimal("4.5")
    assert Decimal(cabai["covered"]) >= Decimal("7.5")
    assert Decimal(telur["demand"]) == 25 and telur["allocations"][0]["packs"] == 2
    # cabai: 8 kg × 52,000 plus its share of the 50,000 fee; retail capped below the market
    assert cabai["market_ref_idr"] == 63_000
    assert cabai["suggested_retail_idr"] <= 63_000 * 0.95 and cabai["flags"] == []
    assert cabai["customer_saving_per_unit_idr"] > 0
    assert telur["flags"] == ["NO_MARKET_REFERENCE"] and telur["blocking"]
    assert bb["total_idr"] == 8 * 52_000 + 2 * 380_000 + 50_000
    assert bb["approvals_needed"] == 1
    # traceable: the bulk line's demand is the sum of the warungs' lines
    async with engine.connect() as conn:
        summed = (
            await conn.execute(
                text(
                    "SELECT sum(l.quantity) FROM restock_line l JOIN restock_request r ON r.satker_id = l.satker_id"
                    " AND r.id = l.request_id WHERE r.cycle_id = :c AND l.product_id = :p"
                ),
                {"c": cycle_id, "p": products["cabai"]},
            )
        ).scalar()
    assert summed == Decimal("7.5")

    url = f"{base}/bulk-buys/{bb['id']}"
    blocked = await client.post(
        f"{url}/approve", headers={**tenant.coordinator, "If-Match": built.headers["etag"]}
    )
    assert blocked.status_code == 422
    assert blocked.json()["errors"][0]["pointer"] == "/lines/TELUR"
    no_reason = await client.post(
        f"{url}/lines/{products['telur']}/override", json={"reason": ""}, headers=tenant.coordinator
    )
    assert no_reason.status_code == 400
    overridden = await client.post(
        f"{url}/lines/{products['telur']}/override",
        json={"reason": "harga telur pasar belum tercatat hari ini; harga grosir wajar"},
        headers=tenant.coordinator,
    )
    assert overridden.status_code == 200 and not overridden.json()["lines"][1]["blocking"]
    approved = await client.post(
        f"{url}/approve", headers={**tenant.coordinator, "If-Match": overridden.headers["etag"]}
    )
    assert approved.status_code == 200, approved.text
    assert (
        approved.json()["status"] == "ordered" and len(approved.json()["purchase_order_ids"]) == 1
    )
    async with engine.connect() as conn:
        po = (
            await conn.execute(
                text("SELECT goods_idr, delivery_fee_idr, status FROM purchase_order")
            )
        ).one()
        outbox = (
            await conn.execute(text("SELECT count(*) FROM outbox WHERE kind = 'place_order'"))
        ).scalar()
        statuses = (
            (await conn.execute(text("SELECT DISTINCT status FROM restock_request")))
            .scalars()
            .all()
        )
    assert tuple(po) == (8 * 52_000 + 2 * 380_000, 50_000, "draft") and outbox == 1
    assert statuses == ["ordered"]
    again = await client.post(
        f"{url}/approve", headers={**tenant.coordinator, "If-Match": approved.headers["etag"]}
    )
    assert again.status_code == 409 and again.json()["current_state"] == "ordered"


async def test_above_the_threshold_two_different_coordinators_approve(engine, setup):
    client, tenant, cycle_id, products, _ = setup
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE satker SET second_approval_threshold_idr = 100000"))
    base = f"/v1/satkers/{tenant.satker_id}"
    bb = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    url = f"{base}/bulk-buys/{bb['id']}"
    dropped = await client.post(
        f"{url}/lines/{products['telur']}/drop",
        json={"reason": "beli di pasar sendiri"},
        headers=tenant.coordinator,
    )
    assert dropped.json()["approvals_needed"] == 2
    first = await client.post(
        f"{url}/approve", headers={**tenant.coordinator, "If-Match": dropped.headers["etag"]}
    )
    assert first.json()["status"] == "proposed" and len(first.json()["approvals"]) == 1
    same = await client.post(
        f"{url}/approve", headers={**tenant.coordinator, "If-Match": first.headers["etag"]}
    )
    assert same.status_code == 422
    second_coordinator = bearer(await new_key(engine, "coordinator", satker_id=tenant.satker_id))
    second = await client.post(
        f"{url}/approve", headers={**second_coordinator, "If-Match": first.headers["etag"]}
    )
    assert second.json()["status"] == "ordered"
    async with engine.connect() as conn:
        skus = (await conn.execute(text("SELECT sku FROM purchase_order_line"))).scalars().all()
    assert skus == ["CBI-MRH"]  # the dropped line is not ordered


async def test_two_concurrent_approvals_give_one_winner(engine, setup):
    client, tenant, cycle_id, products, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    bb = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    url = f"{base}/bulk-buys/{bb['id']}"
    ok = await client.post(
        f"{url}/lines/{products['telur']}/override",
        json={"reason": "harga wajar"},
        headers=tenant.coordinator,
    )
    other = bearer(await new_key(engine, "coordinator", satker_id=tenant.satker_id))
    tag = ok.headers["etag"]
    results = await asyncio.gather(
        client.post(f"{url}/approve", headers={**tenant.coordinator, "If-Match": tag}),
        client.post(f"{url}/approve", headers={**other, "If-Match": tag}),
    )
    assert sorted(r.status_code for r in results) == [200, 412]
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM purchase_order"))).scalar() == 1


async def test_rejection_returns_the_requests_with_the_reason(engine, setup):
    client, tenant, cycle_id, _, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    bb = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    other_tenant = await new_tenant(engine, warungs=0)
    hidden = await client.get(f"{base}/bulk-buys/{bb['id']}", headers=other_tenant.coordinator)
    assert hidden.status_code == 404
    rejected = await client.post(
        f"{base}/bulk-buys/{bb['id']}/reject",
        json={"reason": "harga cabai terlalu tinggi"},
        headers=tenant.coordinator,
    )
    assert rejected.json()["status"] == "rejected"
    mine = (await client.get("/v1/restock-requests", headers=tenant.warung_keys[0])).json()["items"]
    assert {r["status"] for r in mine} == {"cancelled"}
    async with engine.connect() as conn:
        notes = (
            (await conn.execute(text("SELECT DISTINCT note FROM restock_request"))).scalars().all()
        )
    assert notes == ["bulk buy rejected: harga cabai terlalu tinggi"]
    again = await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    assert again.status_code == 409


async def test_the_worker_builds_the_bulk_buy_of_a_cycle_that_closed(engine, setup, make_container):
    from services.worker.runner import consolidate_closed_cycles

    client, _, cycle_id, _, _ = setup
    container = client._transport.app.state.container
    assert await consolidate_closed_cycles(container) == 1
    assert await consolidate_closed_cycles(container) == 0
    async with engine.connect() as conn:
        status = (
            await conn.execute(
                text("SELECT status FROM bulk_buy WHERE cycle_id = :c"), {"c": cycle_id}
            )
        ).scalar()
    assert status == "proposed"


async def test_category_margins_price_lines_and_a_drop_tells_the_warungs(engine, setup):
    client, tenant, cycle_id, products, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    # fresh goods need 12-15 %: under the market cap (63,000 × 0.95) cabai cannot make that
    rule = await client.put(
        f"{base}/margin-rules/fresh",
        json={"target_margin": "0.15", "min_margin": "0.12"},
        headers=tenant.coordinator,
    )
    assert rule.status_code == 200, rule.text
    listed = await client.get(f"{base}/margin-rules", headers=tenant.coordinator)
    [fresh] = listed.json()
    assert fresh["category"] == "fresh"
    assert (Decimal(fresh["target_margin"]), Decimal(fresh["min_margin"])) == (
        Decimal("0.15"),
        Decimal("0.12"),
    )

    bb = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    cabai = next(ln for ln in bb["lines"] if ln["sku"] == "CBI-MRH")
    assert cabai["flags"] == ["MARGIN_SQUEEZED"]
    assert cabai["suggested_retail_idr"] <= 63_000 * 95 // 100

    dropped = await client.post(
        f"{base}/bulk-buys/{bb['id']}/lines/{products['cabai']}/drop",
        json={"reason": "cabai terlalu mahal minggu ini"},
        headers=tenant.coordinator,
    )
    assert dropped.status_code == 200, dropped.text
    mine = (await client.get("/v1/restock-requests", headers=tenant.warung_keys[0])).json()
    request = (
        await client.get(
            f"/v1/restock-requests/{mine['items'][0]['id']}", headers=tenant.warung_keys[0]
        )
    ).json()
    reasons = {ln["product_id"]: ln["dropped_reason"] for ln in request["lines"]}
    assert reasons == {products["cabai"]: "cabai terlalu mahal minggu ini", products["telur"]: None}

    # without the rule the satker default (8 %, minimum 2 %) fits under the cap again, and a
    # fresh quote clears the notice
    removed = await client.delete(f"{base}/margin-rules/fresh", headers=tenant.coordinator)
    assert removed.status_code == 204
    again = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    assert next(ln for ln in again["lines"] if ln["sku"] == "CBI-MRH")["flags"] == []
    request = (
        await client.get(f"/v1/restock-requests/{request['id']}", headers=tenant.warung_keys[0])
    ).json()
    assert all(ln["dropped_reason"] is None for ln in request["lines"])


async def test_margin_rules_are_checked_and_kept_to_their_satker(engine, setup):
    client, tenant, _, _, _ = setup
    url = f"/v1/satkers/{tenant.satker_id}/margin-rules"
    inverted = await client.put(
        f"{url}/fresh",
        json={"target_margin": "0.05", "min_margin": "0.10"},
        headers=tenant.coordinator,
    )
    assert inverted.status_code == 400
    assert inverted.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in inverted.json()["errors"]] == ["/min_margin"]
    unknown = await client.put(
        f"{url}/obat",
        json={"target_margin": "0.1", "min_margin": "0.05"},
        headers=tenant.coordinator,
    )
    assert unknown.status_code == 400
    warung = await client.put(
        f"{url}/fresh",
        json={"target_margin": "0.1", "min_margin": "0.05"},
        headers=tenant.warung_keys[0],
    )
    assert warung.status_code == 403
    other = await new_tenant(engine, warungs=0)
    foreign = await client.get(url, headers=other.coordinator)
    assert foreign.status_code == 404
    assert (await client.delete(f"{url}/protein", headers=tenant.coordinator)).status_code == 404


async def test_a_quote_without_a_fee_takes_the_suppliers_registered_one(engine, setup):
    client, tenant, cycle_id, _, _ = setup
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE supplier SET delivery_fee_idr = 40000,"
                " adapter_config = adapter_config || '{\"fee\": 0}'::jsonb WHERE name = 'Grosir A'"
            )
        )
    bb = (
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator
        )
    ).json()
    [ok] = [q for q in bb["quotes"] if q["status"] == "ok"]
    assert ok["delivery_fee_idr"] == 40_000
    assert bb["total_idr"] == 8 * 52_000 + 2 * 380_000 + 40_000


async def test_market_prices_count_by_the_satkers_own_day_not_utcs(engine, setup):
    """At 01:00 WIB on 25 November it is still the 24th in UTC: a reference dated the 25th
    (the satker's today) is the one that prices the lines."""
    client, tenant, cycle_id, products, clock = setup
    clock.now = at("2026-11-24T18:00:00+00:00")
    async with Tx(engine) as tx:
        await (await tx.raw()).execute(
            "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
            " VALUES ($1, 'Kota Palembang', '2026-11-25', 30000, 'SP2KP')",
            products["telur"],
        )
    base = f"/v1/satkers/{tenant.satker_id}"
    built = await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    assert built.status_code == 201, built.text
    telur = next(ln for ln in built.json()["lines"] if ln["sku"] == "TELUR")
    assert telur["market_ref_idr"] == 30_000
    assert "NO_MARKET_REFERENCE" not in telur["flags"]
