"""Bad values at the edges: ids and money beyond their columns, control characters, quantities
that are not plain decimals or do not fit numeric(14, 3), deep nesting, wrong media types and
oversized bodies all get a 4xx problem, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.support_inputs import (
    HUGE,
    INT64_MAX,
    SATKER,
    _rows,
    assert_problem,
    pointers,
)

# 1. integers beyond int64 ---------------------------------------------------------------


@pytest.mark.parametrize("huge", HUGE)
async def test_path_ids_beyond_int64_are_400(inputs, huge):
    client, tenant, _, admin, _ = inputs
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
async def test_query_ids_beyond_int64_are_400(inputs, route, name):
    client, tenant, _, admin, _ = inputs
    for huge in HUGE:
        url = f"/v1/satkers/{tenant.satker_id}/{route.format(huge)}"
        body = assert_problem(await client.get(url, headers=admin))
        assert body["errors"][0]["parameter"] == name and body["errors"][0]["in"] == "query"


async def test_body_ids_and_money_beyond_their_columns_are_400(inputs):
    client, tenant, _products, admin, engine = inputs
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


async def test_control_characters_in_text_are_400_with_a_pointer(inputs):
    client, tenant, products, admin, _engine = inputs
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


async def test_a_nul_the_contracts_cannot_see_is_still_a_400(inputs):
    """Query text and free-form JSON reach the database, which refuses NUL: a 400 as well."""
    client, _, _, admin, _ = inputs
    listed = await client.get("/v1/market-prices", params={"kota": "Kota\x00"}, headers=admin)
    assert "does not fit the database" in assert_problem(listed)["detail"]
    config = {"base_url": "http://marketplace.test", "note\x00": "\x00"}
    supplier = {"name": "Grosir", "adapter_key": "marketplace", "adapter_config": config}
    made = await client.post("/v1/suppliers", json=supplier, headers=admin)
    assert made.status_code < 500, made.text
    assert made.headers["content-type"].startswith("application/problem+json")


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
async def test_quantities_that_are_not_plain_decimals_or_do_not_fit_are_400(inputs, quantity):
    client, tenant, products, _, engine = inputs
    line = {"product_id": products["ayam"], "quantity": quantity}
    made = await client.post(
        "/v1/restock-requests", json={"lines": [line]}, headers=tenant.warung_keys[0]
    )
    body = assert_problem(made)
    assert pointers(body) == ["/lines/0/quantity"]
    assert "decimal" in body["errors"][0]["detail"]
    assert await _rows(engine, "restock_line") == 0


async def test_a_huge_json_number_anywhere_is_400(inputs):
    client, tenant, products, _, _ = inputs
    raw = b'{"lines": [{"product_id": %d, "quantity": 1e400}]}' % products["ayam"]
    made = await client.post(
        "/v1/restock-requests",
        content=raw,
        headers={**tenant.warung_keys[0], "Content-Type": "application/json"},
    )
    assert_problem(made)


async def test_plain_quantities_still_pass(inputs):
    client, tenant, products, _, _ = inputs
    lines = [
        {"product_id": products["ayam"], "quantity": "99999999999"},
        {"product_id": products["cabai"], "quantity": 2.5},
    ]
    made = await client.post(
        "/v1/restock-requests", json={"lines": lines}, headers=tenant.warung_keys[0]
    )
    assert made.status_code == 201, made.text
    assert [ln["quantity"] for ln in made.json()["lines"]] == ["99999999999", "2.5"]


async def test_stock_levels_that_do_not_fit_are_400(inputs):
    client, tenant, products, _, _ = inputs
    url = f"/v1/warungs/{tenant.warungs[0]}/stock"
    for on_hand in ("1e400", "99999999999999999999999", 2**64, 1e308):
        item = {"product_id": products["cabai"], "on_hand": on_hand}
        response = await client.put(url, json={"items": [item]}, headers=tenant.warung_keys[0])
        assert pointers(assert_problem(response)) == ["/items/0/on_hand"]


# 4. nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 200, 1_000, 100_000])
async def test_deeply_nested_bodies_are_400(inputs, depth):
    client, _, _, admin, _ = inputs
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
async def test_a_json_route_refuses_other_content_types_with_415(inputs, content_type):
    client, _, _, admin, engine = inputs
    response = await client.post(
        "/v1/satkers",
        content=json.dumps(SATKER).encode(),
        headers={**admin, "Content-Type": content_type},
    )
    body = assert_problem(response, 415)
    assert body["type"] == "/problems/unsupported-media-type"
    assert await _rows(engine, "satker") == 1  # the tenant's own


async def test_json_with_a_charset_is_json(inputs):
    client, _, _, admin, _ = inputs
    response = await client.post(
        "/v1/satkers",
        content=json.dumps(SATKER).encode(),
        headers={**admin, "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.text


async def test_too_large_a_body_is_413(inputs):
    client, _, _, admin, _ = inputs
    body = b'{"name": "' + b"a" * 2_000_000 + b'"}'
    response = await client.post(
        "/v1/satkers", content=body, headers={**admin, "Content-Type": "application/json"}
    )
    assert_problem(response, 413)
