"""The console's top bar in Chromium: on a laptop (1366×768) the sections sit in one row; on
a phone (390×844) they fold behind "Menu", a <details> that opens by touch, by keyboard and
with scripts turned off, and the bar stays one row. axe-core finds no serious or critical
violation with the menu closed or open.

``KULAKAN_SCREENSHOTS=1`` keeps the screenshots in docs/img/ for docs/console.md."""

from __future__ import annotations

from tests.fixtures_db import ROOT
from tests.support import new_satker, new_warung
from tests.support_browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    console_sign_in,
    only_local,
    serious_violations,
)
from tests.support_console import PASSWORD, new_user, open_cycle
from tests.support_process import api_server

PHONE_NUMBER = "0812-7000-4001"
SECTIONS = ["Beranda", "Siklus", "Pembelian", "Pesanan", "Penerimaan & tagihan", "Laporan", "Data"]
ONE_ROW = 72  # px: the bar's height when nothing wraps


async def bar_height(page) -> float:
    return (await page.locator("header.topbar").bounding_box())["height"]


async def visible_sections(page) -> list[str]:
    links = page.get_by_role("navigation", name="Konsol").get_by_role("link")
    return [await link.inner_text() for link in await links.all() if await link.is_visible()]


async def test_the_sections_fold_behind_a_menu_on_a_phone(engine, database_url, browser, tmp_path):
    satker = await new_satker(engine, name="Satker Kalidoni")
    await new_warung(engine, satker, name="Warung Bu Sari")
    await open_cycle(engine, satker, name="Sayur harian")
    await new_user(engine, satker, PHONE_NUMBER, name="Ibu Rahma")
    shots = ROOT / "docs" / "img" if SCREENSHOTS else tmp_path
    with api_server(database_url) as base:
        elsewhere: list[str] = []
        laptop = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await only_local(laptop, base, elsewhere)
        page = await laptop.new_page()
        await console_sign_in(page, base, PHONE_NUMBER, PASSWORD)
        await page.get_by_role("heading", name="Satker Kalidoni").wait_for()
        assert await visible_sections(page) == SECTIONS
        assert not await page.get_by_text("Menu", exact=True).is_visible()
        assert await page.get_by_role("button", name="Keluar").is_visible()
        assert await bar_height(page) <= ONE_ROW
        assert await serious_violations(page) == []

        phone = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            storage_state=await laptop.storage_state(),
        )
        await only_local(phone, base, elsewhere)
        mobile = await phone.new_page()
        await mobile.goto(f"{base}/console/satkers/{satker}/orders")
        menu = mobile.locator("details.menu summary")
        assert await menu.text_content() == "Menu · Pesanan"
        assert await visible_sections(mobile) == []
        assert await bar_height(mobile) <= ONE_ROW
        assert await serious_violations(mobile) == []
        await mobile.screenshot(path=str(shots / "console-menu-closed-phone.png"))

        # by touch: the sections, the current one marked, and signing out
        await menu.tap()
        assert await visible_sections(mobile) == SECTIONS
        current = mobile.get_by_role("link", name="Pesanan")
        assert await current.get_attribute("aria-current") == "page"
        assert await mobile.get_by_role("button", name="Keluar").is_visible()
        assert await serious_violations(mobile) == []
        await mobile.screenshot(path=str(shots / "console-menu-open-phone.png"))
        await mobile.get_by_role("link", name="Laporan").tap()
        await mobile.get_by_role("heading", name="Kartu nilai pemasok").wait_for()
        assert await visible_sections(mobile) == []  # a new page starts with it closed

        # by keyboard: Tab to the menu, Enter opens it, Tab to a section, Enter follows it
        await mobile.keyboard.press("Tab")  # the skip link
        await mobile.keyboard.press("Tab")  # kulakan
        await mobile.keyboard.press("Tab")
        assert await mobile.evaluate("document.activeElement.tagName") == "SUMMARY"
        await mobile.keyboard.press("Enter")
        assert await visible_sections(mobile) == SECTIONS
        await mobile.keyboard.press("Tab")
        await mobile.keyboard.press("Tab")
        assert await mobile.evaluate("document.activeElement.textContent") == "Siklus"
        await mobile.keyboard.press("Enter")
        await mobile.get_by_role("heading", name="Siklus pesanan").wait_for()

        # with scripts turned off
        still = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            java_script_enabled=False,
            storage_state=await laptop.storage_state(),
        )
        await only_local(still, base, elsewhere)
        plain = await still.new_page()
        await plain.goto(f"{base}/console/satkers/{satker}")
        await plain.locator("details.menu summary").tap()
        await plain.get_by_role("link", name="Data").tap()
        await plain.get_by_role("heading", name="Data").first.wait_for()
        assert plain.url.endswith("/data/warungs")
        assert elsewhere == []
