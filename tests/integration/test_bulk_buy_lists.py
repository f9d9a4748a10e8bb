"""What the JSON API gained for the console: a satker's bulk buys listed, the cycle's
bulk_buy_id, one-off cycles, the demand by category, the quote comparison and the
single-cheapest-supplier baseline, and a build in the background."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from services.app.bulk_buy_background import wait_for_build
from tests.integration.test_bulk_buys import setup  # noqa: F401  (the fixture)
from tests.support_demand import new_tenant


async def test_the_satkers_bulk_buys_are_listed_and_the_cycle_names_its_own(engine, setup):  # noqa: F811
    client, tenant, cycle_id, _, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    before = await client.get(f"{base}/cycles/{cycle_id}", headers=tenant.coordinator)
    assert before.json()["bulk_buy_id"] is None
    assert (await client.get(f"{base}/bulk-buys", headers=tenant.coordinator)).json() == {
        "items": [],
        "next_cursor": None,
    }
    built = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    cycle = (await client.get(f"{base}/cycles/{cycle_id}", headers=tenant.coordinator)).json()
    assert cycle["bulk_buy_id"] == built["id"]
    listed = (await client.get(f"{base}/cycles", headers=tenant.coordinator)).json()["items"]
    assert [c["bulk_buy_id"] for c in listed if c["id"] == cycle_id] == [built["id"]]

    page = (
        await client.get(
            f"{base}/bulk-buys",
            params={"cycle_id": cycle_id, "status": "proposed", "limit": 1},
            headers=tenant.coordinator,
        )
    ).json()
    assert page["next_cursor"] is None
    [item] = page["items"]
    assert item["id"] == built["id"] and item["cycle_id"] == cycle_id
    assert item["status"] == "proposed" and item["total_idr"] == built["total_idr"]
    assert item["line_count"] == 2 and item["blocking_lines"] == 1  # telur: no market price
    assert item["approvals_needed"] == 1 and item["approvals_given"] == 0
    assert item["version"] == built["version"] and item["cycle_name"]
    for params in ({"status": "ordered"}, {"cycle_id": cycle_id + 1000}):
        other = await client.get(f"{base}/bulk-buys", params=params, headers=tenant.coordinator)
        assert other.json()["items"] == []
    bad = await client.get(
        f"{base}/bulk-buys", params={"status": "lost"}, headers=tenant.coordinator
    )
    assert bad.status_code == 400
    # a second bulk buy (an urgent one-off cycle, closed at once): pages of one, newest first
    urgent = await client.post(
        f"{base}/cycles",
        json={"name": "Darurat", "categories": ["fresh"], "cutoff_at": "2026-11-24T09:00:00Z"},
        headers=tenant.coordinator,
    )
    await client.post(f"{base}/cycles/{urgent.json()['id']}/close", headers=tenant.coordinator)
    second = await client.post(
        f"{base}/cycles/{urgent.json()['id']}/bulk-buy", headers=tenant.coordinator
    )
    assert second.status_code == 201, second.text
    first_page = (
        await client.get(f"{base}/bulk-buys", params={"limit": 1}, headers=tenant.coordinator)
    ).json()
    assert [b["id"] for b in first_page["items"]] == [second.json()["id"]]
    rest = (
        await client.get(
            f"{base}/bulk-buys",
            params={"limit": 1, "cursor": first_page["next_cursor"]},
            headers=tenant.coordinator,
        )
    ).json()
    assert [b["id"] for b in rest["items"]] == [built["id"]] and rest["next_cursor"] is None
    stranger = await new_tenant(engine, warungs=0)
    hidden = await client.get(f"{base}/bulk-buys", headers=stranger.coordinator)
    assert hidden.status_code == 404
    warung = await client.get(f"{base}/bulk-buys", headers=tenant.warung_keys[0])
    assert warung.status_code in (403, 404)


async def test_the_quote_comparison_and_what_the_split_saved(engine, setup):  # noqa: F811
    client, tenant, cycle_id, _, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    built = (
        await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    ).json()
    # one supplier answered: its single-supplier price is the split's, nothing saved
    assert built["single_cheapest_idr"] == built["total_idr"]
    assert built["optimiser_saving_idr"] == 0 and built["lines_not_comparable"] == 0
    assert {q["supplier_name"] for q in built["quotes"]} == {"Grosir A", "Grosir B", "Grosir C"}
    assert {ln["product_name"] for ln in built["lines"]} == {
        "Cabai merah keriting",
        "Telur ayam ras",
    }
    compared = await client.get(
        f"{base}/bulk-buys/{built['id']}/quote-comparison", headers=tenant.coordinator
    )
    assert compared.status_code == 200 and compared.headers["etag"] == f'"{built["version"]}"'
    body = compared.json()
    assert body["split_total_idr"] == built["total_idr"]
    lines = {ln["sku"]: ln for ln in body["lines"]}
    [cabai] = lines["CBI-MRH"]["options"]
    assert cabai["supplier_name"] == "Grosir A" and cabai["cheapest"]
    assert cabai["packs"] == 8 and cabai["price_per_pack_idr"] == 52_000
    assert cabai["chosen_packs"] == 8 and cabai["tiers"] == [[1, 52_000], [10, 50_000]]
    [telur] = lines["TELUR"]["options"]
    assert telur["packs"] == 2 and telur["goods_idr"] == 760_000 and telur["unit_cost_idr"]
    stranger = await new_tenant(engine, warungs=0)
    hidden = await client.get(
        f"{base}/bulk-buys/{built['id']}/quote-comparison", headers=stranger.coordinator
    )
    assert hidden.status_code == 404


async def test_a_build_in_the_background_answers_at_once_then_proposes(engine, setup):  # noqa: F811
    client, tenant, cycle_id, _, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    started = await client.post(
        f"{base}/cycles/{cycle_id}/bulk-buy",
        headers={**tenant.coordinator, "Prefer": "respond-async"},
    )
    assert started.status_code == 202, started.text
    draft = started.json()
    assert draft["status"] == "draft" and draft["lines"] == []
    assert draft["single_cheapest_idr"] is None
    await wait_for_build(tenant.satker_id, draft["id"])
    done = (await client.get(f"{base}/bulk-buys/{draft['id']}", headers=tenant.coordinator)).json()
    assert done["status"] == "proposed" and len(done["lines"]) == 2
    assert done["version"] > draft["version"]
    # a cycle that is not closed cannot be built, in the background either: refused at once
    open_cycle = await client.post(
        f"{base}/cycles",
        json={"name": "Darurat", "categories": ["fresh"], "cutoff_at": "2026-11-24T09:00:00Z"},
        headers=tenant.coordinator,
    )
    refused = await client.post(
        f"{base}/cycles/{open_cycle.json()['id']}/bulk-buy",
        headers={**tenant.coordinator, "Prefer": "respond-async"},
    )
    assert refused.status_code == 409


async def test_a_one_off_cycle_takes_requests_outside_the_templates(engine, setup):  # noqa: F811
    client, tenant, _, products, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    body = {
        "name": "Restock darurat telur",
        "categories": ["protein"],
        "cutoff_at": "2026-11-24T16:00:00+07:00",
        "delivery_date": "2026-11-25",
    }
    warung = await client.post(f"{base}/cycles", json=body, headers=tenant.warung_keys[0])
    assert warung.status_code == 403
    made = await client.post(f"{base}/cycles", json=body, headers=tenant.coordinator)
    assert made.status_code == 201, made.text
    cycle = made.json()
    assert cycle["template_id"] is None and cycle["status"] == "open"
    assert cycle["cutoff_at"].startswith("2026-11-24T09:00:00") and cycle["bulk_buy_id"] is None
    assert made.headers["etag"] == f'"{cycle["version"]}"'
    # a warung's request for protein joins it (the template's cycle has closed)
    request = await client.post(
        "/v1/restock-requests",
        json={"lines": [{"product_id": products["telur"], "quantity": "15"}]},
        headers=tenant.warung_keys[0],
    )
    assert request.status_code == 201, request.text
    assert request.json()["cycle_id"] == cycle["id"]
    past = await client.post(
        f"{base}/cycles",
        json={**body, "cutoff_at": "2026-11-23T09:00:00Z", "delivery_date": None},
        headers=tenant.coordinator,
    )
    assert past.status_code == 400, past.text
    # opening now, after a cut-off already passed: both named
    assert [e["pointer"] for e in past.json()["errors"]] == ["/cutoff_at", "/opens_at"]
    naive = await client.post(
        f"{base}/cycles",
        json={**body, "cutoff_at": "2026-11-24T16:00:00"},
        headers=tenant.coordinator,
    )
    assert naive.status_code == 400


async def test_the_demand_view_filters_by_category(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, _ = setup
    url = f"/v1/satkers/{tenant.satker_id}/cycles/{cycle_id}/demand"
    every = (await client.get(url, headers=tenant.coordinator)).json()["items"]
    assert {d["category"] for d in every} == {"fresh", "protein"}
    fresh = (await client.get(url, params={"category": "fresh"}, headers=tenant.coordinator)).json()
    assert [d["product_id"] for d in fresh["items"]] == [products["cabai"]]
    bad = await client.get(url, params={"category": "mainan"}, headers=tenant.coordinator)
    assert bad.status_code == 400
    other = await new_tenant(engine, warungs=0)
    assert (await client.get(url, headers=other.coordinator)).status_code == 404


async def test_an_override_may_set_the_retail_price_with_a_reason(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, clock = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    built = await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)
    url = f"{base}/bulk-buys/{built.json()['id']}/lines/{products['cabai']}/override"
    bare = await client.post(url, json={"reason": "harga pasar turun"}, headers=tenant.coordinator)
    assert bare.status_code == 422  # cabai has no flag: a reason alone overrides nothing
    priced = await client.post(
        url,
        json={"reason": "samakan dengan harga pasar Kalidoni", "retail_price_idr": 60_000},
        headers={**tenant.coordinator, "If-Match": built.headers["etag"]},
    )
    assert priced.status_code == 200, priced.text
    cabai = next(ln for ln in priced.json()["lines"] if ln["sku"] == "CBI-MRH")
    assert cabai["suggested_retail_idr"] == 60_000
    assert cabai["customer_saving_per_unit_idr"] == 63_000 - 60_000
    assert cabai["override_reason"] == "samakan dengan harga pasar Kalidoni"
    # the record of the change: who (this API key), when, the suggestion it replaced, why
    suggested = next(ln for ln in built.json()["lines"] if ln["sku"] == "CBI-MRH")
    record = cabai["retail_override"]
    assert record["key_id"] > 0 and record["user_id"] is None
    assert record["suggested_retail_idr"] == suggested["suggested_retail_idr"] != 60_000
    assert record["retail_price_idr"] == 60_000
    assert record["reason"] == "samakan dengan harga pasar Kalidoni"
    assert datetime.fromisoformat(record["at"]) == clock()
    stale = await client.post(
        url,
        json={"reason": "lagi", "retail_price_idr": 59_000},
        headers={**tenant.coordinator, "If-Match": built.headers["etag"]},
    )
    assert stale.status_code in (409, 412)
    # a second change keeps the rules' suggestion as the one replaced
    again = await client.post(
        url,
        json={"reason": "pasar turun lagi", "retail_price_idr": 59_000},
        headers={**tenant.coordinator, "If-Match": priced.headers["etag"]},
    )
    second = next(ln for ln in again.json()["lines"] if ln["sku"] == "CBI-MRH")
    assert second["retail_override"]["suggested_retail_idr"] == suggested["suggested_retail_idr"]
    assert second["retail_override"]["retail_price_idr"] == second["suggested_retail_idr"] == 59_000
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                text(
                    "SELECT retail_override->>'reason', (retail_override->>'price_idr')::int,"
                    " (retail_override->>'suggested_idr')::int FROM bulk_buy_line"
                    " WHERE product_id = :p"
                ),
                {"p": products["cabai"]},
            )
        ).one()
    assert tuple(stored) == ("pasar turun lagi", 59_000, suggested["suggested_retail_idr"])


async def test_a_market_price_dated_today_in_the_satkers_zone_counts_after_midnight(
    engine,
    setup,  # noqa: F811
):
    client, tenant, cycle_id, products, clock = setup
    clock.now = datetime.fromisoformat("2026-11-24T18:30:00+00:00")  # 01:30 WIB on the 25th
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO market_price (product_id, kota, price_date, price_idr, source)"
                " VALUES (:p, 'Kota Palembang', '2026-11-25', 27000, 'SP2KP')"
            ),
            {"p": products["telur"]},
        )
    built = await client.post(
        f"/v1/satkers/{tenant.satker_id}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator
    )
    telur = next(ln for ln in built.json()["lines"] if ln["sku"] == "TELUR")
    assert telur["market_ref_idr"] == 27000 and "NO_MARKET_REFERENCE" not in telur["flags"]
