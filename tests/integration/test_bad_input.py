"""Bad input at the edges: every request a client can send gets a 4xx problem, never a 500.

Ids, money and quantities beyond what the columns hold, control characters in text, deep
nesting, wrong content types, out-of-range margins and dates, and satkers that do not exist.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.clock import FixedClock
from tests.support import bearer, new_key, new_satker
from tests.support_demand import DAILY_FRESH, app_client, at, new_product, new_tenant

# Tuesday 24 November 2026, 10:00 WIB: the daily cycle (06:00–12:00 WIB) is open.
MORNING = "2026-11-24T03:00:00+00:00"
INT64_MAX = 2**63 - 1
HUGE = [INT64_MAX + 1, 2**64, 10**20]

SATKER = {
    "name": "Satker Kalidoni",
    "kecamatan": "Kalidoni",
    "kota": "Kota Palembang",
    "province": "Sumatera Selatan",
    "timezone": "Asia/Jakarta",
}


def assert_problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    return body


def pointers(body: dict) -> list[str]:
    return [e.get("pointer", e.get("parameter")) for e in body.get("errors", [])]


@pytest.fixture
async def world(engine, make_container):
    """A satker with an open daily cycle, a warung key, a whole-unit and a kg product."""
    tenant = await new_tenant(engine, warungs=1)
    products = {
        "ayam": await new_product(
            engine, name="Ayam potong", category="protein", retail_unit="ekor", fractional=False
        ),
        "cabai": await new_product(engine, name="Cabai merah", category="fresh"),
    }
    admin = bearer(await new_key(engine, "admin"))
    async with app_client(make_container, FixedClock(at(MORNING))) as client:
        made = await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        assert made.status_code == 201, made.text
        yield client, tenant, products, admin, engine


async def _rows(engine, table: str) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar()


# 1. integers beyond int64 ---------------------------------------------------------------


@pytest.mark.parametrize("huge", HUGE)
async def test_path_ids_beyond_int64_are_400(world, huge):
    client, tenant, _, admin, _ = world
    body = assert_problem(await client.get(f"/v1/satkers/{huge}", headers=admin))
    assert body["errors"] == [
        {"parameter": "satker_id", "in": "path", "detail": f"must be at most {INT64_MAX}"}
    ]
    submit = await client.post(f"/v1/restock-requests/{huge}/submit", headers=tenant.warung_keys[0])
    assert pointers(assert_problem(submit)) == ["request_id"]


@pytest.mark.parametrize(
    ("route", "name"),
    [("reports/savings?cycle_id={}", "cycle_id"), ("invoices?bulk_buy_id={}", "bulk_buy_id")],
)
async def test_query_ids_beyond_int64_are_400(world, route, name):
    client, tenant, _, admin, _ = world
    for huge in HUGE:
        url = f"/v1/satkers/{tenant.satker_id}/{route.format(huge)}"
        body = assert_problem(await client.get(url, headers=admin))
        assert body["errors"][0]["parameter"] == name and body["errors"][0]["in"] == "query"


async def test_body_ids_and_money_beyond_their_columns_are_400(world):
    client, tenant, _products, admin, engine = world
    for huge in HUGE:
        line = {"lines": [{"product_id": huge, "quantity": 1}]}
        made = await client.post("/v1/restock-requests", json=line, headers=tenant.warung_keys[0])
        assert pointers(assert_problem(made)) == ["/lines/0/product_id"]
        satker = {**SATKER, "second_approval_threshold_idr": huge}
        made = await client.post("/v1/satkers", json=satker, headers=admin)
        assert pointers(assert_problem(made)) == ["/second_approval_threshold_idr"]
        price = {"sku": "BRS-MED", "kota": "Kota Palembang", "price_date": "2026-11-24"}
        made = await client.post(
            "/v1/market-prices", json={**price, "price_idr": huge}, headers=admin
        )
        assert pointers(assert_problem(made)) == ["/price_idr"]
    assert await _rows(engine, "restock_request") == 0


# 2. control characters in text ----------------------------------------------------------


async def test_control_characters_in_text_are_400_with_a_pointer(world):
    client, tenant, products, admin, _engine = world
    nul = "Kali\x00doni"
    made = await client.post("/v1/satkers", json={**SATKER, "name": nul}, headers=admin)
    assert pointers(assert_problem(made)) == ["/name"]
    warung = {"name": nul, "owner_name": "Sari", "phone": "081234567890", "address": "Jl. 1"}
    made = await client.post(f"/v1/satkers/{tenant.satker_id}/warungs", json=warung, headers=admin)
    assert pointers(assert_problem(made)) == ["/name"]
    line = {"product_id": products["cabai"], "quantity": 1}
    made = await client.post(
        "/v1/restock-requests", json={"lines": [line], "note": nul}, headers=tenant.warung_keys[0]
    )
    assert pointers(assert_problem(made)) == ["/note"]
    preorder = {
        "product_id": products["cabai"],
        "quantity": 1,
        "customer_ref": "Bu\x07Ani",
        "needed_by": "2026-11-25",
    }
    made = await client.post(
        f"/v1/warungs/{tenant.warungs[0]}/preorders", json=preorder, headers=tenant.warung_keys[0]
    )
    assert pointers(assert_problem(made)) == ["/customer_ref"]
    price = {"sku": "BRS-MED", "kota": nul, "price_date": "2026-11-24", "price_idr": 13_000}
    made = await client.post("/v1/market-prices", json=price, headers=admin)
    assert pointers(assert_problem(made)) == ["/kota"]
    assert "control character" in made.json()["errors"][0]["detail"]

    # a note may run over several lines
    multi = await client.post(
        "/v1/restock-requests",
        json={"lines": [line], "note": "pagi\nantar ke belakang\tya"},
        headers=tenant.warung_keys[0],
    )
    assert multi.status_code == 201, multi.text


async def test_a_nul_the_contract_cannot_see_is_still_a_400(world):
    """Free-form JSON (a supplier's adapter config) is stored as jsonb, which refuses NUL."""
    client, _, _, admin, _ = world
    supplier = {"name": "Grosir", "adapter_key": "marketplace", "adapter_config": {"x": "\x00"}}
    response = await client.post("/v1/suppliers", json=supplier, headers=admin)
    assert response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


# 3 and 14. quantities -------------------------------------------------------------------

BAD_QUANTITIES = [
    "1e3",
    "1E+3",
    "NaN",
    "Infinity",
    "-Infinity",
    " 1",
    "1 ",
    "1e400",
    "99999999999999999999999",
    "100000000000",
    1e308,
    2**63,
    2**64,
    10**30,
]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
async def test_quantities_that_are_not_plain_decimals_or_do_not_fit_are_400(world, quantity):
    client, tenant, products, _, engine = world
    line = {"product_id": products["ayam"], "quantity": quantity}
    made = await client.post(
        "/v1/restock-requests", json={"lines": [line]}, headers=tenant.warung_keys[0]
    )
    body = assert_problem(made)
    assert pointers(body) == ["/lines/0/quantity"]
    assert "decimal" in body["errors"][0]["detail"]
    assert await _rows(engine, "restock_line") == 0


async def test_a_huge_json_number_anywhere_is_400(world):
    client, tenant, products, _, _ = world
    raw = b'{"lines": [{"product_id": %d, "quantity": 1e400}]}' % products["ayam"]
    made = await client.post(
        "/v1/restock-requests",
        content=raw,
        headers={**tenant.warung_keys[0], "Content-Type": "application/json"},
    )
    assert_problem(made)


async def test_plain_quantities_still_pass(world):
    client, tenant, products, _, _ = world
    lines = [
        {"product_id": products["ayam"], "quantity": "99999999999"},
        {"product_id": products["cabai"], "quantity": 2.5},
    ]
    made = await client.post(
        "/v1/restock-requests", json={"lines": lines}, headers=tenant.warung_keys[0]
    )
    assert made.status_code == 201, made.text
    assert [ln["quantity"] for ln in made.json()["lines"]] == ["99999999999", "2.5"]


async def test_stock_levels_that_do_not_fit_are_400(world):
    client, tenant, products, _, _ = world
    url = f"/v1/warungs/{tenant.warungs[0]}/stock"
    for on_hand in ("1e400", "99999999999999999999999", 2**64, 1e308):
        item = {"product_id": products["cabai"], "on_hand": on_hand}
        response = await client.put(url, json={"items": [item]}, headers=tenant.warung_keys[0])
        assert pointers(assert_problem(response)) == ["/items/0/on_hand"]


# 4. nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 200, 1_000, 100_000])
async def test_deeply_nested_bodies_are_400(world, depth):
    client, _, _, admin, _ = world
    body = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    response = await client.post(
        "/v1/satkers", content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert_problem(response)


# 6. content types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/csv",
    ],
)
async def test_a_json_route_refuses_other_content_types_with_415(world, content_type):
    client, _, _, admin, engine = world
    import json

    response = await client.post(
        "/v1/satkers",
        content=json.dumps(SATKER).encode(),
        headers={**admin, "Content-Type": content_type},
    )
    body = assert_problem(response, 415)
    assert body["type"] == "/problems/unsupported-media-type"
    assert await _rows(engine, "satker") == 1  # the tenant's own


