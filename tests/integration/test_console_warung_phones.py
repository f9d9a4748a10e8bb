"""Data → warung: the coordinator makes a warung owner's sign-in link (shown once, with a copy
button and a prefilled WhatsApp message) and signs every phone of the warung out; CSRF and
tenancy as everywhere in the console (another satker's warung is 404)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.integration.test_console_data import COORDINATOR, OTHER, TOKEN, as_user, count, world
from tests.support import new_warung
from tests.support_warung import open_link

__all__ = ["world"]  # the fixture
LINK = re.compile(r'id="sign-in-url" class="link" value="([^"]+)"')
WA = re.compile(r'href="(https://wa\.me/[^"]+)"')


async def csrf(w) -> str:
    page = await w.client.get("/console/")
    return TOKEN.search(page.text).group(1)


async def test_a_coordinator_sends_the_owner_a_sign_in_link_and_signs_the_phones_out(
    engine,
    world,
):
    w = world
    await as_user(w, COORDINATOR)
    page = f"{w.base}/warungs/{w.warung}"
    shown = await w.client.get(page)
    assert shown.status_code == 200 and "Buat tautan masuk" in shown.text
    assert "Masuk lewat HP" in (await w.client.get(f"{w.base}/warungs")).text

    # without the CSRF token nothing is issued
    refused = await w.client.post(f"{page}/sign-in-link", data={})
    assert refused.status_code == 403
    assert await count(engine, "SELECT count(*) FROM warung_sign_in_link") == 0

    issued = await w.client.post(f"{page}/sign-in-link", data={"_csrf_token": await csrf(w)})
    assert issued.status_code == 201
    url = LINK.search(issued.text).group(1)
    assert "/w/masuk/" in url and "Salin tautan" in issued.text
    assert "Kirim lewat WhatsApp" in issued.text
    wa = urlsplit(WA.search(issued.text).group(1).replace("&amp;", "&"))
    assert wa.path == "/6281234567890"  # the warung's phone
    message = parse_qs(wa.query)["text"][0]
    assert message.startswith("Halo ") and url in message and "Warung Bu Sari" in message
    assert await count(engine, "SELECT count(*) FROM warung_sign_in_link") == 1
    # shown once: the page does not show it again
    assert url not in (await w.client.get(page)).text

    # the owner opens it on their phone and is signed in
    async with httpx.AsyncClient(transport=w.client._transport, base_url="http://hp") as owner:
        opened = await open_link(owner, urlsplit(url).path)
        assert opened.status_code == 303
        assert (await owner.get("/w/")).status_code == 200

        # the coordinator signs every phone of the warung out
        ended = await w.client.post(
            f"{page}/end-sessions",
            data={"_csrf_token": await csrf(w)},
            headers={"Idempotency-Key": "end-1"},
        )
        assert ended.status_code == 303 and ended.headers["location"].endswith("?ended=1")
        after = await w.client.get(ended.headers["location"])
        assert "1 sesi diakhiri" in after.text
        gone = await owner.get("/w/")
        assert gone.status_code == 401  # asked to open a new link
    sessions = "SELECT count(*) FROM web_session WHERE kind = 'warung'"
    assert await count(engine, sessions) == 0


async def test_another_satkers_warung_is_not_found(engine, world):
    w = world
    theirs = await new_warung(engine, w.other, name="Warung Seberang Dua")
    await as_user(w, OTHER)
    token = await csrf(w)
    for path in (
        f"{w.base}/warungs/{w.warung}/sign-in-link",
        f"{w.base}/warungs/{w.warung}/end-sessions",
        # their own satker's address with a warung of another satker
        f"/console/satkers/{w.other}/data/warungs/{w.warung}/sign-in-link",
        f"/console/satkers/{w.other}/data/warungs/{w.warung}/end-sessions",
    ):
        answer = await w.client.post(path, data={"_csrf_token": token})
        assert answer.status_code == 404, path
    assert await count(engine, "SELECT count(*) FROM warung_sign_in_link") == 0
    # and their own warung works
    mine = f"/console/satkers/{w.other}/data/warungs/{theirs}/sign-in-link"
    assert (await w.client.post(mine, data={"_csrf_token": token})).status_code == 201
