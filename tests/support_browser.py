"""What every browser test shares: Debian's Chromium driven by Playwright (its own browser
downloads are never used), the two screen sizes, axe-core, and a context that may reach only
kulakan itself."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("KULAKAN_SCREENSHOTS") == "1"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    assert HAVE_CHROMIUM, "install Debian's chromium (.ci/run does)"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def check_page(page: Any, shot: Path | None = None) -> None:
    """No sideways scrolling at the page's width, no serious accessibility problem; a
    screenshot when asked."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width}px)"
    assert await serious_violations(page) == [], page.url
    if shot is not None:
        await page.screenshot(path=str(shot), full_page=True)


async def only_local(context: Any, base: str, elsewhere: list[str]) -> None:
    """Let ``context`` reach ``base`` only; every other address is refused and noted in
    ``elsewhere`` (the pages must need nothing from the internet)."""

    async def route(r: Any) -> None:
        if r.request.url.startswith(base):
            await r.continue_()
        else:
            elsewhere.append(r.request.url)
            await r.abort()

    await context.route("**/*", route)


async def console_sign_in(page: Any, base: str, phone: str, password: str) -> None:
    await page.goto(f"{base}/console/sign-in")
    await page.get_by_label("Nomor HP").fill(phone)
    await page.get_by_label("Kata sandi").fill(password)
    await page.get_by_role("button", name="Masuk").click()
