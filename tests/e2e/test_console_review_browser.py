"""Siklus and Tinjau pembelian in a real browser (Debian's Chromium, Playwright, a real
``kulakan serve`` on the test database): a coordinator closes the cycle, builds the bulk buy
(the quotes run in the background, the page follows them), overrides a flagged line with a
reason and drops another; a second coordinator in another browser is told when the bulk buy
changed under them and shown the fresh version; a stale approval is refused and not counted;
above the threshold the second coordinator's approval orders it. axe-core finds no serious or
critical violation on any of these pages, at 1366×768 and 390×844.

``KULAKAN_SCREENSHOTS=1`` keeps the cycles page's screenshot in docs/img/ for docs/console.md
(the review's come from tests/e2e/test_console_demo_cycle_browser.py).
"""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.fixtures_db import ROOT
from tests.support_browser import DESKTOP, PHONE, SCREENSHOTS, console_sign_in, serious_violations
from tests.support_console import PASSWORD
from tests.support_process import api_server
from tests.support_review import COORDINATORS
from tests.support_review import review_satker as make_satker

STALE = "Data ini baru saja diubah orang lain"


async def sign_in(context, base: str, phone: str):
    page = await context.new_page()
    await console_sign_in(page, base, phone, PASSWORD)
    await page.get_by_role("link", name="Siklus").first.wait_for()
    return page


async def no_sideways_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "no sideways scrolling"


def line(page, product: str):
    return page.locator("table.lines tbody", has_text=product)


async def open_line(page, product: str):
    row = line(page, product)
    await row.get_by_role("button", name=re.compile(f"^Ubah {product}")).click()
    await row.get_by_label("Alasan", exact=True).wait_for()
    return row


