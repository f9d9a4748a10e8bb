"""The warung owner's pages through HTTP: sign-in by a single-use link, the session's scope
(its own warung only), CSRF, restock from the suggestion with If-Match and idempotency, the
cut-off, pre-orders, stock corrections."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote, urlencode

import httpx
import pytest
from sqlalchemy import text

from contracts.errors import Forbidden, NotFound
from services.api.app import create_app
from services.app.warung_sessions import end_warung_sessions, issue_link
from services.auth import Principal, Role
from services.clock import FixedClock
from services.db.tx import Tx
from services.settings import Settings
from tests.fixtures_db import ROOT
from tests.support import bearer, new_key
from tests.support_warung import SECRET, form_key, form_token, open_link, sign_in_link, world
from tests.support_warung_delivery import deliver_cycle

BASE = "http://kulakan.test"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def make_client(make_container: Callable[..., object], clock: FixedClock):
    def make() -> httpx.AsyncClient:
        container = make_container(
            settings=Settings(api_key_cache_seconds=0.0, secret_key=SECRET), clock=clock
        )
        app = create_app(container)  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)

    return make


async def signed_in(make_client, engine, warung_id: int, now: datetime) -> httpx.AsyncClient:
    client = make_client()
    opened = await open_link(client, await sign_in_link(engine, warung_id, BASE, now))
    assert opened.status_code == 303 and opened.headers["location"] == "/w/", opened.text
    return client


async def test_a_link_signs_in_once_and_tampered_or_spent_links_grant_nothing(
    engine, make_client, clock
):
    w = await world(engine, now=clock())
    url = await sign_in_link(engine, w.warungs[0], BASE, clock())
    async with make_client() as phone:
        shown = await phone.get(url)
        assert shown.status_code == 200 and "Masuk" in shown.text
        opened = await open_link(phone, url)
        assert opened.status_code == 303
        cookie = next(h for h in opened.headers.get_list("set-cookie") if "kulakan_warung=" in h)
        assert "HttpOnly" in cookie and "Path=/w" in cookie and "Max-Age=2592000" in cookie
        home = await phone.get("/w/")
        assert home.status_code == 200 and "Warung Bu Sari" in home.text
    async with make_client() as other:
        again = await open_link(other, url)  # used
        assert again.status_code == 410 and "Minta tautan baru" in again.text
        assert "Warung Bu Sari" not in again.text
        assert (await other.get("/w/")).status_code == 401
        tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
        bad = await other.get(tampered)
        assert bad.status_code == 400 and "tidak sah" in bad.text
        assert (await other.get("/w/masuk/nonsense")).status_code == 400
    late = await sign_in_link(engine, w.warungs[0], BASE, clock() - timedelta(minutes=31))
    async with make_client() as phone:
        expired = await open_link(phone, late)
        assert expired.status_code == 410 and "kulakan_warung" not in str(expired.headers)
        assert (await phone.get("/w/")).status_code == 401


async def test_sign_out_and_the_coordinator_ending_sessions(engine, make_client, clock):
    w = await world(engine, now=clock())
    one = await signed_in(make_client, engine, w.warungs[0], clock())
    two = await signed_in(make_client, engine, w.warungs[0], clock())
    home = await one.get("/w/")
    out = await one.post("/w/keluar", data={"_csrf_token": form_token(home.text)})
    assert out.status_code == 200
    assert (await one.get("/w/")).status_code == 401
    assert (await two.get("/w/")).status_code == 200
    spare = await sign_in_link(engine, w.warungs[0], BASE, clock())
    coordinator = Principal(key_id=0, role=Role.COORDINATOR, satker_id=w.satker_id)
    stranger = Principal(key_id=0, role=Role.COORDINATOR, satker_id=w.satker_id + 1)
    owner = Principal(key_id=0, role=Role.WARUNG, satker_id=w.satker_id, warung_id=w.warungs[0])
    async with Tx(engine) as tx:
        with pytest.raises(NotFound):
            await end_warung_sessions(tx, stranger, w.warungs[0])
        with pytest.raises(NotFound):
            await issue_link(tx, stranger, w.warungs[0], secret=SECRET, base_url=BASE, now=clock())
        with pytest.raises(Forbidden):
            await issue_link(tx, owner, w.warungs[0], secret=SECRET, base_url=BASE, now=clock())
    async with Tx(engine) as tx:
        assert await end_warung_sessions(tx, coordinator, w.warungs[0]) == 1
    assert (await two.get("/w/")).status_code == 401
    async with make_client() as three:
        assert (await open_link(three, spare)).status_code == 410  # withdrawn too
    await one.aclose()
    await two.aclose()


async def test_a_warung_session_sees_only_its_warung_and_posts_need_csrf(
    engine, make_client, clock
):
    w = await world(engine, now=clock())
    darto = await signed_in(make_client, engine, w.warungs[1], clock())
    async with Tx(engine) as tx:
        raw = await tx.raw()
        preorder = await raw.fetchval(
            "INSERT INTO preorder (satker_id, warung_id, product_id, quantity, customer_ref,"
            " needed_by) VALUES ($1, $2, $3, 2, 'Bu Ani', current_date + 1) RETURNING id",
            w.satker_id,
            w.warungs[0],
            w.products["mie"],
        )
    page = await darto.get("/w/pelanggan/")
    assert "Bu Ani" not in page.text
    token = form_token(page.text)
    closed = await darto.post(f"/w/pelanggan/{preorder}/served", data={"_csrf_token": token})
    assert closed.status_code == 404
    assert (await darto.get("/w/tagihan/1")).status_code == 404
    refused = await darto.post("/w/stok/", data={"product": str(w.products["mie"])})
    assert refused.status_code == 403
    # an API key never opens the pages, a page's cookie never the API
    assert (await darto.get(f"/v1/warungs/{w.warungs[1]}/stock")).status_code == 401
    await darto.aclose()


async def test_the_owner_orders_from_the_suggestion_once_and_the_cut_off_holds(
    engine, make_client, clock
):
    w = await world(engine, now=clock())
    sari = await signed_in(make_client, engine, w.warungs[0], clock())
    page = await sari.get("/w/pesan/")
    assert page.status_code == 200
    html = page.text
    # the suggestion, pre-filled: mie up to the maximum of 60 from 5, beras 26 kg
    assert f'name="q_{w.products["mie"]}" inputmode="decimal" autocomplete="off" value="55"' in html
    assert "0 dari 40 — 40 lagi genap 1 dus" in html
    form = {
        "_csrf_token": form_token(html),
        "cycle": str(w.cycle_id),
        "action": "submit",
        f"q_{w.products['mie']}": "27",
        f"q_{w.products['beras']}": "2,5",
    }
    key = form_key(html)
    first = await sari.post("/w/pesan/", data=form, headers={"Idempotency-Key": key})
    assert first.status_code == 200, first.text
    assert "Pesanan Anda sudah terkirim" in first.text
    assert "27 dari 40 — 13 lagi genap 1 dus" in first.text
    again = await sari.post("/w/pesan/", data=form, headers={"Idempotency-Key": key})
    assert again.status_code == 200 and again.headers.get("idempotent-replayed") == "true"
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT id, status, version FROM restock_request"))).all()
    assert len(rows) == 1 and rows[0].status == "submitted"
    request_id = rows[0].id

    # a typo keeps what was typed and says so beside the field, in Indonesian
    html = first.text
    bad = {
        **form,
        "_csrf_token": form_token(html),
        "request": str(request_id),
        "version": str(rows[0].version),
        f"q_{w.products['mie']}": "2x",
    }
    refused = await sari.post("/w/pesan/", data=bad, headers={"Idempotency-Key": form_key(html)})
    assert refused.status_code == 400
    assert 'value="2x"' in refused.text and "Tulis angka" in refused.text
    # whole pieces only for mie
    half = {**bad, f"q_{w.products['mie']}": "1,5"}
    refused = await sari.post("/w/pesan/", data=half, headers={"Idempotency-Key": form_key(html)})
    assert refused.status_code == 400 and "hanya dijual per satuan utuh" in refused.text
    # a stale version: someone changed it meanwhile, the fresh order is shown
    stale = {**bad, "version": "0", f"q_{w.products['mie']}": "30"}
    changed = await sari.post("/w/pesan/", data=stale, headers={"Idempotency-Key": form_key(html)})
    assert changed.status_code == 409 and "diubah" in changed.text

    # the next cycle is scheduled; the cut-off of this one passes
    async with Tx(engine) as tx:
        raw = await tx.raw()
        await raw.execute(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES ($1, 'Sembako minggu depan', $2, $3, $4,"
            " current_date + 9, 'scheduled')",
            w.satker_id,
            ["sembako", "protein"],
            w.cutoff + timedelta(days=6),
            w.cutoff + timedelta(days=7),
        )
    clock.advance(hours=4)
    late = {**bad, "version": str(rows[0].version), f"q_{w.products['mie']}": "40"}
    closed = await sari.post("/w/pesan/", data=late, headers={"Idempotency-Key": form_key(html)})
    assert closed.status_code == 409
    assert "Batas waktu sudah lewat" in closed.text and "Batas waktu berikutnya" in closed.text
    async with engine.connect() as conn:
        quantity = (
            await conn.execute(
                text("SELECT quantity FROM restock_line WHERE product_id = :p"),
                {"p": w.products["mie"]},
            )
        ).scalar_one()
    assert quantity == 27
    await sari.aclose()


async def test_pre_orders_and_stock_corrections_keep_typed_values_on_error(
    engine, make_client, clock
):
    w = await world(engine, now=clock())
    sari = await signed_in(make_client, engine, w.warungs[0], clock())
    page = await sari.get("/w/pelanggan/")
    form = {
        "_csrf_token": form_token(page.text),
        "customer": "Bu Ani 0813",
        "product": str(w.products["telur"]),
        "quantity": "1,5",
        "needed_by": "2001-01-01",
    }
    late = await sari.post("/w/pelanggan/", data=form, headers={"Idempotency-Key": "a1"})
    assert late.status_code == 400 and "Bu Ani 0813" in late.text and "sudah lewat" in late.text
    tomorrow = (clock() + timedelta(days=1)).date().isoformat()
    added = await sari.post(
        "/w/pelanggan/", data={**form, "needed_by": tomorrow}, headers={"Idempotency-Key": "a2"}
    )
    assert added.status_code == 200 and "Bu Ani 0813" in added.text
    preorder = re.search(r'action="/w/pelanggan/(\d+)/served"', added.text).group(1)
    token = {"_csrf_token": form_token(added.text)}
    odd = await sari.post(f"/w/pelanggan/{preorder}/dimakan", data=token)
    assert odd.status_code == 404
    served = await sari.post(f"/w/pelanggan/{preorder}/served", data=token)
    assert served.status_code == 200 and "sudah diserahkan ke pelanggan" in served.text
    assert "Tidak ada pesanan pelanggan yang menunggu" in served.text
    stock = await sari.get("/w/stok/")
    assert "Mie instan goreng" in stock.text
    correction = {
        "_csrf_token": form_token(stock.text),
        "product": str(w.products["mie"]),
        "on_hand": "7",
        "reason": "",
    }
    no_reason = await sari.post("/w/stok/", data=correction, headers={"Idempotency-Key": "s1"})
    assert no_reason.status_code == 400 and "Tulis alasan" in no_reason.text
    done = await sari.post(
        "/w/stok/",
        data={**correction, "reason": "dihitung ulang"},
        headers={"Idempotency-Key": "s2"},
    )
    assert done.status_code == 200
    async with engine.connect() as conn:
        moved = (await conn.execute(text("SELECT delta, note FROM stock_movement"))).one()
    assert moved.delta == 2 and moved.note == "dihitung ulang"
    await sari.aclose()


async def test_the_owner_confirms_a_delivery_once_and_reads_the_invoice(
    engine, make_client, make_container, clock
):
    w = await world(engine, now=clock())
    sari = await signed_in(make_client, engine, w.warungs[0], clock())
    page = await sari.get("/w/pesan/")
    form = {
        "_csrf_token": form_token(page.text),
        "cycle": str(w.cycle_id),
        "action": "submit",
        f"q_{w.products['mie']}": "40",
        f"q_{w.products['beras']}": "5",
    }
    sent = await sari.post("/w/pesan/", data=form, headers={"Idempotency-Key": form_key(page.text)})
    assert sent.status_code == 200
    bb = await deliver_cycle(engine, make_container, w.satker_id, w.cycle_id)
    home = await sari.get("/w/")
    assert "2 produk sudah tiba" in home.text and "Belum dibayar" in home.text
    page = await sari.get("/w/terima/")
    assert "Mie instan goreng" in page.text and f"Kiriman pembelian {bb}" in page.text
    mie, beras = w.products["mie"], w.products["beras"]
    receipt = [
        ("_csrf_token", form_token(page.text)),
        ("bulk_buy", str(bb)),
        ("product", str(mie)),
        (f"r_{mie}", "38"),
        (f"d_{mie}", "2"),
        (f"n_{mie}", "2 bungkus sobek"),
        ("product", str(beras)),
        (f"r_{beras}", "5"),
        (f"d_{beras}", "0"),
        (f"n_{beras}", ""),
    ]
    key = form_key(page.text)
    too_many = [(k, "41" if k == f"r_{mie}" else v) for k, v in receipt]
    refused = await sari.post(
        "/w/terima/",
        content=urlencode(too_many),
        headers={"Idempotency-Key": key, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 400 and 'value="41"' in refused.text
    assert "Lebih banyak dari yang dikirim" in refused.text
    for _ in range(2):  # a double tap: one receipt
        done = await sari.post(
            "/w/terima/",
            content=urlencode(receipt),
            headers={"Idempotency-Key": key, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200 and "Penerimaan dikonfirmasi" in done.text
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT product_id, receipt, received, damaged, note FROM warung_delivery"
                    " WHERE warung_id = :w ORDER BY product_id"
                ),
                {"w": w.warungs[0]},
            )
        ).all()
        moves = (await conn.execute(text("SELECT count(*) FROM stock_movement"))).scalar_one()
    assert [(r.receipt, r.received, r.damaged) for r in rows] == [
        ("damaged", 38, 2),
        ("received", 5, 0),
    ]
    assert moves == 2
    bills = await sari.get("/w/tagihan/")
    invoice_id = int(re.search(r'href="/w/tagihan/(\d+)"', bills.text).group(1))
    invoice = await sari.get(f"/w/tagihan/{invoice_id}")
    assert invoice.status_code == 200 and "Mie instan goreng" in invoice.text
    assert "Ongkir" in invoice.text and "Cetak" in invoice.text
    darto = await signed_in(make_client, engine, w.warungs[1], clock())
    assert (await darto.get(f"/w/tagihan/{invoice_id}")).status_code == 404
    # the next cycle: beras (9 kg, below its minimum of 10) comes with its last cost and price
    async with Tx(engine) as tx:
        raw = await tx.raw()
        await raw.execute(
            "INSERT INTO order_cycle (satker_id, name, categories, opens_at, cutoff_at,"
            " delivery_date, status) VALUES ($1, 'Sembako minggu depan', $2, $3, $4,"
            " current_date + 9, 'open')",
            w.satker_id,
            ["sembako", "protein"],
            clock() - timedelta(hours=1),
            clock() + timedelta(days=6),
        )
    order = await sari.get("/w/pesan/")
    assert "Beras medium" in order.text and "Modal terakhir Rp" in order.text
    assert "jual Rp" in order.text
    await sari.aclose()
    await darto.aclose()


async def test_idempotency_keys_belong_to_the_warung_of_the_session(engine, make_client, clock):
    """The same key from two warungs is two requests; from one warung's session it is one,
    and the stored answer is filed under that warung."""
    w = await world(engine, now=clock())
    phones = [await signed_in(make_client, engine, wid, clock()) for wid in w.warungs]
    for phone in phones:
        page = await phone.get("/w/pesan/")
        form = {
            "_csrf_token": form_token(page.text),
            "cycle": str(w.cycle_id),
            "action": "submit",
            f"q_{w.products['minyak']}": "12",
        }
        answer = await phone.post("/w/pesan/", data=form, headers={"Idempotency-Key": "same"})
        assert answer.status_code == 200 and "idempotent-replayed" not in answer.headers
    async with engine.connect() as conn:
        owners = (
            (await conn.execute(text("SELECT principal FROM idempotency_record ORDER BY 1")))
            .scalars()
            .all()
        )
        requests = (await conn.execute(text("SELECT count(*) FROM restock_request"))).scalar_one()
    assert owners == [f"warung:{w.satker_id}:{wid}" for wid in sorted(w.warungs)]
    assert requests == 2
    for phone in phones:
        await phone.aclose()


async def test_the_api_gives_the_same_carton_fill_as_the_page(engine, make_client, clock):
    w = await world(engine, now=clock())
    sari, darto = w.warungs
    keys = [
        bearer(await new_key(engine, "warung", satker_id=w.satker_id, warung_id=wid))
        for wid in w.warungs
    ]
    async with make_client() as api:
        for key, quantity in zip(keys, ("20", "7"), strict=True):
            made = await api.post(
                "/v1/restock-requests",
                json={"lines": [{"product_id": w.products["mie"], "quantity": quantity}]},
                headers=key,
            )
            assert made.status_code == 201, made.text
        drafted = await api.post(
            "/v1/restock-requests",
            json={"lines": [{"product_id": w.products["beras"], "quantity": "3"}], "submit": False},
            headers=keys[0],
        )
        assert drafted.status_code == 201  # a draft is not in the satker's demand yet
        got = await api.get(f"/v1/warungs/{sari}/pack-fill?cycle_id={w.cycle_id}", headers=keys[0])
        assert got.status_code == 200, got.text
        fills = {f["product_name"]: f for f in got.json()}
        assert set(fills) == {"Mie instan goreng", "Minyak goreng 1 L", "Beras medium"}
        mie = fills["Mie instan goreng"]
        numbers = [Decimal(mie[k]) for k in ("units_per_pack", "demand", "filled", "missing")]
        assert (mie["pack_name"], numbers, mie["packs"]) == ("dus", [40, 27, 27, 13], 1)
        assert Decimal(fills["Beras medium"]["demand"]) == 0
        other = await api.get(
            f"/v1/warungs/{darto}/pack-fill?cycle_id={w.cycle_id}", headers=keys[0]
        )
        assert other.status_code == 404
    page = await (await signed_in(make_client, engine, sari, clock())).get("/w/pesan/")
    assert "27 dari 40 — 13 lagi genap 1 dus" in page.text


async def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "KULAKAN_DATABASE_URL": database_url,
            "KULAKAN_SECRET_KEY": SECRET,
            "KULAKAN_PUBLIC_BASE_URL": BASE,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_the_cli_prints_a_link_and_a_whatsapp_message_and_ends_sessions(
    engine, database_url, make_client, clock
):
    w = await world(engine)
    done = await run_cli(database_url, "warungs", "login-link", str(w.warungs[0]))
    assert done.returncode == 0, done.stderr
    url = next(line for line in done.stdout.splitlines() if line.startswith(f"{BASE}/w/masuk/"))
    wa = next(line for line in done.stdout.splitlines() if line.startswith("https://wa.me/"))
    assert wa.startswith("https://wa.me/6281234567001?text=Halo%20Bu%20Sari")
    assert quote(url, safe="") in wa and "WIB" in done.stdout
    async with make_client() as phone:
        assert (await open_link(phone, url)).status_code == 303
        assert (await phone.get("/w/")).status_code == 200
        ended = await run_cli(database_url, "warungs", "end-sessions", str(w.warungs[0]))
        assert ended.returncode == 0 and "1 session(s) ended" in ended.stdout
        assert (await phone.get("/w/")).status_code == 401
    missing = await run_cli(database_url, "warungs", "login-link", "999")
    assert missing.returncode == 2 and "not found" in missing.stderr


async def test_search_adds_catalogue_products_and_a_draft_is_kept_then_cancelled(
    engine, make_client, clock
):
    w = await world(engine, now=clock())
    sari = await signed_in(make_client, engine, w.warungs[0], clock())
    mie, minyak = w.products["mie"], w.products["minyak"]
    found = await sari.get(
        f"/w/pesan/cari?cycle={w.cycle_id}&cari=goreng&q_{mie}=55", headers={"HX-Request": "true"}
    )
    assert found.status_code == 200
    assert f'name="q_{minyak}"' in found.text and f'name="q_{mie}"' not in found.text
    assert "0 dari 12 — 12 lagi genap 1 dus" in found.text and "Tambahkan" in found.text
    nothing = await sari.get(f"/w/pesan/cari?cycle={w.cycle_id}&cari=zzz")
    assert "Tidak ada yang cocok" in nothing.text
    page = await sari.get("/w/pesan/")
    form = {
        "_csrf_token": form_token(page.text),
        "cycle": str(w.cycle_id),
        "action": "draft",
        f"q_{mie}": "0",
        f"q_{w.products['beras']}": "0",
        f"q_{minyak}": "12",
    }
    saved = await sari.post(
        "/w/pesan/",
        data=form,
        headers={"Idempotency-Key": form_key(page.text), "HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Draf disimpan" in saved.text
    assert "<html" not in saved.text  # htmx gets what goes inside <main>
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT id, status, version FROM restock_request"))).one()
    assert row.status == "draft"
    cancel = {
        "_csrf_token": form_token(page.text),
        "cycle": str(w.cycle_id),
        "request": str(row.id),
        "version": str(row.version),
        "action": "cancel",
    }
    cancelled = await sari.post("/w/pesan/", data=cancel, headers={"Idempotency-Key": "c1"})
    assert cancelled.status_code == 200 and "Pesanan Anda dibatalkan" in cancelled.text
    async with engine.connect() as conn:
        status = (await conn.execute(text("SELECT status FROM restock_request"))).scalar_one()
    assert status == "cancelled"
    await sari.aclose()
