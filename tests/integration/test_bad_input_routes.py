"""Bad input by route: margins and dates out of range, satkers that do not exist, how problem
bodies name parameters, one charset on text responses, times of day, and the idempotency scope
of public routes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.api.paging import encode_cursor
from services.clock import FixedClock
from tests.support import new_satker
from tests.support_demand import DAILY_FRESH, app_client, at, new_tenant
from tests.support_inputs import (
    MORNING,
    assert_problem,
    pointers,
)

# 8. ranges -----------------------------------------------------------------------------


async def test_satker_margins_share_the_margin_rules_bounds(inputs):
    client, tenant, _, admin, _ = inputs
    url = f"/v1/satkers/{tenant.satker_id}"
    for change, pointer in [
        ({"target_margin": "10", "min_margin": "5"}, "/target_margin"),
        ({"target_margin": "1"}, "/target_margin"),
        ({"min_margin": "-0.1"}, "/min_margin"),
        ({"below_market_pct": "1.5"}, "/below_market_pct"),
        ({"target_margin": "0.05", "min_margin": "0.10"}, "/min_margin"),
        ({"target_margin": "1e-1"}, "/target_margin"),
        ({"min_margin": "0.5"}, "/min_margin"),  # above the stored target, 0.08
    ]:
        patched = await client.patch(url, json=change, headers=admin)
        assert pointer in pointers(assert_problem(patched)), (change, patched.text)
        rule = await client.put(f"{url}/margin-rules/fresh", json=change, headers=admin)
        assert rule.status_code == 400, (change, rule.text)
    satker = await client.get(url, headers=admin)
    assert satker.json()["target_margin"] == "0.0800"
    ok = await client.patch(url, json={"target_margin": 0.1, "min_margin": "0.05"}, headers=admin)
    assert ok.status_code == 200, ok.text


async def test_dates_outside_a_sane_window_are_400(inputs):
    client, tenant, products, admin, _ = inputs
    price = {"sku": "BRS-MED", "kota": "Kota Palembang", "price_idr": 13_000}
    for day in ("0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"):
        made = await client.post(
            "/v1/market-prices", json={**price, "price_date": day}, headers=admin
        )
        assert pointers(assert_problem(made)) == ["/price_date"]
        preorder = {
            "product_id": products["cabai"],
            "quantity": 1,
            "customer_ref": "Bu Ani",
            "needed_by": day,
        }
        made = await client.post(
            f"/v1/warungs/{tenant.warungs[0]}/preorders",
            json=preorder,
            headers=tenant.warung_keys[0],
        )
        assert pointers(assert_problem(made)) == ["/needed_by"]


# 9. a satker that does not exist --------------------------------------------------------


async def test_an_admin_asking_for_a_missing_satker_gets_404_on_every_list(inputs):
    client, tenant, _, admin, _ = inputs
    app = client._transport.app  # the Litestar app behind the client
    lists = sorted(
        {
            route.path
            for route in app.routes
            if route.path.startswith("/v1/satkers/{satker_id:int}")
            and route.path.count("{") == 1
            and "GET" in route.methods
        }
    )
    assert "/v1/satkers/{satker_id:int}/deliveries" in lists and len(lists) >= 8
    for path in lists:
        missing = path.replace("{satker_id:int}", "424242")
        body = assert_problem(await client.get(missing, headers=admin), 404)
        assert "satker 424242" in body["detail"], path
        present = path.replace("{satker_id:int}", str(tenant.satker_id))
        assert (await client.get(present, headers=admin)).status_code == 200, path


# 10. problem bodies -------------------------------------------------------------------


async def test_parameters_are_named_in_plain_words_and_a_missing_body_points_at_the_root(inputs):
    client, _tenant, _, admin, _ = inputs
    bad = await client.get("/v1/satkers?limit=0", headers=admin)
    [error] = assert_problem(bad)["errors"]
    assert (error["parameter"], error["in"]) == ("limit", "query")
    missing = await client.post("/v1/satkers", headers=admin)
    assert pointers(assert_problem(missing)) == [""]
    for forged in (2**64, "x", True):
        cursor = encode_cursor(forged)
        listed = await client.get(f"/v1/satkers?cursor={cursor}", headers=admin)
        [error] = assert_problem(listed)["errors"]
        assert (error["parameter"], error["in"]) == ("cursor", "query")


# 11. one charset -----------------------------------------------------------------------


async def test_trader_pages_and_csv_have_one_charset(inputs):
    client, tenant, _, admin, _ = inputs
    page = await client.get("/v1/trader-links/not-a-token")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    report = await client.get(
        f"/v1/satkers/{tenant.satker_id}/reports/suppliers?format=csv", headers=admin
    )
    assert report.headers["content-type"] == "text/csv; charset=utf-8"


# 15. cycle-template times ---------------------------------------------------------------


async def test_cycle_template_times_take_hours_and_minutes(engine, make_container):
    tenant = await new_tenant(engine, warungs=0)
    async with app_client(make_container, FixedClock(at(MORNING))) as client:
        template = {**DAILY_FRESH, "opens_at": "06:00", "cutoff_at": "12:00:30"}
        made = await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=template,
            headers=tenant.coordinator,
        )
        assert made.status_code == 201, made.text
        assert (made.json()["opens_at"], made.json()["cutoff_at"]) == ("06:00:00", "12:00:30")
        for bad in ("6:00", "24:00", "06:60", "06:00:00.5", "PT6H", "06:00Z"):
            refused = await client.post(
                f"/v1/satkers/{tenant.satker_id}/cycle-templates",
                json={**DAILY_FRESH, "opens_at": bad},
                headers=tenant.coordinator,
            )
            assert pointers(assert_problem(refused)) == ["/opens_at"], bad
        schema = (await client.get("/schema/openapi.json")).json()
        props = schema["components"]["schemas"]["CycleTemplateCreate"]["properties"]
        assert props["opens_at"].get("format") != "duration"
        assert "HH:MM" in str(props["opens_at"])


# 16. idempotency on public routes --------------------------------------------------------


async def test_public_callers_do_not_share_an_idempotency_scope(engine, world_po, api_po):
    from contracts.events import OrderConfirmed
    from tests.support_purchasing import NOW, encode_events, make_orders, sign

    _container, satker, suppliers, product = world_po
    results = []
    for supplier in suppliers:
        [(_, number)] = await make_orders(engine, satker, supplier, product)
        async with engine.connect() as conn:
            secret = (
                await conn.execute(
                    text("SELECT webhook_secret FROM supplier WHERE id = :s"), {"s": supplier}
                )
            ).scalar()
        body = encode_events(OrderConfirmed(event_id="e1", po_number=number, occurred_at=NOW))
        results.append(
            await api_po.post(
                f"/v1/suppliers/{supplier}/webhooks",
                content=body,
                headers={"x-signature": sign(secret, body), "Idempotency-Key": "same-key"},
            )
        )
    assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
    assert [r.headers.get("idempotent-replayed") for r in results] == [None, None]
    async with engine.connect() as conn:
        scopes = (await conn.execute(text("SELECT principal FROM idempotency_record"))).all()
    assert len({s for (s,) in scopes}) == 2


@pytest.fixture
async def world_po(engine, make_container, system):
    from contracts.api.catalogue import SupplierCreate
    from services.app.suppliers import create_supplier
    from services.db.tx import Tx
    from services.registry import AdapterRegistry
    from tests.support_purchasing import NOW, FakeFactory

    container = make_container(
        clock=FixedClock(NOW), adapters=AdapterRegistry({"fake": FakeFactory(system)})
    )
    satker = await new_satker(engine)
    suppliers = []
    async with Tx(engine) as tx:
        for name in ("Grosir Satu", "Grosir Dua"):
            made = await create_supplier(
                tx, SupplierCreate(name=name, adapter_key="fake"), container.adapters
            )
            suppliers.append(made.id)
        product = await (await tx.raw()).fetchval(
            "INSERT INTO product (sku, name, category, retail_unit) VALUES"
            " ('MIE-GRG', 'Mie instan goreng', 'sembako', 'pcs') RETURNING id"
        )
    return container, satker, suppliers, product


@pytest.fixture
async def api_po(world_po):
    import httpx

    from services.api.app import create_app

    transport = httpx.ASGITransport(app=create_app(world_po[0]))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def test_warung_names_still_take_ordinary_text(inputs):
    client, tenant, _, admin, _ = inputs
    warung = {
        "name": "Warung Bu Sari — sembako & sayur",
        "owner_name": "Sari",
        "phone": "081234567890",
        "address": "Jl. Mayor Zen No. 12, RT 03",
    }
    made = await client.post(f"/v1/satkers/{tenant.satker_id}/warungs", json=warung, headers=admin)
    assert made.status_code == 201, made.text
