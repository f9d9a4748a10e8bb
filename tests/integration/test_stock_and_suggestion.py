"""Stock-takes and movements (on hand is explainable), pre-orders, and the restock suggestion's
arithmetic: open pre-orders + (maximum − on hand − on order) at or below the minimum."""

from __future__ import annotations

from decimal import Decimal

from services.clock import FixedClock
from tests.support_demand import DAILY_FRESH, app_client, at, new_product, new_tenant

NOW = "2026-11-24T03:00:00+00:00"  # 10:00 WIB


async def test_stock_take_and_movements_explain_on_hand(engine, make_container):
    tenant = await new_tenant(engine, warungs=2)
    wid, key = tenant.warungs[0], tenant.warung_keys[0]
    beras = await new_product(engine, name="Beras medium", category="sembako")
    mie = await new_product(
        engine, name="Mie instan", category="sembako", retail_unit="pcs", fractional=False
    )
    async with app_client(make_container, FixedClock(at(NOW))) as client:
        url = f"/v1/warungs/{wid}/stock"
        taken = await client.put(
            url,
            json={
                "items": [
                    {"product_id": beras, "on_hand": "12.5", "minimum": 10, "maximum": 50},
                    {"product_id": mie, "on_hand": 30, "minimum": 24, "maximum": 120},
                ]
            },
            headers=key,
        )
        assert taken.status_code == 200, taken.text
        assert [s["on_hand"] for s in taken.json()] == ["12.500", "30.000"]
        for reason, delta in (("sale", "-2.5"), ("receipt", "25"), ("adjustment", "-0.75")):
            moved = await client.post(
                f"/v1/warungs/{wid}/stock-movements",
                json={"product_id": beras, "reason": reason, "delta": delta},
                headers=key,
            )
            assert moved.status_code == 201, moved.text
        recount = await client.put(
            url, json={"items": [{"product_id": beras, "on_hand": 30}]}, headers=key
        )
        assert recount.json()[0]["minimum"] == "10.000"  # untouched fields stay

        moves = (
            await client.get(f"/v1/warungs/{wid}/stock-movements?product_id={beras}", headers=key)
        ).json()["items"]
        assert [(m["reason"], m["delta"]) for m in moves] == [
            ("count", "12.500"),
            ("sale", "-2.500"),
            ("receipt", "25.000"),
            ("adjustment", "-0.750"),
            ("count", "-4.250"),
        ]
        assert sum(Decimal(m["delta"]) for m in moves) == Decimal("30")
        assert moves[-1]["on_hand_after"] == "30.000"

        too_much = await client.post(
            f"/v1/warungs/{wid}/stock-movements",
            json={"product_id": mie, "reason": "sale", "delta": -31},
            headers=key,
        )
        assert too_much.status_code == 400
        assert too_much.json()["errors"][0]["pointer"] == "/delta"
        bad = await client.put(
            url,
            json={
                "items": [
                    {"product_id": mie, "on_hand": "1.5"},
                    {"product_id": beras, "minimum": 60},
                    {"product_id": 999999, "on_hand": 1},
                ]
            },
            headers=key,
        )
        assert bad.status_code == 400
        assert {e["pointer"] for e in bad.json()["errors"]} == {
            "/items/0/on_hand",
            "/items/2/product_id",
        }
        inverted = await client.put(
            url, json={"items": [{"product_id": beras, "minimum": 60}]}, headers=key
        )
        assert inverted.json()["errors"][0]["pointer"] == "/items/0/maximum"

        other = await client.get(f"/v1/warungs/{tenant.warungs[1]}/stock", headers=key)
        assert other.status_code == 404
        seen = await client.get(url, headers=tenant.coordinator)
        assert len(seen.json()["items"]) == 2


