"""Data pages through HTTP: warungs, products, suppliers, market prices (one, or a CSV file),
the wholesale market's price board and API keys. Each change keeps the API's role rule,
If-Match, Idempotency-Key, CSRF and tenancy; a bad file saves nothing and names its errors by
line and column."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
import pytest

from contracts.api.catalogue import SupplierCreate
from services.api.app import create_app
from services.app.suppliers import create_supplier
from services.db.tx import Tx
from tests.integration.test_field_suppliers import BOARD, MARKET_CONFIG
from tests.support import bearer, new_key, new_satker, new_warung
from tests.support_console import new_user, sign_in

COORDINATOR = "0812-5555-0001"
ADMIN = "0812-5555-0002"
OTHER = "0812-5555-0003"
TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


@dataclass
class World:
    client: httpx.AsyncClient
    container: object
    satker: int
    other: int
    warung: int
    market: int

    @property
    def base(self) -> str:
        return f"/console/satkers/{self.satker}/data"


@pytest.fixture
async def world(engine, make_container):
    container = make_container()
    satker = await new_satker(engine, name="Satker Kalidoni")
    other = await new_satker(engine, name="Satker Lain")
    warung = await new_warung(engine, satker, name="Warung Bu Sari")
    await new_warung(engine, other, name="Warung Seberang")
    async with Tx(engine) as tx:
        raw = await tx.raw()
        for sku, name in (("BWG-MRH", "Bawang merah"), ("LELE", "Ikan lele")):
            await raw.execute(
                "INSERT INTO product (sku, name, category, retail_unit, fractional)"
                " VALUES ($1, $2, 'fresh', 'kg', true)",
                sku,
                name,
            )
        market = await create_supplier(
            tx,
            SupplierCreate(
                name="Pasar Induk Jakabaring",
                adapter_key="wholesale_market",
                adapter_config=MARKET_CONFIG,
                regions=["Kota Palembang"],
            ),
            container.adapters,
        )
    await new_user(engine, satker, COORDINATOR)
    await new_user(engine, None, ADMIN, role="admin", name="Operator")
    await new_user(engine, other, OTHER)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://kulakan.test") as client:
        yield World(client, container, satker, other, warung, market.id)


async def as_user(w: World, phone: str) -> None:
    w.client.cookies.clear()
    assert (await sign_in(w.client, phone)).status_code == 303


async def post(
    w: World,
    path: str,
    data: dict[str, str],
    *,
    key: str | None = None,
    files: dict | None = None,
    csrf: bool = True,
) -> httpx.Response:
    """A form post as the page's htmx sends it: the CSRF token, an Idempotency-Key."""
    page = await w.client.get("/console/")
    token = TOKEN.search(page.text)
    assert token, page.text[:300]
    body = {**data, **({"_csrf_token": token.group(1)} if csrf else {})}
    headers = {"HX-Request": "true", "Idempotency-Key": key or uuid.uuid4().hex}
    return await w.client.post(path, data=body, files=files, headers=headers)


async def count(engine, sql: str, *args: object) -> int:
    async with Tx(engine) as tx:
        return await (await tx.raw()).fetchval(sql, *args)