async def test_a_coordinator_reviews_and_two_approve_in_two_browsers(
    engine,
    database_url,
    make_container,
    browser,
    tmp_path,
):
    satker, cycle = await make_satker(engine, make_container().adapters)
    shots = ROOT / "docs" / "img" if SCREENSHOTS else tmp_path
    with api_server(database_url) as base:
        first = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        page = await sign_in(first, base, COORDINATORS[0][0])

        # Siklus: the list, the cycle's demand, close it early, build the bulk buy
        await page.get_by_role("link", name="Siklus").first.click()
        await page.get_by_role("heading", name="Siklus pesanan").wait_for()
        assert await serious_violations(page) == []
        await page.screenshot(path=str(shots / "console-cycles-desktop.png"), full_page=True)
        await page.get_by_role("link", name="Sembako & lauk pekan ini").click()
        await page.get_by_role("heading", name="Permintaan per produk").wait_for()
        demand = await page.inner_text("#demand")
        assert "Beras medium" in demand and "150 kg" not in demand and "125 kg" in demand
        await page.get_by_label("Kategori").select_option("fresh")
        await page.wait_for_function(
            "() => !document.querySelector('#demand').innerText.includes('Beras medium')"
        )
        assert "Cabai merah keriting" in await page.inner_text("#demand")
        assert await serious_violations(page) == []
        await page.get_by_role("button", name="Tutup siklus ini sekarang").click()
        await page.get_by_role("button", name="Buat pembelian").click()
        # the answer comes at once; the page follows the quotes and reloads when they are in
        await page.get_by_role("heading", name="Jumlah").wait_for(timeout=30_000)
        review_url = page.url
        assert re.search(r"/console/satkers/\d+/bulk-buys/\d+$", review_url)
        summary = await page.inner_text("#bb-summary")
        assert "dua koordinator berbeda harus menyetujui" in summary
        assert "Dihemat pengoptimal" in summary and "Persetujuan: 0 dari 2" in summary
        await expect(page.locator("tbody.blocking")).to_have_count(2)
        assert await serious_violations(page) == []

        # override the flagged telur with a reason
        telur = await open_line(page, "Telur ayam ras")
        assert await serious_violations(page) == []
        await telur.get_by_label("Alasan", exact=True).fill(
            "harga telur pasar belum tercatat, grosir wajar"
        )
        await telur.get_by_role("button", name="Simpan dengan alasan ini").click()
        await line(page, "Telur ayam ras").get_by_text("Diterima").wait_for()

        # a second coordinator opens the same bulk buy in another browser
        second = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        other = await sign_in(second, base, COORDINATORS[1][0])
        await other.goto(review_url)
        await other.get_by_role("heading", name="Jumlah").wait_for()

        # the first drops the flagged minyak; the second's page is now a version behind
        minyak = await open_line(page, "Minyak goreng 1 L")
        await minyak.get_by_label("Alasan (dilihat warung)").fill("di atas HET, beli lain kali")
        await minyak.get_by_role("button", name="Batalkan dengan alasan ini").click()
        await line(page, "Minyak goreng 1 L").get_by_text("Dibatalkan").wait_for()
        await expect(page.locator("tbody.blocking")).to_have_count(0)  # htmx settles the swap

        cabai = await open_line(other, "Cabai merah keriting")
        await cabai.get_by_label(re.compile("^Harga jual")).fill("60000")
        await cabai.get_by_label("Alasan", exact=True).fill("samakan dengan harga pasar Kalidoni")
        await cabai.get_by_role("button", name="Simpan dengan alasan ini").click()
        await other.get_by_text(STALE).wait_for()  # told, and shown the fresh version:
        assert "Dibatalkan" in await line(other, "Minyak goreng 1 L").inner_text()
        assert "Rp 60.000" not in await line(other, "Cabai merah keriting").inner_text()
        cabai = await open_line(other, "Cabai merah keriting")  # again, on the fresh version
        await cabai.get_by_label(re.compile("^Harga jual")).fill("60000")
        await cabai.get_by_label("Alasan", exact=True).fill("samakan dengan harga pasar Kalidoni")
        await cabai.get_by_role("button", name="Simpan dengan alasan ini").click()
        await line(other, "Cabai merah keriting").get_by_text("Rp 60.000").first.wait_for()

        # the first approves from a page that is now stale: refused, not counted, shown fresh
        await page.get_by_role("button", name="Setujui", exact=True).click()
        await page.get_by_text(STALE).wait_for()
        assert "Rp 60.000" in await line(page, "Cabai merah keriting").inner_text()
        assert "Persetujuan: 0 dari 2" in await page.inner_text("#bb-summary")
        await page.get_by_role("button", name="Setujui", exact=True).click()
        await page.get_by_text("Anda sudah menyetujui; menunggu koordinator kedua.").wait_for()

        # the second's page still offers the first approval: stale, then the second approval
        assert not await other.get_by_text(STALE).is_visible()  # its own change cleared it
        await other.get_by_role("button", name="Setujui", exact=True).click()
        await other.locator("#bb-summary").get_by_text("Ibu Rahma").wait_for()
        assert await other.get_by_text(STALE).is_visible()
        await other.get_by_role("button", name="Berikan persetujuan kedua").click()
        await other.get_by_text("Dipesan: 2 pesanan pembelian dikirim.").wait_for()

        # the quote comparison and the list
        await other.get_by_role("link", name="Bandingkan penawaran semua pemasok").click()
        await other.get_by_role("heading", name="Perbandingan penawaran").wait_for()
        assert await other.locator("tr.chosen").count() >= 7
        assert await serious_violations(other) == []
        await other.get_by_role("link", name="Pembelian").first.click()
        await other.get_by_role("heading", name="Pembelian", exact=False).first.wait_for()
        assert "Dipesan" in await other.inner_text("main")
        assert await serious_violations(other) == []

        # a phone: the review page reads as cards, no sideways scrolling
        phone = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            storage_state=await first.storage_state(),
        )
        mobile = await phone.new_page()
        await mobile.goto(review_url)
        await mobile.get_by_role("heading", name="Jumlah").wait_for()
        await no_sideways_scroll(mobile)
        assert await serious_violations(mobile) == []
        await mobile.goto(f"{base}/console/satkers/{satker}/cycles/{cycle}")
        await no_sideways_scroll(mobile)
        assert await serious_violations(mobile) == []

    # checked afterwards in the tables: two people approved once each, two orders
    async with engine.connect() as conn:
        from sqlalchemy import text

        row = (
            await conn.execute(
                text(
                    "SELECT b.status, b.approvals, (SELECT count(*) FROM purchase_order p"
                    " WHERE p.satker_id = :s AND p.bulk_buy_id = b.id) AS orders"
                    " FROM bulk_buy b WHERE b.satker_id = :s"
                ),
                {"s": satker},
            )
        ).one()
    assert row.status == "ordered" and row.orders == 2
    assert len({a["user_id"] for a in row.approvals}) == 2 and len(row.approvals) == 2