async def test_json_with_a_charset_is_json(world):
    client, _, _, admin, _ = world
    import json

    response = await client.post(
        "/v1/satkers",
        content=json.dumps(SATKER).encode(),
        headers={**admin, "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.text


async def test_too_large_a_body_is_413(world):
    client, _, _, admin, _ = world
    body = b'{"name": "' + b"a" * 2_000_000 + b'"}'
    response = await client.post(
        "/v1/satkers", content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert_problem(response, 413)


# 8. ranges -----------------------------------------------------------------------------


async def test_satker_margins_share_the_margin_rules_bounds(world):
    client, tenant, _, admin, _ = world
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


async def test_dates_outside_a_sane_window_are_400(world):
    client, tenant, products, admin, _ = world
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


async def test_an_admin_asking_for_a_missing_satker_gets_404_on_every_list(world):
    client, tenant, _, admin, _ = world
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


async def test_parameters_are_named_in_plain_words_and_a_missing_body_points_at_the_root(world):
    client, _tenant, _, admin, _ = world
    bad = await client.get("/v1/satkers?limit=0", headers=admin)
    [error] = assert_problem(bad)["errors"]
    assert (error["parameter"], error["in"]) == ("limit", "query")
    missing = await client.post("/v1/satkers", headers=admin)
    assert pointers(assert_problem(missing)) == [""]


# 11. one charset -----------------------------------------------------------------------


async def test_trader_pages_and_csv_have_one_charset(world):
    client, tenant, _, admin, _ = world
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
    from services.app.catalogue import create_supplier
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


async def test_warung_names_still_take_ordinary_text(world):
    client, tenant, _, admin, _ = world
    warung = {
        "name": "Warung Bu Sari — sembako & sayur",
        "owner_name": "Sari",
        "phone": "081234567890",
        "address": "Jl. Mayor Zen No. 12, RT 03",
    }
    made = await client.post(f"/v1/satkers/{tenant.satker_id}/warungs", json=warung, headers=admin)
    assert made.status_code == 201, made.text
