"""Order cycles: instances in WIB, WITA and WIT (one cut-off across midnight UTC), the
scheduled close on a controllable clock, a close missed while no worker ran, two workers at
once, a coordinator's early close, and the demand view."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from services.clock import FixedClock
from services.worker.cycles import close_due_cycles, materialise_cycles
from tests.support_demand import DAILY_FRESH, app_client, at, new_product, new_tenant

MORNING = "2026-11-24T00:30:00+00:00"  # 07:30 WIB, 08:30 WITA, 09:30 WIT


async def _cycles(client, tenant):
    response = await client.get(
        f"/v1/satkers/{tenant.satker_id}/cycles", headers=tenant.coordinator
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.parametrize(
    ("zone", "cutoff_utc", "opens_utc"),
    [
        ("Asia/Jakarta", "2026-11-24T05:00:00Z", "2026-11-23T23:00:00Z"),  # WIB, UTC+7
        ("Asia/Makassar", "2026-11-24T04:00:00Z", "2026-11-23T22:00:00Z"),  # WITA, UTC+8
        ("Asia/Jayapura", "2026-11-24T03:00:00Z", "2026-11-23T21:00:00Z"),  # WIT, UTC+9
    ],
)
async def test_cycle_instances_follow_the_satkers_zone(
    engine, make_container, zone, cutoff_utc, opens_utc
):
    tenant = await new_tenant(engine, timezone=zone, warungs=0)
    async with app_client(make_container, FixedClock(at(MORNING))) as client:
        made = await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        assert made.status_code == 201, made.text
        cycles = await _cycles(client, tenant)
    first = cycles[0]
    # 06:00 to 12:00 local, every day, delivered the next local day
    assert (first["opens_at"], first["cutoff_at"]) == (opens_utc, cutoff_utc)
    assert first["delivery_date"] == "2026-11-25"
    assert first["status"] == "open"
    assert len(cycles) == 8  # the next 8 days' cut-offs
    assert cycles[1]["cutoff_at"].startswith("2026-11-25")


async def test_a_cut_off_across_midnight_utc(engine, make_container):
    """08:00 WIT is 23:00 UTC the day before: the local date decides the cycle."""
    tenant = await new_tenant(engine, timezone="Asia/Jayapura", warungs=1)
    fish = await new_product(engine, name="Ikan tongkol", category="protein")
    clock = FixedClock(at("2026-11-24T22:30:00+00:00"))  # 07:30 WIT on Wednesday 25th
    async with app_client(make_container, clock) as client:
        early = {**DAILY_FRESH, "opens_at": "05:00:00", "cutoff_at": "08:00:00"}
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=early,
            headers=tenant.coordinator,
        )
        first = (await _cycles(client, tenant))[0]
        assert first["cutoff_at"] == "2026-11-24T23:00:00Z"
        assert first["delivery_date"] == "2026-11-26"  # the day after the local 25th
        made = await client.post(
            "/v1/restock-requests",
            json={"lines": [{"product_id": fish, "quantity": "1.5"}]},
            headers=tenant.warung_keys[0],
        )
        assert made.json()["cycle_cutoff_at"] == "2026-11-24T23:00:00Z"

        clock.now = at("2026-11-24T23:00:00+00:00")
        assert await close_due_cycles(client.container) == 1
        late = await client.post(
            "/v1/restock-requests",
            json={"lines": [{"product_id": fish, "quantity": 1}]},
            headers=tenant.warung_keys[0],
        )
        assert late.status_code == 409
        assert late.json()["next_cutoff_at"] == "2026-11-25T23:00:00+00:00"


async def test_the_scheduled_job_closes_cycles_and_locks_requests(engine, make_container):
    tenant = await new_tenant(engine, warungs=2)
    cabai = await new_product(engine, name="Cabai rawit", category="fresh")
    clock = FixedClock(at("2026-11-24T03:00:00+00:00"))
    async with app_client(make_container, clock) as client:
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        line = {"lines": [{"product_id": cabai, "quantity": 2}]}
        submitted = await client.post(
            "/v1/restock-requests", json=line, headers=tenant.warung_keys[0]
        )
        draft = await client.post(
            "/v1/restock-requests", json={**line, "submit": False}, headers=tenant.warung_keys[1]
        )

        clock.now = at("2026-11-24T04:59:59+00:00")
        assert await close_due_cycles(client.container) == 0  # a second early: nothing
        clock.now = at("2026-11-24T05:00:00+00:00")
        assert await close_due_cycles(client.container) == 1
        assert await close_due_cycles(client.container) == 0  # re-runnable

        cycle = (await _cycles(client, tenant))[0]
        assert cycle["status"] == "closed" and cycle["closed_by"] == "schedule"
        assert cycle["closed_at"] == "2026-11-24T05:00:00Z"
        locked = await client.get(
            f"/v1/restock-requests/{submitted.json()['id']}", headers=tenant.coordinator
        )
        assert locked.json()["status"] == "locked"
        left = await client.get(
            f"/v1/restock-requests/{draft.json()['id']}", headers=tenant.coordinator
        )
        assert left.json()["status"] == "draft"
        submit_late = await client.post(
            f"/v1/restock-requests/{draft.json()['id']}/submit", headers=tenant.warung_keys[1]
        )
        assert submit_late.status_code == 409


async def test_cut_offs_missed_while_the_worker_was_down_are_applied_on_start(
    engine, make_container
):
    tenants = [
        await new_tenant(engine, timezone=z, warungs=0)
        for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    ]
    clock = FixedClock(at(MORNING))
    async with app_client(make_container, clock) as client:
        for tenant in tenants:
            await client.post(
                f"/v1/satkers/{tenant.satker_id}/cycle-templates",
                json=DAILY_FRESH,
                headers=tenant.coordinator,
            )
        clock.advance(days=3)  # the worker was down for three days
        closed = await asyncio.gather(
            close_due_cycles(client.container), close_due_cycles(client.container)
        )
        assert sum(closed) == 9  # three days' cut-offs in three satkers, each closed once
        assert await close_due_cycles(client.container) == 0
        for tenant in tenants:
            statuses = [c["status"] for c in await _cycles(client, tenant)]
            assert statuses[:3] == ["closed"] * 3 and statuses[3] == "open"
        # materialising is idempotent and extends the horizon as time passes
        assert await materialise_cycles(client.container) == 9
        assert await materialise_cycles(client.container) == 0


async def test_a_coordinator_closes_early_and_sees_the_demand(engine, make_container):
    tenant = await new_tenant(engine, warungs=3)
    cabai = await new_product(engine, name="Cabai merah", category="fresh")
    telur = await new_product(engine, name="Telur ayam", category="protein")
    ayam = await new_product(
        engine, name="Ayam potong", category="protein", retail_unit="ekor", fractional=False
    )
    clock = FixedClock(at("2026-11-24T03:00:00+00:00"))
    async with app_client(make_container, clock) as client:
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        orders = [
            [(cabai, "2.5", True), (telur, "3", False)],
            [(cabai, "1.5", False), (ayam, "2", True)],
            [(cabai, "1", False)],
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
            assert made.status_code == 201
        cancelled = await client.post(
            "/v1/restock-requests",
            json={"lines": [{"product_id": cabai, "quantity": 50}]},
            headers=tenant.warung_keys[0],
        )
        await client.post(
            f"/v1/restock-requests/{cancelled.json()['id']}/cancel", headers=tenant.warung_keys[0]
        )
        cycle = (await _cycles(client, tenant))[0]
        base = f"/v1/satkers/{tenant.satker_id}/cycles/{cycle['id']}"

        page = await client.get(f"{base}/demand?limit=2", headers=tenant.coordinator)
        assert page.status_code == 200
        first = page.json()
        rest = await client.get(
            f"{base}/demand?limit=2&cursor={first['next_cursor']}", headers=tenant.coordinator
        )
        rows = {r["product_id"]: r for r in first["items"] + rest.json()["items"]}
        assert rest.json()["next_cursor"] is None
        assert rows[cabai]["total_quantity"] == "5.000"
        assert rows[cabai]["warung_count"] == 3
        assert rows[cabai]["preorder_quantity"] == "2.500"
        assert rows[cabai]["preorder_share"] == "0.5000"
        assert (rows[ayam]["total_quantity"], rows[ayam]["preorder_share"]) == ("2.000", "1.0000")
        assert rows[telur]["warung_count"] == 1
        warung_view = await client.get(f"{base}/demand", headers=tenant.warung_keys[0])
        assert warung_view.status_code == 403

        stale = await client.post(
            f"{base}/close", headers={**tenant.coordinator, "If-Match": '"9"'}
        )
        assert stale.status_code == 412
        closed = await client.post(
            f"{base}/close", headers={**tenant.coordinator, "If-Match": f'"{cycle["version"]}"'}
        )
        assert closed.status_code == 200, closed.text
        assert closed.json()["status"] == "closed"
        assert closed.json()["closed_by"].startswith("coordinator:")
        again = await client.post(f"{base}/close", headers=tenant.coordinator)
        assert again.status_code == 409
        late = await client.post(
            "/v1/restock-requests",
            json={"lines": [{"product_id": cabai, "quantity": 1}]},
            headers=tenant.warung_keys[0],
        )
        assert late.status_code == 409
        assert late.json()["next_cutoff_at"] == "2026-11-25T05:00:00+00:00"
        locked = await client.get("/v1/restock-requests?status=locked", headers=tenant.coordinator)
        assert len(locked.json()["items"]) == 3


async def test_template_validation(engine, make_container):
    tenant = await new_tenant(engine, warungs=1)
    async with app_client(make_container, FixedClock(at(MORNING))) as client:
        url = f"/v1/satkers/{tenant.satker_id}/cycle-templates"
        weekly_without_day = {**DAILY_FRESH, "cadence": "weekly"}
        bad = await client.post(url, json=weekly_without_day, headers=tenant.coordinator)
        assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/weekday"
        backwards = {**DAILY_FRESH, "opens_at": "13:00:00"}
        bad = await client.post(url, json=backwards, headers=tenant.coordinator)
        assert bad.json()["errors"][0]["pointer"] == "/cutoff_at"
        by_warung = await client.post(url, json=DAILY_FRESH, headers=tenant.warung_keys[0])
        assert by_warung.status_code == 403
        assert (
            await client.post(url, json=DAILY_FRESH, headers=tenant.coordinator)
        ).status_code == 201
        twice = await client.post(url, json=DAILY_FRESH, headers=tenant.coordinator)
        assert twice.status_code == 409


async def test_a_submission_in_flight_at_the_cut_off_is_locked_by_the_next_run(
    engine, make_container
):
    """The insert share-locks its cycle: a close that runs meanwhile skips the cycle (SKIP
    LOCKED) instead of missing the request, and the next run closes it with the request."""
    from contracts.api.demand import RestockLineIn, RestockRequestCreate
    from services.app.restock import create_request
    from services.auth import Principal, Role
    from services.db.tx import Tx

    tenant = await new_tenant(engine, warungs=1)
    cabai = await new_product(engine, name="Cabai merah", category="fresh")
    clock = FixedClock(at("2026-11-24T04:59:59+00:00"))
    async with app_client(make_container, clock) as client:
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        warung = Principal(
            key_id=0, role=Role.WARUNG, satker_id=tenant.satker_id, warung_id=tenant.warungs[0]
        )
        body = RestockRequestCreate(lines=[RestockLineIn(product_id=cabai, quantity=Decimal(2))])
        async with Tx(engine) as tx:
            made = await create_request(tx, client.container, warung, body, clock())
            clock.now = at("2026-11-24T05:00:00+00:00")
            assert await close_due_cycles(client.container) == 0  # busy: skipped, not missed
        assert await close_due_cycles(client.container) == 1
        fetched = await client.get(f"/v1/restock-requests/{made.id}", headers=tenant.coordinator)
        assert fetched.json()["status"] == "locked"


async def test_cycle_pages_and_bad_cursors(engine, make_container):
    tenant = await new_tenant(engine, warungs=0)
    async with app_client(make_container, FixedClock(at(MORNING))) as client:
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        url = f"/v1/satkers/{tenant.satker_id}/cycles"
        first = (await client.get(f"{url}?limit=5", headers=tenant.coordinator)).json()
        rest = await client.get(
            f"{url}?limit=5&cursor={first['next_cursor']}", headers=tenant.coordinator
        )
        cutoffs = [c["cutoff_at"] for c in first["items"] + rest.json()["items"]]
        assert len(cutoffs) == 8 and cutoffs == sorted(cutoffs)
        from services.api.paging import encode_cursor

        for bad in ("nonsense", encode_cursor("yesterday", 1)):
            response = await client.get(f"{url}?cursor={bad}", headers=tenant.coordinator)
            assert response.status_code == 400
        response = await client.get(
            f"/v1/restock-requests?cursor={encode_cursor('x')}", headers=tenant.coordinator
        )
        assert response.status_code == 400


async def test_the_sql_windows_select_exactly_the_cycles_the_rule_admits(engine):
    """The statements that pick or claim cycles themselves apply ``cycle.Window`` in SQL; on
    every edge (opening, cut-off, a microsecond either side) they agree with the rule."""
    from datetime import timedelta

    from services.app.order_cycles import window_args, window_sql
    from services.db.tx import Tx
    from services.domain import cycle as rules
    from tests.support import new_satker

    satker = await new_satker(engine, timezone="Asia/Makassar")
    cutoff = at("2026-11-24T04:00:00+00:00")  # 12:00 WITA
    opens = cutoff - timedelta(hours=6)
    us = timedelta(microseconds=1)
    states = []
    for status in ("scheduled", "open", "closed", "consolidated"):
        for shift in (timedelta(0), timedelta(days=1), -timedelta(days=1)):
            states.append(
                rules.CycleState(status=status, opens_at=opens + shift, cutoff_at=cutoff + shift)
            )
    async with Tx(engine) as tx:
        raw = await tx.raw()
        ids = {}
        for n, c in enumerate(states):
            ids[n] = await raw.fetchval(
                "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
                " delivery_date, status) VALUES ($1, $2, '{fresh}', $3, $4, $5, $6) RETURNING id",
                satker,
                f"c{n}",
                c.opens_at,
                c.cutoff_at,
                c.cutoff_at.date(),
                c.status,
            )
        windows = [
            rules.taking_requests,
            rules.before_cutoff,
            rules.due_to_close,
            rules.due_to_open,
        ]
        checked = 0
        for now in (opens - us, opens, opens + us, cutoff - us, cutoff, cutoff + us):
            for window in windows:
                found = {
                    r["id"]
                    for r in await raw.fetch(
                        f"SELECT id FROM order_cycle WHERE satker_id = $1 AND {window_sql(2)}",
                        satker,
                        *window_args(window(now)),
                    )
                }
                expected = {ids[n] for n, c in enumerate(states) if window(now).admits(c)}
                assert found == expected, (window.__name__, now)
                checked += bool(expected)
    assert checked >= 12  # most windows admit something at most instants
