"""Pesanan and Penerimaan & tagihan in a real browser: ``kulakan demo run`` plays a whole cycle
on the test database (POs to the marketplace, the wholesale market, a WhatsApp trader and the
UBL supplier, invoices, receipts), then the demo coordinator signs in to ``kulakan serve`` in
Debian's Chromium and visits the orders, one order of each field supplier, the invoices and
their print pages, at laptop and phone sizes, with axe-core finding no serious or critical
violation. The print pages are printed with Chromium's ``page.pdf()``: one A4 page for an
invoice, one page per invoice for a whole cycle.

``KULAKAN_SCREENSHOTS=1`` keeps the screenshots in docs/img/ for docs/console.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

from sqlalchemy import text

from services.api.app import create_app
from services.db.tx import Tx
from services.demo.users import DEMO_PASSWORD, DEMO_PHONE, seed_demo_coordinator
from tests.fixtures_db import ROOT
from tests.support_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    console_sign_in,
    only_local,
    serious_violations,
)
from tests.support_console import PASSWORD, console_addresses, new_user
from tests.support_process import api_server

ADMIN_PHONE, NEW_PHONE = "0813-1111-2222", "0812-9999-0001"
A4_POINTS = (595, 842)  # 210 × 297 mm at 72 points per inch


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size of each page of a PDF Chromium printed (its /MediaBox entries)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


async def played_demo(engine, database_url) -> dict:
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", "demo", "run", "--json"],
        cwd=ROOT,
        env={**os.environ, "KULAKAN_DATABASE_URL": database_url, "KULAKAN_LOG_JSON": "1"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    async with engine.connect() as conn:
        satker = (await conn.execute(text("SELECT id FROM satker ORDER BY id LIMIT 1"))).scalar()
    async with Tx(engine) as tx:
        await seed_demo_coordinator(tx, satker)
    summary["satker_id"] = satker
    return summary


async def orders_by_adapter(engine, satker: int) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT s.adapter_key, p.id FROM purchase_order p JOIN supplier s"
                    " ON s.id = p.supplier_id WHERE p.satker_id = :s ORDER BY p.id"
                ),
                {"s": satker},
            )
        ).all()
    return {key: po for key, po in rows}


async def check(page, shot=None) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"no sideways scrolling on {page.url}"
    assert await serious_violations(page) == [], page.url
    if shot is not None:
        await page.screenshot(path=str(shot), full_page=True)


async def test_orders_and_invoices_pages_after_the_demo_cycle(
    engine,
    database_url,
    browser,
    make_container,
    tmp_path,
):
    summary = await played_demo(engine, database_url)
    satker = summary["satker_id"]
    orders = await orders_by_adapter(engine, satker)
    assert set(orders) == {"marketplace", "wholesale_market", "whatsapp_trader", "ubl"}
    shots = ROOT / "docs" / "img" if SCREENSHOTS else tmp_path
    with api_server(database_url) as base:
        elsewhere: list[str] = []

        laptop = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await only_local(laptop, base, elsewhere)
        page = await laptop.new_page()
        await console_sign_in(page, base, DEMO_PHONE, DEMO_PASSWORD)
        await page.get_by_role("heading", name="Perlu Anda tangani").wait_for()
        home = await page.inner_text("main")
        assert "penerimaan dilaporkan kurang atau rusak" in home  # the demo's damaged receipt
        await check(page, shots / "console-beranda-work-desktop.png")

        root = f"{base}/console/satkers/{satker}"
        await page.get_by_role("link", name="Pesanan", exact=True).click()
        await page.get_by_role("heading", name=re.compile("Pesanan pembelian")).wait_for()
        listing = await page.inner_text("main")
        assert "4 pesanan" in listing
        await check(page, shots / "console-orders-desktop.png")
        # filtering by status goes through htmx and keeps the URL shareable
        await page.get_by_label("Status").select_option("closed")
        await page.wait_for_url(re.compile(r"status=closed"))
        assert "0 pesanan" in await page.inner_text("#order-rows")

        await page.goto(f"{root}/orders/{orders['whatsapp_trader']}")
        await page.get_by_role("heading", name="Pesan untuk pedagang").wait_for()
        wa = page.get_by_role("link", name="Buka WhatsApp")
        assert (await wa.get_attribute("href")).startswith("https://wa.me/62")
        message = await page.get_by_label("Pesan WhatsApp").input_value()
        assert "/v1/trader-links/" in message
        timeline = await page.inner_text("ol.timeline")
        assert "Pemasok mengonfirmasi" in timeline and "Barang sampai" in timeline
        await check(page, shots / "console-order-desktop.png")
        await laptop.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        await page.get_by_role("button", name="Salin pesan").click()
        await page.get_by_role("button", name="Tersalin").wait_for()
        assert await page.evaluate("navigator.clipboard.readText()") == message

        await page.goto(f"{root}/orders/{orders['wholesale_market']}")
        buying = page.get_by_role("link", name=re.compile("Daftar belanja"))
        async with laptop.expect_page() as opened:
            await buying.click()
        buying_list = await opened.value
        await buying_list.wait_for_load_state()
        assert (await buying_list.title()).startswith(f"Daftar Belanja PO-{satker}-")
        assert "Total anggaran" in await buying_list.content()
        await buying_list.close()
        await check(page)

        await page.goto(f"{root}/invoices")
        await page.get_by_role("heading", name="Penerimaan kurang atau rusak").wait_for()
        overview = await page.inner_text("main")
        assert "Rusak" in overview or "Kurang" in overview
        assert "Saldo utang per warung" in overview
        await check(page, shots / "console-invoices-desktop.png")

        # one invoice: a clean A4 page
        first = page.locator("#invoices table a").first
        number = await first.inner_text()
        await first.click()
        await page.get_by_role("heading", name=f"Tagihan {number}", level=2).wait_for()
        await check(page, shots / "console-invoice-print-desktop.png")
        one = await page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (tmp_path / "invoice-a4.pdf").write_bytes(
            one
        )  # pdftoppm makes docs/img/console-invoice-a4.png
        assert [(round(w), round(h)) for w, h in pdf_pages(one)] == [A4_POINTS]

        # the whole cycle: one page per invoice
        await page.goto(f"{root}/invoices")
        await page.get_by_role("link", name="Cetak semua tagihan siklus ini").click()
        await page.wait_for_url(re.compile(r"/invoices/print\?cycle="))
        count = await page.locator("article.invoice").count()
        async with engine.connect() as conn:
            issued = (
                await conn.execute(
                    text("SELECT count(*) FROM invoice WHERE bulk_buy_id = :b"),
                    {"b": summary["bulk_buy_id"]},
                )
            ).scalar()
        assert count == issued > 20
        everything = await page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        # each invoice starts a sheet: the warungs' one page each, the satker's own stock
        # (every product it kept) as many as it takes alone
        async with engine.connect() as conn:
            own = (
                await conn.execute(
                    text("SELECT id FROM invoice WHERE bulk_buy_id = :b AND warung_id IS NULL"),
                    {"b": summary["bulk_buy_id"]},
                )
            ).scalar_one()
        alone = await browser.new_page(storage_state=await laptop.storage_state())
        await alone.goto(f"{root}/invoices/{own}/print")
        own_pages = len(pdf_pages(await alone.pdf(format="A4", prefer_css_page_size=True)))
        await alone.close()
        pages = pdf_pages(everything)
        assert len(pages) == (count - 1) + own_pages
        assert {(round(w), round(h)) for w, h in pages} == {A4_POINTS}

        # mark one paid through the page; the list says so
        await page.goto(f"{root}/invoices")
        await page.get_by_role("button", name=re.compile("Tandai lunas")).first.click()
        await page.get_by_text("Tagihan ditandai lunas.").wait_for()

        phone = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            storage_state=await laptop.storage_state(),
        )
        await only_local(phone, base, elsewhere)
        mobile = await phone.new_page()
        for path, name in (
            ("/orders", "console-orders-phone.png"),
            (f"/orders/{orders['whatsapp_trader']}", "console-order-phone.png"),
            ("/invoices", "console-invoices-phone.png"),
            (f"/invoices/{own}/print", None),
            ("", "console-beranda-work-phone.png"),
        ):
            await mobile.goto(root + path)
            await mobile.locator("main h1").first.wait_for()
            await check(mobile, shots / name if name else None)
        assert elsewhere == []

        await every_page_passes_axe(engine, browser, base, summary, orders, make_container)


async def every_page_passes_axe(engine, browser, base, summary, orders, make_container) -> None:
    """Every page of the satker (from the route table: a new page is checked the day it is
    added) as the operator sees it, the operator's satker list, the first-password page and
    the error pages: no serious or critical axe-core violation, at 1366×768; and no cookie
    any of them set is readable by script."""
    satker = summary["satker_id"]
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    """
                    SELECT b.cycle_id, p.supplier_id, (SELECT min(line_no) FROM
                      purchase_order_line l
                      WHERE l.satker_id = p.satker_id AND l.purchase_order_id = p.id) AS line_no,
                      (SELECT min(product_id) FROM bulk_buy_line l
                        WHERE l.satker_id = b.satker_id AND l.bulk_buy_id = b.id) AS product_id,
                      (SELECT min(id) FROM invoice i
                        WHERE i.satker_id = b.satker_id AND i.bulk_buy_id = b.id) AS invoice_id,
                      (SELECT min(id) FROM warung WHERE satker_id = b.satker_id) AS warung_id
                    FROM bulk_buy b JOIN purchase_order p
                      ON p.satker_id = b.satker_id AND p.bulk_buy_id = b.id
                    WHERE b.satker_id = :s AND b.id = :b AND p.id = :p
                    """
                ),
                {"s": satker, "b": summary["bulk_buy_id"], "p": orders["wholesale_market"]},
            )
        ).one()
        # API keys stay on the coordinator under Citus: read apart from the tenant tables
        key_id = await conn.scalar(
            text("SELECT min(id) FROM api_key WHERE satker_id = :s"), {"s": satker}
        )
    ids = {
        "key_id": key_id,
        "satker_id": satker,
        "bb_id": summary["bulk_buy_id"],
        "po_id": orders["wholesale_market"],  # the one with a buying list
        **row._asdict(),
    }
    app = create_app(make_container(), check_schema=False)
    pages = [a for tail, a in console_addresses(app, ids, "GET") if not tail.endswith(".csv")]
    await new_user(engine, None, ADMIN_PHONE, role="admin", name="Operator")
    _, code = await new_user(engine, satker, NEW_PHONE, password=None, name="Bu Ani")
    context = await browser.new_context(viewport=DESKTOP, locale="id-ID")
    page = await context.new_page()
    await console_sign_in(page, base, ADMIN_PHONE, PASSWORD)
    await page.get_by_role("link", name="Satker Kalidoni").wait_for()  # the satker list
    checked = [page.url]
    assert await serious_violations(page) == [], page.url
    for address in [*pages, "/console/satkers/999999"]:  # and the 404 page
        answer = await page.goto(base + address)
        if "text/html" not in answer.headers.get("content-type", ""):
            continue  # the bulk buy's progress poll answers htmx only
        assert answer.status in (200, 404), (address, answer.status)
        assert await serious_violations(page) == [], address
        checked.append(address)
    assert len(checked) >= 25
    cookies = await context.cookies()  # whatever the pages set, script cannot read it
    assert cookies and all(c["httpOnly"] and c["sameSite"] == "Lax" for c in cookies), cookies
    await context.clear_cookies()
    await console_sign_in(page, base, NEW_PHONE, code)  # a setup code: choose a password
    await page.get_by_label("Kata sandi baru", exact=True).wait_for()
    assert await serious_violations(page) == [], page.url
    await context.close()