async def test_a_coordinator_lists_adds_and_edits_warungs(engine, world):
    w = world
    await as_user(w, COORDINATOR)
    page = await w.client.get(f"{w.base}/warungs")
    assert page.status_code == 200
    assert "Warung Bu Sari" in page.text and "Warung Seberang" not in page.text
    assert "Tambah warung" in page.text and 'hx-headers=\'{"Idempotency-Key"' in page.text
    assert (await w.client.get(f"{w.base}/")).headers["location"].endswith("/data/warungs")

    new = {"name": "Warung Pak Darto", "owner_name": "Pak Darto", "phone": "0812-3456-7002"}
    new["address"] = "Jl. Mayor Zen 5"
    key = uuid.uuid4().hex
    first = await post(w, f"{w.base}/warungs", new, key=key)
    again = await post(w, f"{w.base}/warungs", new, key=key)  # a double submit
    assert first.status_code == again.status_code == 303
    assert again.headers.get("idempotent-replayed") == "true"
    assert await count(engine, "SELECT count(*) FROM warung WHERE name = 'Warung Pak Darto'") == 1
    listed = await w.client.get(first.headers["location"])
    assert "Warung tersimpan." in listed.text and "Warung Pak Darto" in listed.text

    bad = await post(w, f"{w.base}/warungs", {**new, "name": "Warung Baru", "phone": "12"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text
    assert await count(engine, "SELECT count(*) FROM warung WHERE name = 'Warung Baru'") == 0
    taken = await post(w, f"{w.base}/warungs", {**new, "name": "Warung Bu Sari"})
    assert taken.status_code == 400 and "already used" in taken.text

    edit_url = f"{w.base}/warungs/{w.warung}"
    form = await w.client.get(edit_url)
    version = VERSION.search(form.text).group(1)
    change = {"name": "Warung Bu Sari", "owner_name": "Bu Sari Rahayu", "phone": "0812-3456-7001"}
    change |= {"address": "Jl. Residen Abdul Rozak 1", "active": "on", "version": version}
    assert (await post(w, edit_url, change)).status_code == 303
    # the same form sent again carries the version it showed: someone changed it meanwhile
    stale = await post(w, edit_url, {**change, "owner_name": "Bu Sari Lama"})
    assert stale.status_code == 409
    assert "Seseorang sudah mengubah data ini" in stale.text and "Bu Sari Rahayu" in stale.text
    assert VERSION.search(stale.text).group(1) == str(int(version) + 1)
    owner = "SELECT owner_name FROM warung WHERE id = $1"
    async with Tx(engine) as tx:
        assert await (await tx.raw()).fetchval(owner, w.warung) == "Bu Sari Rahayu"


async def test_data_pages_keep_tenancy_and_csrf(engine, world):
    w = world
    await as_user(w, OTHER)
    for path in ("warungs", f"warungs/{w.warung}", "products", "market-prices", "price-board"):
        got = await w.client.get(f"{w.base}/{path}")
        assert got.status_code == 404, path
    own = f"/console/satkers/{w.other}/data/warungs/{w.warung}"
    assert (await w.client.get(own)).status_code == 404  # not a warung of their satker
    data = {"name": "X", "owner_name": "Y", "phone": "081234567890", "address": "Z"}
    assert (await post(w, f"{w.base}/warungs", data)).status_code == 404
    await as_user(w, COORDINATOR)
    refused = await post(w, f"{w.base}/warungs", data, csrf=False)
    assert refused.status_code == 403
    assert await count(engine, "SELECT count(*) FROM warung WHERE name = 'X'") == 0


async def test_products_and_suppliers_are_read_only_for_a_coordinator(engine, world):
    w = world
    await as_user(w, COORDINATOR)
    products = await w.client.get(f"{w.base}/products")
    assert products.status_code == 200 and "Bawang merah" in products.text
    assert "hanya admin yang menambah" in products.text and "Tambah produk" not in products.text
    suppliers = await w.client.get(f"{w.base}/suppliers")
    assert "Pasar Induk Jakabaring" in suppliers.text and "Tambah pemasok" not in suppliers.text
    product = {"sku": "GULA", "name": "Gula pasir", "category": "sembako", "retail_unit": "kg"}
    assert (await post(w, f"{w.base}/products", product)).status_code == 403
    assert (await w.client.get(f"{w.base}/suppliers/{w.market}")).status_code == 403
    assert await count(engine, "SELECT count(*) FROM product WHERE sku = 'GULA'") == 0


async def test_an_admin_adds_and_edits_products_and_suppliers(engine, world):
    w = world
    await as_user(w, ADMIN)
    product = {"sku": "GULA", "name": "Gula pasir", "category": "sembako", "retail_unit": "kg"}
    product |= {"pack_name": "karung 50 kg", "units_per_pack": "50", "het_idr": "17500"}
    added = await post(w, f"{w.base}/products", product)
    assert added.status_code == 303, added.text
    listed = await w.client.get(added.headers["location"])
    assert "Gula pasir" in listed.text and "karung 50 kg (50 kg)" in listed.text
    assert "Rp 17.500" in listed.text
    gula = await count(engine, "SELECT id FROM product WHERE sku = 'GULA'")
    bad = await post(w, f"{w.base}/products", {**product, "sku": "GULA2", "min_margin": "2"})
    assert bad.status_code == 400 and "must be a fraction" in bad.text

    form = await w.client.get(f"{w.base}/products/{gula}")
    version = VERSION.search(form.text).group(1)
    change = {"name": "Gula pasir lokal", "category": "sembako", "retail_unit": "kg"}
    change |= {"active": "on", "version": version, "target_margin": "0.12"}
    assert (await post(w, f"{w.base}/products/{gula}", change)).status_code == 303
    stale = await post(w, f"{w.base}/products/{gula}", change)
    assert stale.status_code == 409 and "Gula pasir lokal" in stale.text
    packs = "SELECT count(*) FROM product_pack WHERE product_id = $1"
    assert await count(engine, packs, gula) == 1  # the edit keeps the packs

    supplier = {"name": "Grosir Sembako Jaya", "adapter_key": "wholesale_market"}
    supplier |= {"regions": "Kota Palembang", "payment_terms": "cod", "delivery_fee_idr": "25000"}
    supplier["adapter_config"] = '{"market_name": "Pasar 16", "timezone": "Asia/Jakarta"}'
    created = await post(w, f"{w.base}/suppliers", supplier)
    assert created.status_code == 201, created.text
    secret = await count(
        engine, "SELECT webhook_secret FROM supplier WHERE name = $1", "Grosir Sembako Jaya"
    )
    assert secret in created.text  # shown once
    assert secret not in (await w.client.get(f"{w.base}/suppliers")).text
    sid = await count(engine, "SELECT id FROM supplier WHERE name = 'Grosir Sembako Jaya'")
    form = await w.client.get(f"{w.base}/suppliers/{sid}")
    change = {"name": "Grosir Sembako Jaya", "regions": "Kota Palembang; Kab. Banyuasin"}
    change |= {"payment_terms": "tempo", "tempo_days": "14", "active": "on"}
    change["version"] = VERSION.search(form.text).group(1)
    assert (await post(w, f"{w.base}/suppliers/{sid}", change)).status_code == 303
    tempo = "SELECT tempo_days FROM supplier WHERE id = $1"
    assert await count(engine, tempo, sid) == 14


PRICES = """sku,kota,price_date,price_idr,source
BWG-MRH,Kota Palembang,2026-11-24,36000,SP2KP
LELE,Kota Palembang,2026-11-24,28000,PIHPS
"""
BAD_PRICES = """sku,kota,price_date,price_idr,source
BWG-MRH,Kota Palembang,2026-11-24,36000,SP2KP
LELE,Kota Palembang,2026-11-24,dua puluh,PIHPS
TEMPE,Kota Palembang,2026-11-24,9000,manual
"""


async def test_market_price_csv_upload_saves_all_or_nothing(engine, world):
    w = world
    url = f"{w.base}/market-prices/import"
    await as_user(w, COORDINATOR)
    files = {"file": ("harga.csv", PRICES.encode(), "text/csv")}
    assert (await post(w, url, {}, files=files)).status_code == 403  # admins only, as the API
    page = await w.client.get(f"{w.base}/market-prices")
    assert "hanya admin yang mencatatnya" in page.text and "Unggah" not in page.text

    await as_user(w, ADMIN)
    bad = await post(w, url, {}, files={"file": ("harga.csv", BAD_PRICES.encode(), "text/csv")})
    assert bad.status_code == 400
    assert "Tidak ada yang disimpan: berkas ini punya 2 kesalahan." in bad.text
    assert "line 3, column price_idr: expected a whole number" in bad.text
    assert "line 4, column sku: no product with sku TEMPE" in bad.text
    assert await count(engine, "SELECT count(*) FROM market_price") == 0  # not even line 2

    good = await post(w, url, {}, files={"file": ("harga.csv", PRICES.encode(), "text/csv")})
    assert good.status_code == 303
    listed = await w.client.get(good.headers["location"])
    assert "Harga pasar sudah diimpor." in listed.text and "Rp 36.000" in listed.text
    assert await count(engine, "SELECT count(*) FROM market_price") == 2

    one = {"sku": "LELE", "kota": "Kota Palembang", "price_date": "2026-11-25"}
    one |= {"price_idr": "27500", "source": "manual"}
    assert (await post(w, f"{w.base}/market-prices", one)).status_code == 303
    assert await count(engine, "SELECT count(*) FROM market_price") == 3


async def test_the_api_imports_market_prices_from_csv(engine, world):
    w = world
    admin = bearer(await new_key(engine, "admin"))
    coordinator = bearer(await new_key(engine, "coordinator", satker_id=w.satker))
    csv_headers = {"Content-Type": "text/csv"}
    url = "/v1/market-prices/import"
    refused = await w.client.post(url, content=PRICES, headers={**coordinator, **csv_headers})
    assert refused.status_code == 403
    bad = await w.client.post(url, content=BAD_PRICES, headers={**admin, **csv_headers})
    assert bad.status_code == 400
    assert {(e["line"], e["column"]) for e in bad.json()["row_errors"]} == {
        (3, "price_idr"),
        (4, "sku"),
    }
    assert await count(engine, "SELECT count(*) FROM market_price") == 0
    good = await w.client.post(url, content=PRICES, headers={**admin, **csv_headers})
    assert good.status_code == 200 and good.json()["rows"] == 2


async def test_a_coordinator_uploads_the_price_board(engine, world):
    w = world
    await as_user(w, COORDINATOR)
    page = await w.client.get(f"{w.base}/price-board")
    assert "Pasar Induk Jakabaring" in page.text and "Belum ada papan harga" in page.text
    url = f"{w.base}/price-board"
    bad_board = BOARD + "2026-11-24,Bawang merah,kecil,kg,30000,abc\n"
    bad = await post(
        w,
        url,
        {"supplier_id": str(w.market)},
        files={"file": ("papan.csv", bad_board.encode(), "text/csv")},
    )
    assert bad.status_code == 400
    assert "line 5, column max_idr:" in bad.text and "Tidak ada yang disimpan" in bad.text
    assert await count(engine, "SELECT count(*) FROM price_board_entry") == 0

    good = await post(
        w,
        url,
        {"supplier_id": str(w.market)},
        files={"file": ("papan.csv", BOARD.encode(), "text/csv")},
    )
    assert good.status_code == 303, good.text
    shown = await w.client.get(good.headers["location"])
    assert "Papan harga tersimpan." in shown.text and "Rp 31.000" in shown.text
    assert await count(engine, "SELECT count(*) FROM price_board_entry") == 3


async def test_api_keys_are_an_admins_created_once_and_revoked(engine, world):
    w = world
    await as_user(w, COORDINATOR)
    page = await w.client.get(f"{w.base}/api-keys")
    assert "Hanya admin yang membuat" in page.text and "Buat kunci" not in page.text
    refused = await post(w, f"{w.base}/api-keys", {"owner": f"warung:{w.warung}"})
    assert refused.status_code == 403

    await as_user(w, ADMIN)
    key = uuid.uuid4().hex
    made = await post(
        w, f"{w.base}/api-keys", {"owner": f"warung:{w.warung}", "label": "HP"}, key=key
    )
    assert made.status_code == 201
    secret = re.search(r'<p class="secret">([^<]+)</p>', made.text).group(1)
    again = await post(
        w, f"{w.base}/api-keys", {"owner": f"warung:{w.warung}", "label": "HP"}, key=key
    )
    assert again.headers.get("idempotent-replayed") == "true"
    assert await count(engine, "SELECT count(*) FROM api_key WHERE role = 'warung'") == 1
    me = await w.client.get(f"/v1/warungs/{w.warung}/invoices", headers=bearer(secret))
    assert me.status_code == 200
    listed = await w.client.get(f"{w.base}/api-keys")
    assert secret not in listed.text and "Warung Bu Sari" in listed.text

    foreign = await new_warung(engine, w.other, name="Warung Jauh")
    wrong = await post(w, f"{w.base}/api-keys", {"owner": f"warung:{foreign}"})
    assert wrong.status_code == 400
    key_id = await count(engine, "SELECT id FROM api_key WHERE role = 'warung'")
    revoked = await post(w, f"{w.base}/api-keys/{key_id}/revoke", {})
    assert revoked.status_code == 303
    gone = await w.client.get(f"/v1/warungs/{w.warung}/invoices", headers=bearer(secret))
    assert gone.status_code == 401
    # a key of another satker's warung is not on this page: 404
    other_key = await new_key(engine, "warung", satker_id=w.other, warung_id=foreign)
    assert other_key
    other_id = await count(engine, "SELECT max(id) FROM api_key")
    assert (await post(w, f"{w.base}/api-keys/{other_id}/revoke", {})).status_code == 404

    api = bearer(await new_key(engine, "admin"))
    mine = await w.client.get(f"/v1/api-keys?role=warung&satker_id={w.satker}", headers=api)
    assert [k["id"] for k in mine.json()["items"]] == [key_id]


async def test_an_idempotency_key_belongs_to_one_browser_session(engine, world):
    from services.api.middleware import SESSION_COOKIE as MIDDLEWARE_COOKIE
    from services.web.security import SESSION_COOKIE

    assert MIDDLEWARE_COOKIE == SESSION_COOKIE
    w = world
    key = uuid.uuid4().hex
    shop = {"owner_name": "Bu Ani", "phone": "081234567890", "address": "Jl. Sersan Sani 3"}
    await as_user(w, COORDINATOR)
    first = await post(w, f"{w.base}/warungs", {**shop, "name": "Warung Satu"}, key=key)
    await as_user(w, ADMIN)  # another person, another session, the same key by chance
    second = await post(w, f"{w.base}/warungs", {**shop, "name": "Warung Dua"}, key=key)
    assert first.status_code == second.status_code == 303
    assert "idempotent-replayed" not in second.headers
    names = "SELECT count(*) FROM warung WHERE name IN ('Warung Satu', 'Warung Dua')"
    assert await count(engine, names) == 2
