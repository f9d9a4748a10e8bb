"""The demo cycle played end to end by coordinators in Debian's Chromium, against real
``kulakan serve``, ``kulakan worker`` and marketplace simulator processes on the test
database: sign in, see the open cycle, close it, build the bulk buy, reprice one flagged line
and drop another (each with a reason), approve, the second approval by a second coordinator
above the threshold, watch the orders go out, accept the WhatsApp trader's held price rise,
see the settlement, open an invoice's print page and read the savings report. Then the same
facts are checked through the JSON API and in the tables. Beranda, the review and the report
are checked at 1366×768 and 390×844 (axe-core, no sideways scroll).

``KULAKAN_SCREENSHOTS=1`` keeps their screenshots in docs/img/ for docs/console.md."""

from __future__ import annotations

import asyncio
import random
import re
import time
from decimal import Decimal

from playwright.async_api import expect
from sqlalchemy import text

from contracts.formatting import rupiah
from services.demo import suppliers
from tests.fixtures_db import ROOT
from tests.support_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    check_page,
    console_sign_in,
    only_local,
    serious_violations,
)
from tests.support_console import PASSWORD
from tests.support_demo_cycle import (
    COORDINATORS,
    demo_stage,
    sent_orders,
    trader_asks_more,
    trader_delivers,
)

REPRICE = "gula pasar Kalidoni naik, ikut harga grosir wajar"
DROP = "minyak kemasan premium kurang laku, pesan lain kali"
NEW_GULA_PRICE = 17_500
RISE_PCT = 10


def line(page, product: str):
    return page.locator("table.lines tbody", has_text=product)


async def open_line(page, product: str):
    row = line(page, product)
    await row.get_by_role("button", name=re.compile(f"^Ubah {product}")).click()
    await row.get_by_label("Alasan", exact=True).wait_for()
    return row


async def reload_until(page, url: str, wanted: str, seconds: float = 40) -> str:
    """Open ``url`` again until its main part shows ``wanted`` (what the coordinator does
    while the worker and the suppliers do their part); the text of that part."""
    deadline = time.monotonic() + seconds
    while True:
        await page.goto(url)
        shown = await page.inner_text("main")
        if wanted in shown:
            return shown
        assert time.monotonic() < deadline, f"{url} never showed {wanted!r}:\n{shown[:1500]}"
        await asyncio.sleep(0.5)


