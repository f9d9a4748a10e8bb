"""Restock requests over HTTP: submission into the open cycle, every kind of bad input,
edits and cancellation before and after the cut-off, and tenancy."""

from __future__ import annotations

import asyncio

import pytest

from services.clock import FixedClock
from tests.support_demand import (
    DAILY_FRESH,
    WEEKLY_STAPLES,
    app_client,
    at,
    new_product,
    new_tenant,
)

# Tuesday 24 November 2026, 10:00 WIB: the daily cycle (06:00–12:00 WIB) is open.
MORNING = "2026-11-24T03:00:00+00:00"


@pytest.fixture
async def world(engine, make_container):
    clock = FixedClock(at(MORNING))
    tenant = await new_tenant(engine, warungs=2)
    products = {
        "cabai": await new_product(engine, name="Cabai merah keriting", category="fresh"),
        "telur": await new_product(engine, name="Telur ayam ras", category="protein"),
        "ayam": await new_product(
            engine,
            name="Ayam potong utuh",
            category="protein",
            retail_unit="ekor",
            fractional=False,
        ),
        "mie": await new_product(
            engine,
            name="Mie instan goreng",
            category="sembako",
            retail_unit="pcs",
            fractional=False,
        ),
        "old": await new_product(engine, name="Bawang bombay", category="fresh", active=False),
    }
    async with app_client(make_container, clock) as client:
        for template in (DAILY_FRESH, WEEKLY_STAPLES):
            made = await client.post(
                f"/v1/satkers/{tenant.satker_id}/cycle-templates",
                json=template,
                headers=tenant.coordinator,
            )
            assert made.status_code == 201, made.text
        yield client, clock, tenant, products, engine


async def _count_requests(engine) -> tuple[int, int]:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        return (
            await raw.fetchval("SELECT count(*) FROM restock_request"),
            await raw.fetchval("SELECT count(*) FROM restock_line"),
        )


async def test_a_request_joins_the_open_cycle_of_its_category(world):
    client, _, tenant, p, _ = world
    fresh = await client.post(
        "/v1/restock-requests",
        json={
            "lines": [
                {"product_id": p["cabai"], "quantity": "2.5", "for_preorder": True},
                {"product_id": p["ayam"], "quantity": 3},
            ]
        },
        headers=tenant.warung_keys[0],
    )
    assert fresh.status_code == 201, fresh.text
    body = fresh.json()
    assert body["status"] == "submitted" and body["warung_id"] == tenant.warungs[0]
    assert body["cycle_cutoff_at"] == "2026-11-24T05:00:00Z"  # 12:00 WIB
    assert fresh.headers["etag"] == '"1"'
    assert [(ln["line_no"], ln["quantity"], ln["for_preorder"]) for ln in body["lines"]] == [
        (1, "2.5", True),
        (2, "3", False),
    ]
    staples = await client.post(
        "/v1/restock-requests",
        json={"lines": [{"product_id": p["mie"], "quantity": 40}]},
        headers=tenant.warung_keys[0],
    )
    assert staples.status_code == 201
    assert staples.json()["cycle_cutoff_at"] == "2026-11-30T05:00:00Z"  # Monday 12:00 WIB
    assert staples.json()["cycle_id"] != body["cycle_id"]

    fetched = await client.get(f"/v1/restock-requests/{body['id']}", headers=tenant.coordinator)
    assert fetched.status_code == 200
    assert [ln["quantity"] for ln in fetched.json()["lines"]] == ["2.500", "3.000"]


@pytest.mark.parametrize(
    ("lines", "pointer", "words"),
    [
        ([{"product_id": 999999, "quantity": 1}], "/lines/0/product_id", "unknown product"),
        ([{"product_id": "old", "quantity": 1}], "/lines/0/product_id", "no longer sold"),
        ([{"product_id": "cabai", "quantity": 0}], "/lines/0/quantity", "greater than 0"),
        ([{"product_id": "cabai", "quantity": "-1"}], "/lines/0/quantity", "greater than 0"),
        ([{"product_id": "cabai", "quantity": "1.2345"}], "/lines/0/quantity", "3 decimal"),
        ([{"product_id": "ayam", "quantity": "1.5"}], "/lines/0/quantity", "whole units"),
        (
            [{"product_id": "cabai", "quantity": 1}, {"product_id": "cabai", "quantity": 2}],
            "/lines/1/product_id",
            "appears twice",
        ),
        ([{"product_id": "cabai", "quantity": "lots"}], "/lines/0/quantity", "decimal"),
        ([{"product_id": "cabai", "quantity": 1, "colour": "red"}], "/lines/0/colour", "unknown"),
        ([], "/lines", ""),
    ],
)
async def test_bad_lines_are_400_with_the_field_path_and_nothing_is_saved(
    world, lines, pointer, words
):
    client, _, tenant, p, engine = world
    body = {
        "lines": [{**ln, "product_id": p.get(ln["product_id"], ln["product_id"])} for ln in lines]
    }
    # a good line first shifts nothing: the bad line's own index is reported
    response = await client.post("/v1/restock-requests", json=body, headers=tenant.warung_keys[0])
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    errors = problem["errors"]
    assert any(e["pointer"] == pointer and words in e["detail"] for e in errors), errors
    assert await _count_requests(engine) == (0, 0)