async def test_preorders(engine, make_container):
    tenant = await new_tenant(engine, warungs=2)
    wid, key = tenant.warungs[0], tenant.warung_keys[0]
    telur = await new_product(engine, name="Telur ayam", category="protein")
    async with app_client(make_container, FixedClock(at(NOW))) as client:
        url = f"/v1/warungs/{wid}/preorders"
        made = await client.post(
            url,
            json={
                "product_id": telur,
                "quantity": "1.5",
                "customer_ref": "Bu Ani, RT 03",
                "needed_by": "2026-11-25",
            },
            headers=key,
        )
        assert made.status_code == 201, made.text
        assert made.json()["status"] == "open"
        past = await client.post(
            url,
            json={
                "product_id": telur,
                "quantity": 0,
                "customer_ref": "x",
                "needed_by": "2026-11-23",
            },
            headers=key,
        )
        assert {e["pointer"] for e in past.json()["errors"]} == {"/quantity", "/needed_by"}
        foreign = await client.post(
            f"/v1/warungs/{tenant.warungs[1]}/preorders",
            json={
                "product_id": telur,
                "quantity": 1,
                "customer_ref": "x",
                "needed_by": "2026-11-25",
            },
            headers=key,
        )
        assert foreign.status_code == 404
        listed = await client.get(url, headers=key)
        assert [p["customer_ref"] for p in listed.json()["items"]] == ["Bu Ani, RT 03"]
        pid = made.json()["id"]
        served = await client.post(f"{url}/{pid}/status", json={"status": "served"}, headers=key)
        assert served.status_code == 200 and served.json()["status"] == "served"
        again = await client.post(f"{url}/{pid}/status", json={"status": "cancelled"}, headers=key)
        assert again.status_code == 409 and again.json()["current_state"] == "served"
        assert (await client.get(f"{url}?status=open", headers=key)).json()["items"] == []
        other = await client.post(
            f"/v1/warungs/{tenant.warungs[1]}/preorders/{pid}/status",
            json={"status": "served"},
            headers=tenant.coordinator,
        )
        assert other.status_code == 404


async def test_suggestion_arithmetic(engine, make_container):
    tenant = await new_tenant(engine, warungs=1)
    wid, key = tenant.warungs[0], tenant.warung_keys[0]
    cabai = await new_product(engine, name="Cabai merah", category="fresh")
    ayam = await new_product(
        engine, name="Ayam potong", category="protein", retail_unit="ekor", fractional=False
    )
    telur = await new_product(engine, name="Telur ayam", category="protein")
    bawang = await new_product(engine, name="Bawang merah", category="fresh")
    async with app_client(make_container, FixedClock(at(NOW))) as client:
        await client.post(
            f"/v1/satkers/{tenant.satker_id}/cycle-templates",
            json=DAILY_FRESH,
            headers=tenant.coordinator,
        )
        await client.put(
            f"/v1/warungs/{wid}/stock",
            json={
                "items": [
                    # at the minimum, 4 on order: 20 − 5 − 4 = 11, plus 2 + 0.5 pre-ordered
                    {"product_id": cabai, "on_hand": 5, "minimum": 5, "maximum": 20},
                    # below the minimum, whole units: 6 − 1 − 0 = 5, plus 1 pre-ordered
                    {"product_id": ayam, "on_hand": 1, "minimum": 2, "maximum": 6},
                    # above the minimum: nothing to replenish
                    {"product_id": telur, "on_hand": 10, "minimum": 4, "maximum": 15},
                    # at the minimum but on order covers the maximum: nothing
                    {"product_id": bawang, "on_hand": 1, "minimum": 2, "maximum": 3},
                ]
            },
            headers=key,
        )
        await client.post(
            "/v1/restock-requests",
            json={
                "lines": [
                    {"product_id": cabai, "quantity": 4},
                    {"product_id": bawang, "quantity": 5},
                ]
            },
            headers=key,
        )
        for product, qty in ((cabai, "2"), (cabai, "0.5"), (ayam, "1"), (telur, "3")):
            await client.post(
                f"/v1/warungs/{wid}/preorders",
                json={
                    "product_id": product,
                    "quantity": qty,
                    "customer_ref": "pelanggan",
                    "needed_by": "2026-11-26",
                },
                headers=key,
            )
        response = await client.get(f"/v1/warungs/{wid}/restock-suggestion", headers=key)
        assert response.status_code == 200, response.text
        lines = {ln["product_id"]: ln for ln in response.json()["lines"]}
    assert set(lines) == {cabai, ayam, telur}
    assert lines[cabai]["preorder_quantity"] == "2.500"
    assert lines[cabai]["replenish_quantity"] == "11.000"
    assert lines[cabai]["quantity"] == "13.500"
    assert lines[cabai]["on_order"] == "4.000"
    assert "maximum 20 − on hand 5 − on order 4 = 11" in lines[cabai]["reason"]
    assert "open pre-orders 2.5 kg" in lines[cabai]["reason"]
    assert (lines[ayam]["quantity"], lines[ayam]["retail_unit"]) == ("6.000", "ekor")
    assert lines[telur]["quantity"] == "3.000"
    assert lines[telur]["replenish_quantity"] == "0.000"
    assert "minimum" not in lines[telur]["reason"]
