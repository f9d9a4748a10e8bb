"""Products, suppliers, market prices; CSV import; the demo seed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from contracts.adapter import Capability
from contracts.errors import FieldError, InvalidInput
from services.app.csv_import import import_csv
from services.db.tx import Tx
from services.demo.seed import seed_demo
from services.registry import AdapterRegistry
from tests.support import bearer, new_key, new_satker

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)

MINYAKITA = {
    "sku": "MINYAKITA",
    "name": "Minyak goreng MinyaKita 1 L",
    "category": "sembako",
    "retail_unit": "liter",
    "vat": True,
    "packs": [{"pack_name": "karton 12 L", "units_per_pack": "12"}],
    "ceilings": [
        {"region": "national", "kind": "HET", "price_idr": 15700, "regulation": "Permendag 18/2024"}
    ],
}


class FakeFactory:
    key = "fake"
    capabilities = frozenset({Capability.QUOTE})

    def validate_config(self, config):
        if "base_url" not in config:
            raise InvalidInput(
                "base_url missing", errors=[FieldError("/adapter_config/base_url", "required")]
            )

    def create(self, config, context):  # pragma: no cover - not used here
        raise NotImplementedError


@pytest.fixture
async def app_client(make_container):
    import httpx

    from services.api.app import create_app

    container = make_container(adapters=AdapterRegistry({"fake": FakeFactory()}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(container)), base_url="http://t"
    ) as c:
        yield c


async def test_products_with_packs_and_ceilings(app_client, engine):
    admin = bearer(await new_key(engine, "admin"))
    made = await app_client.post("/v1/products", json=MINYAKITA, headers=admin)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["packs"] == [{"pack_name": "karton 12 L", "units_per_pack": "12.000"}]
    assert body["ceilings"][0]["price_idr"] == 15700
    got = await app_client.get(f"/v1/products/{body['id']}", headers=admin)
    assert got.json() == body and got.headers["etag"] == '"1"'

    changed = await app_client.patch(
        f"/v1/products/{body['id']}",
        json={
            "packs": [
                {"pack_name": "karton 12 L", "units_per_pack": "12"},
                {"pack_name": "pouch 2 L", "units_per_pack": "2"},
            ]
        },
        headers={**admin, "If-Match": '"1"'},
    )
    assert changed.status_code == 200 and len(changed.json()["packs"]) == 2
    stale = await app_client.patch(
        f"/v1/products/{body['id']}", json={"active": False}, headers={**admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412


async def test_product_validation_names_fields(app_client, engine):
    admin = bearer(await new_key(engine, "admin"))
    bad = {
        **MINYAKITA,
        "packs": [{"pack_name": "karton", "units_per_pack": "0"}],
        "min_margin": "0.5",
        "target_margin": "0.1",
    }
    response = await app_client.post("/v1/products", json=bad, headers=admin)
    assert response.status_code == 400
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/packs/0/units_per_pack", "/min_margin"}
    wrong_category = await app_client.post(
        "/v1/products", json={**MINYAKITA, "category": "toys"}, headers=admin
    )
    assert wrong_category.json()["errors"][0]["pointer"] == "/category"
    twice = await app_client.post("/v1/products", json=MINYAKITA, headers=admin)
    again = await app_client.post("/v1/products", json=MINYAKITA, headers=admin)
    assert twice.status_code == 201 and again.status_code == 409


async def test_only_admins_write_but_every_role_reads(app_client, engine):
    satker = await new_satker(engine)
    admin = bearer(await new_key(engine, "admin"))
    coord = bearer(await new_key(engine, "coordinator", satker_id=satker))
    assert (await app_client.post("/v1/products", json=MINYAKITA, headers=admin)).status_code == 201
    assert (
        await app_client.post("/v1/products", json={**MINYAKITA, "sku": "X"}, headers=coord)
    ).status_code == 403
    listed = await app_client.get("/v1/products?category=sembako", headers=coord)
    assert [p["sku"] for p in listed.json()["items"]] == ["MINYAKITA"]
    assert (await app_client.get("/v1/products?category=fresh", headers=coord)).json()[
        "items"
    ] == []


async def test_supplier_adapter_key_and_config_are_validated(app_client, engine):
    admin = bearer(await new_key(engine, "admin"))
    supplier = {
        "name": "Grosir A",
        "adapter_key": "fake",
        "adapter_config": {"base_url": "http://127.0.0.1:1"},
        "regions": ["Kota Palembang"],
        "delivery_fee_idr": 50000,
    }
    unknown = await app_client.post(
        "/v1/suppliers", json={**supplier, "adapter_key": "telepathy"}, headers=admin
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["pointer"] == "/adapter_key"
    bad_config = await app_client.post(
        "/v1/suppliers", json={**supplier, "adapter_config": {}}, headers=admin
    )
    assert bad_config.status_code == 400
    assert bad_config.json()["errors"][0]["pointer"] == "/adapter_config/base_url"
    made = await app_client.post("/v1/suppliers", json=supplier, headers=admin)
    assert made.status_code == 201 and len(made.json()["webhook_secret"]) > 20
    read = await app_client.get(f"/v1/suppliers/{made.json()['id']}", headers=admin)
    assert "webhook_secret" not in read.json()
    with_key = await app_client.post(
        "/v1/suppliers",
        json={
            **supplier,
            "name": "Grosir K",
            "regions": [],
            "adapter_config": {"base_url": "http://x", "api_key": "k-123"},
        },
        headers=admin,
    )
    assert with_key.json()["adapter_config"] == {"base_url": "http://x", "api_key": "***"}
    tempo = await app_client.post(
        "/v1/suppliers", json={**supplier, "name": "B", "payment_terms": "tempo"}, headers=admin
    )
    assert tempo.status_code == 400 and tempo.json()["errors"][0]["pointer"] == "/tempo_days"
    in_region = await app_client.get("/v1/suppliers?region=Kota Palembang", headers=admin)
    assert len(in_region.json()["items"]) == 1


async def test_market_prices_upsert_by_day_and_source(app_client, engine):
    admin = bearer(await new_key(engine, "admin"))
    await app_client.post("/v1/products", json=MINYAKITA, headers=admin)
    price = {
        "sku": "MINYAKITA",
        "kota": "Kota Palembang",
        "price_date": "2026-11-24",
        "price_idr": 15700,
        "source": "SP2KP",
    }
    first = await app_client.post("/v1/market-prices", json=price, headers=admin)
    second = await app_client.post(
        "/v1/market-prices", json={**price, "price_idr": 15600}, headers=admin
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and second.json()["price_idr"] == 15600
    unknown = await app_client.post(
        "/v1/market-prices", json={**price, "sku": "NOPE"}, headers=admin
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["pointer"] == "/sku"


PRODUCTS_CSV = """sku,name,category,retail_unit,fractional,vat,pack_name,units_per_pack,het_idr,het_region
BRS-MED,Beras medium,sembako,kg,true,false,karung 25 kg,25,13500,Kota Palembang
MIE-GRG,Mie instan goreng,sembako,pcs,false,true,dus 40 pcs,40,,
"""


async def test_csv_import_is_all_or_nothing_with_line_and_column(engine):
    broken = (
        PRODUCTS_CSV
        + "GULA,Gula pasir,sweets,kg,true,false,karung 50 kg,50,,\nTELUR,Telur,protein,kg,maybe,false,peti 15 kg,15,,\n"
    )
    tx = Tx(engine)
    with pytest.raises(InvalidInput) as caught:
        await import_csv(tx, "products", broken, now=NOW, adapters=AdapterRegistry({}))
    await tx.rollback()
    errors = caught.value.extra["row_errors"]
    assert {(e["line"], e["column"]) for e in errors} == {(4, "category"), (5, "fractional")}
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM product"))).scalar() == 0


async def test_csv_reimport_updates_instead_of_duplicating(engine):
    async with Tx(engine) as tx:
        first = await import_csv(
            tx, "products", PRODUCTS_CSV, now=NOW, adapters=AdapterRegistry({})
        )
    assert (first.created, first.updated) == (2, 0)
    async with Tx(engine) as tx:
        again = await import_csv(
            tx, "products", PRODUCTS_CSV, now=NOW, adapters=AdapterRegistry({})
        )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    async with Tx(engine) as tx:
        changed = await import_csv(
            tx,
            "products",
            PRODUCTS_CSV.replace("40,,", "48,,"),
            now=NOW,
            adapters=AdapterRegistry({}),
        )
    assert changed.updated == 1
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM product"))).scalar() == 2
        units = (
            await conn.execute(
                text(
                    "SELECT units_per_pack FROM product_pack JOIN product p ON p.id = product_id WHERE sku = 'MIE-GRG'"
                )
            )
        ).scalar()
    assert units == 48


async def test_csv_missing_column_and_duplicate_rows(engine):
    tx = Tx(engine)
    with pytest.raises(InvalidInput) as missing:
        await import_csv(tx, "products", "sku,name\nA,B\n", now=NOW, adapters=AdapterRegistry({}))
    assert {e["column"] for e in missing.value.extra["row_errors"]} == {"category", "retail_unit"}
    with pytest.raises(InvalidInput) as dup:
        await import_csv(
            tx,
            "products",
            PRODUCTS_CSV + PRODUCTS_CSV.splitlines()[1] + "\n",
            now=NOW,
            adapters=AdapterRegistry({}),
        )
    assert dup.value.extra["row_errors"][0]["line"] == 4
    await tx.rollback()


async def _snapshot(engine) -> dict[str, list]:
    out = {}
    async with engine.connect() as conn:
        for table in (
            "satker",
            "warung",
            "product",
            "product_pack",
            "price_ceiling",
            "supplier",
            "market_price",
            "api_key",
        ):
            rows = (await conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2"))).all()
            out[table] = [tuple(r) for r in rows]
    return out


async def test_demo_seed_loads_kalidoni_and_a_second_run_changes_nothing(engine):
    async with Tx(engine) as tx:
        first = await seed_demo(tx, now=NOW, adapters=AdapterRegistry())
    assert first.keys is not None
    before = await _snapshot(engine)
    assert len(before["warung"]) == 20
    assert len(before["product"]) >= 40
    assert len(before["supplier"]) == 4
    assert len(before["api_key"]) == 4
    async with Tx(engine) as tx:
        second = await seed_demo(tx, now=NOW, adapters=AdapterRegistry())
    assert second.keys is None
    assert await _snapshot(engine) == before
    async with engine.connect() as conn:
        het = (
            await conn.execute(
                text(
                    "SELECT c.price_idr FROM price_ceiling c JOIN product p ON p.id = c.product_id WHERE p.sku = 'BRS-MED'"
                )
            )
        ).scalar()
        ref = (
            await conn.execute(
                text(
                    "SELECT m.price_idr FROM market_price m JOIN product p ON p.id = m.product_id WHERE p.sku = 'BRS-MED'"
                )
            )
        ).scalar()
    assert (het, ref) == (13500, 12000)
