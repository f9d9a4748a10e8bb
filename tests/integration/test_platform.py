"""The HTTP foundation: auth and tenancy, problem+json, idempotency, pagination, If-Match."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from tests.support import bearer, new_key, new_satker, new_warung

SATKER = {
    "name": "Satker Kalidoni",
    "kecamatan": "Kalidoni",
    "kota": "Kota Palembang",
    "province": "Sumatera Selatan",
    "timezone": "Asia/Jakarta",
}
WARUNG = {
    "name": "Warung Bu Sari",
    "owner_name": "Sari",
    "phone": "081234567890",
    "address": "Jl. Mayor Zen No. 12",
}


async def test_health_and_docs_are_public(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    assert "/v1/satkers" in schema["paths"]


async def test_every_response_carries_a_request_id(client):
    response = await client.get("/health/live", headers={"X-Request-ID": "abcdef123456"})
    assert response.headers["x-request-id"] == "abcdef123456"
    assert len((await client.get("/health/live")).headers["x-request-id"]) == 32


async def test_no_key_bad_key_and_revoked_key_are_401(client, engine):
    response = await client.get("/v1/satkers")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/unauthorized"
    assert (await client.get("/v1/satkers", headers=bearer("kul_nope_nope"))).status_code == 401
    assert (
        await client.get("/v1/satkers", headers={"Authorization": "Basic x"})
    ).status_code == 401

    admin = await new_key(engine, "admin")
    victim = await new_key(engine, "admin")
    assert (await client.get("/v1/satkers", headers=bearer(victim))).status_code == 200
    keys = (await client.get("/v1/api-keys", headers=bearer(admin))).json()["items"]
    victim_id = next(k["id"] for k in keys if victim.split("_")[1] == k["prefix"])
    revoked = await client.post(f"/v1/api-keys/{victim_id}/revoke", headers=bearer(admin))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.get("/v1/satkers", headers=bearer(victim))).status_code == 401


async def test_keys_are_stored_hashed(client, engine):
    admin = await new_key(engine, "admin")
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT key_hash, prefix FROM api_key"))).all()
    assert all(admin not in (h, p) for h, p in stored)
    assert stored[0].prefix == admin.split("_")[1]


async def test_roles_and_tenancy(client, engine):
    a = await new_satker(engine)
    b = await new_satker(engine)
    wa = await new_warung(engine, a)
    wb = await new_warung(engine, b)
    coord_a = await new_key(engine, "coordinator", satker_id=a)
    warung_a = await new_key(engine, "warung", satker_id=a, warung_id=wa)

    # 403: a coordinator may not register satkers
    forbidden = await client.post("/v1/satkers", json=SATKER, headers=bearer(coord_a))
    assert forbidden.status_code == 403
    assert forbidden.json()["type"] == "/problems/forbidden"
    # 404: another tenant's objects do not exist for the caller
    assert (await client.get(f"/v1/satkers/{b}", headers=bearer(coord_a))).status_code == 404
    assert (
        await client.get(f"/v1/satkers/{b}/warungs/{wb}", headers=bearer(coord_a))
    ).status_code == 404
    assert (
        await client.get(f"/v1/satkers/{a}/warungs/{wb}", headers=bearer(coord_a))
    ).status_code == 404
    # a warung sees only itself
    own = await client.get(f"/v1/satkers/{a}/warungs", headers=bearer(warung_a))
    assert [w["id"] for w in own.json()["items"]] == [wa]
    # a coordinator sees only its own satker in lists
    listed = await client.get("/v1/satkers", headers=bearer(coord_a))
    assert [s["id"] for s in listed.json()["items"]] == [a]
    # a warung key may not create warungs
    made = await client.post(f"/v1/satkers/{a}/warungs", json=WARUNG, headers=bearer(warung_a))
    assert made.status_code == 403


async def test_bad_bodies_are_400_problems_with_field_paths(client, engine):
    admin = bearer(await new_key(engine, "admin"))
    malformed = await client.post(
        "/v1/satkers", content=b'{"name": ', headers={**admin, "content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.headers["content-type"].startswith("application/problem+json")

    unknown = await client.post("/v1/satkers", json={**SATKER, "colour": "red"}, headers=admin)
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["pointer"] == "/colour"

    wrong_type = await client.post(
        "/v1/satkers", json={**SATKER, "second_approval_threshold_idr": "lots"}, headers=admin
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"][0]["pointer"] == "/second_approval_threshold_idr"

    bad_zone = await client.post(
        "/v1/satkers", json={**SATKER, "timezone": "Europe/Paris"}, headers=admin
    )
    assert bad_zone.status_code == 400
    assert bad_zone.json()["errors"][0]["pointer"] == "/timezone"

    bad_cursor = await client.get("/v1/satkers?cursor=%%%", headers=admin)
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["errors"][0]["parameter"] == "cursor"

    bad_limit = await client.get("/v1/satkers?limit=0", headers=admin)
    assert bad_limit.status_code == 400

    missing = await client.get("/v1/satkers/999999", headers=admin)
    assert missing.status_code == 404 and missing.json()["status"] == 404


async def test_idempotent_replay_and_reuse_with_another_body(client, engine):
    admin = bearer(await new_key(engine, "admin"))
    headers = {**admin, "Idempotency-Key": "create-kalidoni"}
    first = await client.post("/v1/satkers", json=SATKER, headers=headers)
    again = await client.post("/v1/satkers", json=SATKER, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers

    other = await client.post("/v1/satkers", json={**SATKER, "name": "Lain"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency-key-reused"

    # keys are scoped per principal: another admin's same key is a new request
    other_admin = bearer(await new_key(engine, "admin"))
    clash = await client.post(
        "/v1/satkers", json=SATKER, headers={**other_admin, "Idempotency-Key": "create-kalidoni"}
    )
    assert clash.status_code == 409  # same satker name: the constraint, not a replay
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM satker"))).scalar() == 1


async def test_failed_request_does_not_burn_the_key(client, engine):
    admin = bearer(await new_key(engine, "admin"))
    headers = {**admin, "Idempotency-Key": "k-1"}
    bad = await client.post("/v1/satkers", json={**SATKER, "timezone": "UTC"}, headers=headers)
    assert bad.status_code == 400
    good = await client.post("/v1/satkers", json={**SATKER, "timezone": "UTC"}, headers=headers)
    assert good.status_code == 400  # still invalid, still not stored
    fixed = await client.post("/v1/satkers", json=SATKER, headers=headers)
    assert fixed.status_code == 201


async def test_fifty_concurrent_posts_with_one_key_create_one_object(client, engine):
    admin = bearer(await new_key(engine, "admin"))
    satker = await new_satker(engine)
    headers = {**admin, "Idempotency-Key": "burst-1"}

    async def post():
        return await client.post(f"/v1/satkers/{satker}/warungs", json=WARUNG, headers=headers)

    responses = await asyncio.gather(*(post() for _ in range(50)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(1 for r in responses if r.headers.get("idempotent-replayed")) == 49
    async with engine.connect() as conn:
        count = (
            await conn.execute(
                text("SELECT count(*) FROM warung WHERE satker_id = :s"), {"s": satker}
            )
        ).scalar()
    assert count == 1


async def test_etag_and_stale_if_match(client, engine):
    admin = bearer(await new_key(engine, "admin"))
    satker = await new_satker(engine)
    current = await client.get(f"/v1/satkers/{satker}", headers=admin)
    tag = current.headers["etag"]
    changed = await client.patch(
        f"/v1/satkers/{satker}", json={"price_step_idr": 500}, headers={**admin, "If-Match": tag}
    )
    assert changed.status_code == 200 and changed.json()["price_step_idr"] == 500
    assert changed.headers["etag"] != tag
    stale = await client.patch(
        f"/v1/satkers/{satker}", json={"price_step_idr": 200}, headers={**admin, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    final = await client.get(f"/v1/satkers/{satker}", headers=admin)
    assert final.json()["price_step_idr"] == 500


async def test_cursor_pagination_walks_every_row_once(client, engine):
    admin = bearer(await new_key(engine, "admin"))
    satker = await new_satker(engine)
    made = {await new_warung(engine, satker) for _ in range(7)}
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get(f"/v1/satkers/{satker}/warungs", params=params, headers=admin)
        ).json()
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 7


async def test_metrics_count_requests_by_route(client):
    await client.get("/health/live")
    metrics = (await client.get("/metrics")).text
    assert "kulakan_requests_total" in metrics
    assert 'path="/health/live"' in metrics
