"""The console in a real browser: Debian's Chromium driven by Playwright, against
``kulakan serve`` on the test database. A coordinator signs in and sees Beranda on a laptop
(1366×768) and on a phone (390×844); axe-core finds no serious or critical violation, and the
page asks nothing of any other host.

(docs/img's Beranda screenshots come from tests/e2e/test_console_demo_cycle_browser.py.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support import new_satker, new_warung
from tests.support_browser import DESKTOP, PHONE, only_local, serious_violations
from tests.support_console import PASSWORD, new_user, open_cycle, restock_request
from tests.support_process import api_server

COORDINATOR_PHONE = "0812-7000-1001"
WARUNGS = [
    ("Warung Bu Sari", "Bu Sari", "0812-3456-7001"),
    ("Warung Pak Darto", "Pak Darto", "0812-3456-7002"),
    ("Warung Mbak Ina", "Mbak Ina", "0812-3456-7003"),
    ("Warung Koh Ahong", "Koh Ahong", "0812-3456-7004"),
    ("Warung Mak Ijah", "Mak Ijah", "0812-3456-7005"),
]


async def demo_satker(engine) -> None:
    satker = await new_satker(engine, name="Satker Kalidoni")
    ids = [await new_warung(engine, satker, name=n, owner_name=o, phone=p) for n, o, p in WARUNGS]
    cycle, _ = await open_cycle(
        engine, satker, name="Sayur & lauk harian", hours_left=5.75, now=datetime.now(UTC)
    )
    await restock_request(engine, satker, ids[0], cycle, "submitted", lines=6)
    await restock_request(engine, satker, ids[3], cycle, "submitted", lines=4)
    await restock_request(engine, satker, ids[2], cycle, "draft", lines=2)
    await new_user(engine, satker, COORDINATOR_PHONE, name="Ibu Rahma")


async def check_beranda(page, base: str, shot: Path) -> None:
    await page.get_by_role("heading", name="Satker Kalidoni").wait_for()
    body = await page.inner_text("main")
    assert "Sayur & lauk harian" in body and "WIB" in body
    assert "2 dari 5 warung sudah mengirim permintaan." in body
    reminders = page.get_by_role("link", name="Ingatkan lewat WhatsApp")
    assert await reminders.count() == 3
    assert (await reminders.first.get_attribute("href")).startswith("https://wa.me/62")
    # the countdown script has replaced the server's text with its own
    countdown = page.locator("[data-countdown-to]")
    await page.wait_for_function(
        "el => /^5 jam 4\\d menit lagi$/.test(el.textContent)", arg=await countdown.element_handle()
    )
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "no sideways scrolling"
    assert await serious_violations(page) == []
    await page.screenshot(path=str(shot), full_page=True)


async def test_a_coordinator_signs_in_and_sees_beranda_on_laptop_and_phone(
    engine, database_url, browser, tmp_path
):
    await demo_satker(engine)
    shots = tmp_path
    with api_server(database_url) as base:
        elsewhere: list[str] = []

        desktop = await browser.new_context(viewport=DESKTOP, locale="id-ID")
        await only_local(desktop, base, elsewhere)
        page = await desktop.new_page()
        await page.goto(f"{base}/console/")
        assert page.url.startswith(f"{base}/console/sign-in")
        assert await serious_violations(page) == []
        await page.get_by_label("Nomor HP").fill(COORDINATOR_PHONE)
        await page.get_by_label("Kata sandi").fill(PASSWORD)
        await page.get_by_role("button", name="Masuk").click()
        await check_beranda(page, base, shots / "beranda-desktop.png")

        phone = await browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="id-ID",
            storage_state=await desktop.storage_state(),
        )
        await only_local(phone, base, elsewhere)
        mobile = await phone.new_page()
        await mobile.goto(f"{base}/console/")
        await check_beranda(mobile, base, shots / "beranda-phone.png")

        # signing out on the phone ends the laptop's session too (they share it here)
        await mobile.locator("details.menu summary").click()  # the phone's menu holds it
        await mobile.get_by_role("button", name="Keluar").click()
        await mobile.get_by_role("heading", name="Masuk ke konsol kulakan").wait_for()
        await page.reload()
        assert page.url.startswith(f"{base}/console/sign-in")
        assert elsewhere == []