async def test_every_bad_line_is_reported_at_once(world):
    client, _, tenant, p, engine = world
    response = await client.post(
        "/v1/restock-requests",
        json={
            "lines": [
                {"product_id": p["cabai"], "quantity": "1.5"},
                {"product_id": p["ayam"], "quantity": "0.5"},
                {"product_id": p["telur"], "quantity": "-2"},
            ]
        },
        headers=tenant.warung_keys[0],
    )
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == [
        "/lines/1/quantity",
        "/lines/2/quantity",
    ]
    assert await _count_requests(engine) == (0, 0)


async def test_only_a_warung_key_submits_and_only_for_itself(world):
    client, _, tenant, p, _ = world
    line = {"lines": [{"product_id": p["cabai"], "quantity": 1}]}
    coordinator = await client.post("/v1/restock-requests", json=line, headers=tenant.coordinator)
    assert coordinator.status_code == 403
    mine = await client.post("/v1/restock-requests", json=line, headers=tenant.warung_keys[0])
    other = await client.post("/v1/restock-requests", json=line, headers=tenant.warung_keys[1])
    mine_id, other_id = mine.json()["id"], other.json()["id"]

    # another warung's request does not exist for the caller
    assert (
        await client.get(f"/v1/restock-requests/{other_id}", headers=tenant.warung_keys[0])
    ).status_code == 404
    edit = await client.put(
        f"/v1/restock-requests/{other_id}/lines", json=line, headers=tenant.warung_keys[0]
    )
    assert edit.status_code == 404
    listed = await client.get("/v1/restock-requests", headers=tenant.warung_keys[0])
    assert [r["id"] for r in listed.json()["items"]] == [mine_id]
    everyone = await client.get("/v1/restock-requests", headers=tenant.coordinator)
    assert sorted(r["id"] for r in everyone.json()["items"]) == sorted([mine_id, other_id])

    # another satker's coordinator sees nothing
    stranger = await new_tenant(world[4], warungs=1)
    foreign = await client.get(f"/v1/restock-requests/{mine_id}", headers=stranger.coordinator)
    assert foreign.status_code == 404
    assert (await client.get("/v1/restock-requests", headers=stranger.coordinator)).json()[
        "items"
    ] == []
    # nor another satker's warung pages
    assert (
        await client.get(
            f"/v1/warungs/{tenant.warungs[0]}/restock-suggestion", headers=stranger.coordinator
        )
    ).status_code == 404