async def test_coordinators_play_the_demo_cycle_in_chromium(
    engine, database_url, browser, tmp_path
):
    async with demo_stage(engine, database_url, tmp_path / "logs") as stage:
        base, sid = stage.base, stage.satker
        root = f"{base}/console/satkers/{sid}"
        async with engine.connect() as conn:
            cycle_name = (
                await conn.execute(
                    text("SELECT name FROM order_cycle WHERE id = :c"), {"c": stage.cast.cycle_id}
                )
            ).scalar_one()
        shots = ROOT / "docs" / "img" if SCREENSHOTS else tmp_path
        elsewhere: list[str] = []
        laptop = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await only_local(laptop, base, elsewhere)
        page = await laptop.new_page()

        # Beranda: the open cycle, who has sent requests (on the laptop and on a phone)
        await console_sign_in(page, base, COORDINATORS[0][0], PASSWORD)
        await page.get_by_text("8 dari 20 warung sudah mengirim permintaan.").wait_for()
        assert cycle_name in await page.inner_text("main")
        assert await page.get_by_role("link", name="Ingatkan lewat WhatsApp").count() == 12
        await check_page(page, shots / "console-beranda-desktop.png")
        phone = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            storage_state=await laptop.storage_state(),
        )
        await only_local(phone, base, elsewhere)
        mobile = await phone.new_page()
        await mobile.goto(root)
        await mobile.get_by_text("8 dari 20 warung sudah mengirim permintaan.").wait_for()
        await check_page(mobile, shots / "console-beranda-phone.png")

        # Siklus: close it early, build the bulk buy (quoted in the background)
        await page.get_by_role("link", name="Siklus", exact=True).click()
        await page.get_by_role("link", name=cycle_name).click()
        await page.get_by_role("button", name="Tutup siklus ini sekarang").click()
        await page.get_by_role("button", name="Buat pembelian").click()
        await page.get_by_role("heading", name="Jumlah").wait_for(timeout=30_000)
        review_url = page.url
        assert "dua koordinator berbeda harus menyetujui" in await page.inner_text("#bb-summary")
        await expect(page.locator("tbody.blocking")).to_have_count(2)

        # reprice the flagged gula, drop the flagged minyak; both with a reason
        gula = await open_line(page, "Gula pasir")
        await gula.get_by_label(re.compile("^Harga jual")).fill(str(NEW_GULA_PRICE))
        await gula.get_by_label("Alasan", exact=True).fill(REPRICE)
        await gula.get_by_role("button", name="Simpan dengan alasan ini").click()
        await line(page, "Gula pasir").get_by_text(rupiah(NEW_GULA_PRICE)).first.wait_for()
        changed = f"Harga jual diubah menjadi {rupiah(NEW_GULA_PRICE)} oleh {COORDINATORS[0][1]}"
        assert changed in await line(page, "Gula pasir").inner_text()
        minyak = await open_line(page, "Minyak goreng kemasan premium")
        await minyak.get_by_label("Alasan (dilihat warung)").fill(DROP)
        await minyak.get_by_role("button", name="Batalkan dengan alasan ini").click()
        await line(page, "Minyak goreng kemasan premium").get_by_text("Dibatalkan").wait_for()
        await expect(page.locator("tbody.blocking")).to_have_count(0)
        await check_page(page, shots / "console-review-desktop.png")
        await mobile.goto(review_url)
        await check_page(mobile, shots / "console-review-phone.png")
        await page.get_by_role("button", name="Setujui", exact=True).click()
        await page.get_by_text("Anda sudah menyetujui; menunggu koordinator kedua.").wait_for()

        # the second coordinator, in another browser, gives the second approval
        other = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await only_local(other, base, elsewhere)
        second = await other.new_page()
        await console_sign_in(second, base, COORDINATORS[1][0], PASSWORD)
        await second.get_by_role("link", name="Siklus", exact=True).wait_for()
        await second.goto(review_url)
        await second.locator("#bb-summary").get_by_text(COORDINATORS[0][1]).wait_for()
        await second.get_by_role("button", name="Berikan persetujuan kedua").click()
        await second.get_by_text("Dipesan: 3 pesanan pembelian dikirim.").wait_for()
        await other.close()

        # Pesanan: the worker sends the three orders
        listing = await reload_until(page, f"{root}/orders", "3 pesanan")
        if "Menunggu dikirim" in listing:
            await reload_until(page, f"{root}/orders", "Terkirim")
        orders = await sent_orders(stage)
        cast = stage.cast
        await suppliers.runner_reports(stage.api, cast, orders[cast.market], random.Random(7))
        trader_po = await trader_asks_more(stage, orders[cast.trader], RISE_PCT)

        # Beranda points at the held price rise; the coordinator accepts it
        await reload_until(page, root, "1 kenaikan harga menunggu keputusan Anda")
        await page.get_by_role("link", name="1 kenaikan harga menunggu keputusan Anda").click()
        await page.get_by_role("heading", name=re.compile(trader_po)).first.wait_for()
        await page.get_by_role("button", name=re.compile("^Terima harga baru")).first.click()
        await page.get_by_text("Kenaikan harga diterima.").wait_for()
        await trader_delivers(stage, orders[cast.trader])

        # Penerimaan & tagihan: the worker settles the delivered cycle into invoices
        invoices = await reload_until(page, f"{root}/invoices", "Cetak semua tagihan siklus ini")
        assert "Saldo utang per warung" in invoices
        assert await serious_violations(page) == []
        first = page.locator("#invoices table a").first
        number = await first.inner_text()
        await first.click()
        await page.get_by_role("heading", name=f"Tagihan {number}", level=2).wait_for()
        printed = await page.inner_text("body")
        assert await serious_violations(page) == []

        # Laporan: the savings of the settled cycle
        await page.goto(root)
        await page.get_by_role("link", name="Laporan", exact=True).click()
        await page.get_by_role("heading", name="Kartu nilai pemasok").wait_for()
        figures = await page.inner_text("dl.figures")
        await check_page(page, shots / "console-reports-desktop.png")
        await mobile.goto(page.url)
        await check_page(mobile, shots / "console-reports-phone.png")
        assert elsewhere == []
        assert all(c["httpOnly"] for c in await laptop.cookies())

        # checked afterwards through the JSON API ...
        bb_id = int(review_url.rsplit("/", 1)[1])
        bb = await stage.get(f"/bulk-buys/{bb_id}")
        by_sku = {ln["sku"]: ln for ln in bb["lines"]}
        assert by_sku["GULA"]["override_reason"] == REPRICE
        assert by_sku["GULA"]["suggested_retail_idr"] == NEW_GULA_PRICE
        record = by_sku["GULA"]["retail_override"]
        assert record["retail_price_idr"] == NEW_GULA_PRICE and record["reason"] == REPRICE
        assert record["suggested_retail_idr"] not in (None, NEW_GULA_PRICE)
        assert by_sku["MINYAK-2L"]["dropped"] and by_sku["MINYAK-2L"]["override_reason"] == DROP
        assert bb["status"] == "ordered" and len(bb["approvals"]) == 2
        assert len({a["user_id"] for a in bb["approvals"]}) == 2
        ordered = await stage.orders()
        assert len(ordered) == 3
        assert "MINYAK-2L" not in {ln["sku"] for po in ordered for ln in po["lines"]}
        raised = next(po for po in ordered if po["supplier_id"] == cast.trader)
        assert all(
            ln["confirmed_price_per_pack_idr"] == ln["price_per_pack_idr"] * (100 + RISE_PCT) // 100
            for ln in raised["lines"]
        )
        settlement = await stage.get(f"/bulk-buys/{bb_id}/settlement")
        issued = (await stage.get(f"/invoices?bulk_buy_id={bb_id}&limit=500"))["items"]
        assert sum(i["total_idr"] for i in issued) == settlement["supplier_billed_idr"]
        shown = next(i for i in issued if i["number"] == number)
        assert rupiah(shown["total_idr"]) in printed
        savings = (await stage.get("/reports/savings"))["total"]
        for key in ("paid_idr", "market_value_idr", "savings_idr", "customer_savings_idr"):
            assert rupiah(savings[key]) in figures, key
        assert savings["savings_idr"] > 0
        # the trader delivered all it was asked for, 10 % dearer: filled in full, not 110 %
        scores = (await stage.get("/reports/suppliers"))["suppliers"]
        trader = next(s for s in scores if s["supplier_id"] == cast.trader)
        assert Decimal(trader["fill_rate"]) == 1
        assert Decimal(trader["price_variance"]) == Decimal(RISE_PCT) / 100

    # ... and in the tables
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT l.sku, l.dropped, l.override_reason, l.suggested_retail_idr,"
                    " u.phone FROM bulk_buy_line l LEFT JOIN app_user u"
                    " ON u.id = (l.retail_override->>'user_id')::bigint"
                    " WHERE l.bulk_buy_id = :b AND l.sku IN ('GULA', 'MINYAK-2L') ORDER BY l.sku"
                ),
                {"b": bb_id},
            )
        ).all()
        assert [tuple(r) for r in rows] == [
            ("GULA", False, REPRICE, NEW_GULA_PRICE, "6281270003001"),
            ("MINYAK-2L", True, DROP, rows[1].suggested_retail_idr, None),
        ]
        in_orders = (
            await conn.execute(
                text(
                    "SELECT count(*) FROM purchase_order_line l JOIN product p ON p.id = l.product_id"
                    " WHERE p.sku = 'MINYAK-2L'"
                )
            )
        ).scalar()
        assert in_orders == 0
        approvals = (
            (
                await conn.execute(
                    text(
                        "SELECT u.phone FROM bulk_buy b, jsonb_array_elements(b.approvals) a"
                        " JOIN app_user u ON u.id = (a->>'user_id')::bigint WHERE b.id = :b"
                        " ORDER BY a->>'at'"
                    ),
                    {"b": bb_id},
                )
            )
            .scalars()
            .all()
        )
        assert approvals == ["6281270003001", "6281270003002"]
        invoiced, billed = (
            await conn.execute(
                text(
                    """
                    SELECT (SELECT sum(total_idr) FROM invoice WHERE bulk_buy_id = :b),
                      (SELECT sum(g) FROM (
                        SELECT round(coalesce(l.delivered_quantity, 0) / l.units_per_pack
                               * coalesce(l.delivered_price_per_pack_idr,
                                          l.confirmed_price_per_pack_idr, l.price_per_pack_idr))
                               AS g
                        FROM purchase_order_line l JOIN purchase_order p
                          ON p.satker_id = l.satker_id AND p.id = l.purchase_order_id
                        WHERE p.bulk_buy_id = :b
                        UNION ALL
                        SELECT delivery_fee_idr FROM purchase_order WHERE bulk_buy_id = :b
                      ) parts)
                    """
                ),
                {"b": bb_id},
            )
        ).one()
        assert invoiced == billed == settlement["supplier_billed_idr"]
