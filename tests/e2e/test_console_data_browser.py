"""Laporan and Data in a real browser (Debian's Chromium, Playwright) against ``kulakan serve``:
a coordinator reads the savings report of a settled cycle, adds a warung, uploads a bad price
board (the errors by line and column are shown, nothing is saved) and then a good one; every
page at 1366×768 and 390×844 with no sideways scroll and no serious or critical axe-core
violation, and nothing asked of any other host.

``KULAKAN_SCREENSHOTS=1`` keeps the Data screenshots in docs/img/ for docs/console.md (the
report's come from tests/e2e/test_console_demo_cycle_browser.py).
"""

from __future__ import annotations

from contracts.api.catalogue import SupplierCreate
from services.app.suppliers import create_supplier
from services.db.tx import Tx
from tests.fixtures_db import ROOT
from tests.integration.test_bulk_buys import setup  # noqa: F401  (the fixture)
from tests.integration.test_console_reports import settled_satker
from tests.integration.test_field_suppliers import BOARD, MARKET_CONFIG
from tests.support_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    check_page,
    console_sign_in,
    only_local,
)
from tests.support_console import PASSWORD, new_user
from tests.support_process import api_server

COORDINATOR_PHONE = "0812-7000-2002"


async def test_reports_and_data_pages_in_chromium(
    engine,
    database_url,
    browser,
    setup,  # noqa: F811
    make_container,
    tmp_path,
):
    client, tenant, cycle_id, _, _ = setup
    await settled_satker(engine, client, tenant, cycle_id)
    sid = tenant.satker_id
    async with Tx(engine) as tx:
        await create_supplier(
            tx,
            SupplierCreate(
                name="Pasar Induk Jakabaring",
                adapter_key="wholesale_market",
                adapter_config=MARKET_CONFIG,
                regions=["Kota Palembang"],
            ),
            make_container().adapters,
        )
        raw = await tx.raw()
        await raw.execute("UPDATE satker SET name = 'Satker Kalidoni' WHERE id = $1", sid)
        for warung, name in zip(
            tenant.warungs, ("Warung Bu Sari", "Warung Pak Darto", "Warung Mbak Ina"), strict=True
        ):
            await raw.execute("UPDATE warung SET name = $2 WHERE id = $1", warung, name)
        await raw.execute(
            "INSERT INTO product (sku, name, category, retail_unit, fractional) VALUES"
            " ('BWG-MRH', 'Bawang merah', 'fresh', 'kg', true),"
            " ('LELE', 'Ikan lele', 'protein', 'kg', true)"
        )
    await new_user(engine, sid, COORDINATOR_PHONE, name="Ibu Rahma")
    shots = ROOT / "docs" / "img" if SCREENSHOTS else tmp_path
    with api_server(database_url) as base:
        elsewhere: list[str] = []

        desktop = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await only_local(desktop, base, elsewhere)
        page = await desktop.new_page()
        await console_sign_in(page, base, COORDINATOR_PHONE, PASSWORD)
        await page.get_by_role("link", name="Laporan").click()
        await page.get_by_role("heading", name="Kartu nilai pemasok").wait_for()
        assert await page.locator("svg.chart[role=img]").count() == 3
        assert "96,5%" in await page.inner_text("main")
        async with page.expect_download() as download:
            await page.get_by_role("link", name="Unduh CSV — Kartu nilai pemasok").click()
        assert (await download.value).suggested_filename == f"suppliers-{sid}.csv"
        await check_page(page)

        # Data: add a warung through the form (htmx, Idempotency-Key, CSRF)
        await page.get_by_role("link", name="Data", exact=True).click()
        await page.get_by_role("heading", name="Tambah warung").wait_for()
        await check_page(page)
        await page.get_by_label("Nama").fill("Warung Mak Ijah")
        await page.get_by_label("Pemilik").fill("Mak Ijah")
        await page.get_by_label("HP").fill("0812-3456-7005")
        await page.get_by_label("Alamat").fill("Jl. Kebun Bunga 7")
        await page.get_by_role("button", name="Tambah warung").click()
        await page.get_by_text("Warung tersimpan.").wait_for()
        assert await page.get_by_role("cell", name="Mak Ijah", exact=True).count() == 1
        assert await page.locator("main").count() == 1

        # the owner's phone: a sign-in link shown once, copied, or sent by WhatsApp
        await page.get_by_role("link", name="Masuk lewat HP Warung Mak Ijah").click()
        await page.get_by_role("button", name="Buat tautan masuk").click()
        link = await page.get_by_label("Tautan masuk").input_value()
        assert "/w/masuk/" in link
        wa = page.get_by_role("link", name="Kirim lewat WhatsApp")
        assert (await wa.get_attribute("href")).startswith("https://wa.me/6281234567005?text=")
        await desktop.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        await page.get_by_role("button", name="Salin tautan").click()
        await page.get_by_role("button", name="Tersalin").wait_for()
        assert await page.evaluate("navigator.clipboard.readText()") == link
        await check_page(page)
        await page.get_by_role("button", name="Keluarkan semua HP warung ini").click()
        await page.get_by_text("0 sesi diakhiri").wait_for()
        assert link not in await page.content()

        for tab in ("Produk", "Pemasok", "Harga pasar", "Kunci API"):
            await page.get_by_role("navigation", name="Data").get_by_role("link", name=tab).click()
            await page.wait_for_load_state()
            await check_page(page)

        # the price board: a bad sheet shows its errors and saves nothing, a good one is saved
        nav = page.get_by_role("navigation", name="Data")
        await nav.get_by_role("link", name="Papan harga").click()
        bad = tmp_path / "papan-salah.csv"
        bad.write_text(BOARD + "2026-11-24,Bawang merah,kecil,kg,30000,abc\n")
        await page.get_by_label("Berkas CSV").set_input_files(str(bad))
        await page.get_by_role("button", name="Unggah").click()
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "line 5, column max_idr" in await alert.inner_text()
        await check_page(page)
        good = tmp_path / "papan.csv"
        good.write_text(BOARD)
        await page.get_by_label("Berkas CSV").set_input_files(str(good))
        await page.get_by_role("button", name="Unggah").click()
        await page.get_by_text("Papan harga tersimpan.").wait_for()
        assert "Rp 31.000" in await page.inner_text("main")
        await check_page(page, shots / "console-data-desktop.png")

        phone = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            storage_state=await desktop.storage_state(),
        )
        await only_local(phone, base, elsewhere)
        mobile = await phone.new_page()
        await mobile.goto(f"{base}/console/satkers/{sid}/reports")
        await mobile.get_by_role("heading", name="Kartu nilai pemasok").wait_for()
        await check_page(mobile)
        for tab in ("warungs", "products", "suppliers", "market-prices", "api-keys"):
            await mobile.goto(f"{base}/console/satkers/{sid}/data/{tab}")
            await check_page(mobile)
        await mobile.goto(f"{base}/console/satkers/{sid}/data/price-board")
        await check_page(mobile, shots / "console-data-phone.png")
        assert elsewhere == []