async def test_edits_and_cancel_before_the_cut_off_and_409_after(world):
    client, clock, tenant, p, _ = world
    key = tenant.warung_keys[0]
    made = await client.post(
        "/v1/restock-requests",
        json={"lines": [{"product_id": p["cabai"], "quantity": 1}]},
        headers=key,
    )
    rid = made.json()["id"]
    new_lines = {
        "lines": [
            {"product_id": p["telur"], "quantity": "4.25"},
            {"product_id": p["cabai"], "quantity": 2, "for_preorder": True},
        ]
    }
    stale = await client.put(
        f"/v1/restock-requests/{rid}/lines", json=new_lines, headers={**key, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    edited = await client.put(
        f"/v1/restock-requests/{rid}/lines", json=new_lines, headers={**key, "If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"2"'
    assert [(ln["product_id"], ln["quantity"]) for ln in edited.json()["lines"]] == [
        (p["telur"], "4.250"),
        (p["cabai"], "2.000"),
    ]
    wrong_cycle = await client.put(
        f"/v1/restock-requests/{rid}/lines",
        json={"lines": [{"product_id": p["mie"], "quantity": 1}]},
        headers=key,
    )
    assert wrong_cycle.status_code == 400
    assert wrong_cycle.json()["errors"][0]["pointer"] == "/lines/0/product_id"

    clock.now = at("2026-11-24T05:00:00+00:00")  # exactly 12:00 WIB: the cut-off
    late = await client.put(f"/v1/restock-requests/{rid}/lines", json=new_lines, headers=key)
    assert late.status_code == 409
    problem = late.json()
    assert problem["next_cutoff_at"] == "2026-11-25T05:00:00+00:00"
    assert "2026-11-25T05:00:00+00:00" in problem["detail"]
    cancel = await client.post(f"/v1/restock-requests/{rid}/cancel", headers=key)
    assert cancel.status_code == 409
    submit = await client.post(
        "/v1/restock-requests",
        json={"lines": [{"product_id": p["cabai"], "quantity": 1}]},
        headers=key,
    )
    assert submit.status_code == 409
    assert submit.json()["next_cutoff_at"] == "2026-11-25T05:00:00+00:00"


async def test_draft_submit_and_cancel(world):
    client, _, tenant, p, _ = world
    key = tenant.warung_keys[0]
    draft = await client.post(
        "/v1/restock-requests",
        json={"lines": [{"product_id": p["cabai"], "quantity": 1}], "submit": False},
        headers=key,
    )
    assert draft.json()["status"] == "draft"
    rid = draft.json()["id"]
    submitted = await client.post(
        f"/v1/restock-requests/{rid}/submit", headers={**key, "If-Match": '"1"'}
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = await client.post(f"/v1/restock-requests/{rid}/submit", headers=key)
    assert again.status_code == 409
    assert again.json()["current_state"] == "submitted"
    cancelled = await client.post(f"/v1/restock-requests/{rid}/cancel", headers=key)
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["version"] == 3
    assert (await client.post(f"/v1/restock-requests/{rid}/cancel", headers=key)).status_code == 409


async def test_an_idempotent_retry_makes_one_request(world):
    client, _, tenant, p, engine = world
    headers = {**tenant.warung_keys[0], "Idempotency-Key": "order-2026-11-24-a"}
    body = {"lines": [{"product_id": p["cabai"], "quantity": 1}]}
    first = await client.post("/v1/restock-requests", json=body, headers=headers)
    second = await client.post("/v1/restock-requests", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await _count_requests(engine) == (1, 1)


async def test_twenty_concurrent_submissions_with_one_key_make_one_request(world):
    """The key is claimed in the statement that inserts the request: the others wait on that
    row, then replay the first response."""
    client, _, tenant, p, engine = world
    headers = {**tenant.warung_keys[0], "Idempotency-Key": "burst-order"}
    body = {"lines": [{"product_id": p["cabai"], "quantity": "2.5"}]}
    responses = await asyncio.gather(
        *(client.post("/v1/restock-requests", json=body, headers=headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("idempotent-replayed")) == 19
    assert {r.headers["etag"] for r in responses} == {'"1"'}
    assert await _count_requests(engine) == (1, 1)


async def test_a_key_reused_with_another_body_or_by_another_warung(world):
    client, _, tenant, p, engine = world
    key = {"Idempotency-Key": "order-b"}
    body = {"lines": [{"product_id": p["cabai"], "quantity": 1}]}
    first = await client.post(
        "/v1/restock-requests", json=body, headers={**tenant.warung_keys[0], **key}
    )
    assert first.status_code == 201
    other = await client.post(
        "/v1/restock-requests",
        json={"lines": [{"product_id": p["cabai"], "quantity": 2}]},
        headers={**tenant.warung_keys[0], **key},
    )
    assert other.status_code == 422, other.text
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    neighbour = await client.post(
        "/v1/restock-requests", json=body, headers={**tenant.warung_keys[1], **key}
    )
    assert neighbour.status_code == 201 and "idempotent-replayed" not in neighbour.headers
    assert neighbour.json()["warung_id"] != first.json()["warung_id"]
    assert await _count_requests(engine) == (2, 2)


async def test_a_submission_refused_at_the_cut_off_does_not_burn_its_key(world):
    client, clock, tenant, p, engine = world
    headers = {**tenant.warung_keys[0], "Idempotency-Key": "order-late"}
    body = {"lines": [{"product_id": p["cabai"], "quantity": 1}]}
    clock.advance(hours=3)  # 13:00 WIB: the daily fresh cycle closed at 12:00
    late = await client.post("/v1/restock-requests", json=body, headers=headers)
    assert late.status_code in (409, 422), late.text
    assert await _count_requests(engine) == (0, 0)
    clock.advance(hours=-3)
    again = await client.post("/v1/restock-requests", json=body, headers=headers)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert await _count_requests(engine) == (1, 1)


async def test_products_of_different_cycles_need_separate_requests(world):
    client, _, tenant, p, engine = world
    mixed = await client.post(
        "/v1/restock-requests",
        json={
            "lines": [
                {"product_id": p["cabai"], "quantity": 1},
                {"product_id": p["telur"], "quantity": 1},
                {"product_id": p["mie"], "quantity": 10},
            ]
        },
        headers=tenant.warung_keys[0],
    )
    assert mixed.status_code == 400
    assert mixed.json()["errors"][0]["pointer"] == "/lines/2/product_id"
    assert await _count_requests(engine) == (0, 0)
