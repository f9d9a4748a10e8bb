"""The web console through HTTP: sign-in, lockout, CSRF, sessions, tenancy, cookies, and that
an API key never opens it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from urllib.parse import unquote

import httpx
import pytest

from services.api.app import create_app
from services.app.users import disable_user
from services.clock import FixedClock
from services.db.tx import Tx
from services.settings import Settings
from tests.support import bearer, new_key, new_satker, new_warung
from tests.support_console import (
    PASSWORD,
    csrf_token,
    new_user,
    open_cycle,
    restock_request,
    sign_in,
)

PHONE = "0812-1111-2222"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def make_client(make_container: Callable[..., object], clock: FixedClock):
    async def make(base_url: str = "http://kulakan.test", **settings: object) -> httpx.AsyncClient:
        container = make_container(
            settings=Settings(api_key_cache_seconds=0.0, **settings), clock=clock
        )
        app = create_app(container)  # type: ignore[arg-type]
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    return make


@pytest.fixture
async def web(make_client) -> AsyncIterator[httpx.AsyncClient]:
    async with await make_client() as c:
        yield c


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_a_coordinator_signs_in_and_sees_beranda(engine, web, clock):
    satker = await new_satker(engine, name="Satker Kalidoni")
    sent = await new_warung(engine, satker, name="Warung Bu Sari", phone="0812-3333-4444")
    await new_warung(
        engine, satker, name="Warung Pak Darto", owner_name="Pak Darto", phone="0813-5555-6666"
    )
    drafted = await new_warung(engine, satker, name="Warung Mbak Ina", phone="0814-7777-8888")
    cycle, _ = await open_cycle(engine, satker, hours_left=3, now=clock.now)
    clock.advance(minutes=1)
    await restock_request(engine, satker, sent, cycle, "submitted", lines=3)
    await restock_request(engine, satker, drafted, cycle, "draft")
    await new_user(engine, satker, PHONE)

    signed = await sign_in(web, PHONE)
    assert signed.status_code == 303 and signed.headers["location"] == "/console/"
    page = await web.get("/console/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="id">' in html and "Beranda" in html and "Satker Kalidoni" in html
    assert "Sayur harian" in html and "WIB" in html
    assert "1 dari 3 warung sudah mengirim permintaan." in html
    assert "Terkirim" in html and "3 baris" in html and "Draf, belum dikirim" in html
    # the two that have not sent get a prefilled wa.me reminder; the one that has sent does not
    links = [unquote(part.split('"')[0]) for part in html.split('href="https://wa.me/')[1:]]
    assert [link.split("?")[0] for link in links] == ["6281477778888", "6281355556666"]
    assert "Halo Pak Darto, kami dari Satker Kalidoni" in links[1]
    assert 'data-countdown-to="' in html and "2 jam 59 menit lagi" in html
    # every asset is ours
    assert "https://" not in html.replace("https://wa.me/", "")


async def test_cookies_are_httponly_samesite_and_secure_over_https(engine, make_client):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    async with await make_client() as plain:
        cookies = set_cookies(await sign_in(plain, PHONE))
    async with await make_client("https://kulakan.test") as tls:
        cookies_tls = set_cookies(await sign_in(tls, PHONE))
    for found, secure in ((cookies, False), (cookies_tls, True)):
        assert set(found) >= {"kulakan_session", "kulakan_csrf"} or set(found) == {
            "kulakan_session"
        }
        for header in found.values():
            attrs = header.lower()
            assert "httponly" in attrs and "samesite=lax" in attrs, header
            assert ("secure" in attrs.split("; ")) is secure, header
    session = SimpleCookie(cookies["kulakan_session"])["kulakan_session"]
    assert session["path"] == "/" and len(session.value) >= 40
    # the CSRF cookie, set by the first page, is HttpOnly too
    async with await make_client() as fresh:
        first = set_cookies(await fresh.get("/console/sign-in"))
    assert "httponly" in first["kulakan_csrf"].lower()


async def test_five_wrong_passwords_lock_the_account_for_15_minutes(engine, web, clock):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    for _ in range(4):
        wrong = await sign_in(web, PHONE, "not-the-password")
        assert wrong.status_code == 401 and "Nomor HP atau kata sandi salah." in wrong.text
    fifth = await sign_in(web, PHONE, "not-the-password")
    assert fifth.status_code == 401 and "dikunci selama 15 menit" in fifth.text
    right_but_locked = await sign_in(web, PHONE, PASSWORD)
    assert right_but_locked.status_code == 401 and "kulakan_session" not in set_cookies(
        right_but_locked
    )
    clock.advance(minutes=14, seconds=59)
    assert (await sign_in(web, PHONE, PASSWORD)).status_code == 401
    clock.advance(seconds=1)
    assert (await sign_in(web, PHONE, PASSWORD)).status_code == 303
    # an unknown phone gets the same answer as a wrong password
    unknown = await sign_in(web, "0899-0000-0000", PASSWORD)
    assert unknown.status_code == 401 and "Nomor HP atau kata sandi salah." in unknown.text


async def test_a_form_post_without_the_csrf_token_is_refused(engine, web):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    await web.get("/console/sign-in")  # has the CSRF cookie, but sends no token
    refused = await web.post("/console/sign-in", data={"phone": PHONE, "password": PASSWORD})
    assert refused.status_code == 403 and "Permintaan ditolak" in refused.text
    forged = await web.post(
        "/console/sign-in", data={"phone": PHONE, "password": PASSWORD, "_csrf_token": "x" * 128}
    )
    assert forged.status_code == 403
    assert (await sign_in(web, PHONE)).status_code == 303
    no_token_sign_out = await web.post("/console/sign-out")
    assert no_token_sign_out.status_code == 403
    assert (await web.get("/console/")).status_code == 200  # still signed in
    # the JSON API is not under CSRF: a Bearer POST needs no token
    key = await new_key(engine, "admin")
    made = await web.post(
        "/v1/satkers",
        json={
            "name": "Satker Baru",
            "kecamatan": "Ilir Timur",
            "kota": "Kota Palembang",
            "province": "Sumatera Selatan",
            "timezone": "Asia/Jakarta",
        },
        headers=bearer(key),
    )
    assert made.status_code == 201, made.text


async def test_signing_out_ends_the_session_in_another_tab_at_once(engine, make_client):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    async with await make_client() as tab1, await make_client() as tab2:
        assert (await sign_in(tab1, PHONE)).status_code == 303
        tab2.cookies.update(tab1.cookies)  # same browser, second tab
        assert (await tab2.get("/console/")).status_code == 200
        token = await csrf_token(tab1, "/console/")
        out = await tab1.post("/console/sign-out", data={"_csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/console/sign-in"
        gone = await tab2.get("/console/")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/console/sign-in")


async def test_disabling_a_user_ends_their_sessions_and_refuses_sign_in(engine, web, clock):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    assert (await sign_in(web, PHONE)).status_code == 303
    async with Tx(engine) as tx:
        await disable_user(tx, PHONE, clock())
    assert (await web.get("/console/")).status_code == 303
    assert (await sign_in(web, PHONE)).status_code == 401


async def test_a_session_ends_after_12_idle_hours(engine, web, clock):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    await sign_in(web, PHONE)
    clock.advance(hours=11, minutes=59)
    assert (await web.get("/console/")).status_code == 200  # use keeps it alive
    clock.advance(hours=11, minutes=59)
    assert (await web.get("/console/")).status_code == 200
    clock.advance(hours=12)
    assert (await web.get("/console/")).status_code == 303


async def test_a_coordinator_sees_only_their_satker(engine, web):
    mine = await new_satker(engine, name="Satker Kalidoni")
    other = await new_satker(engine, name="Satker Seberang Ulu")
    await new_user(engine, mine, PHONE)
    await sign_in(web, PHONE)
    assert (await web.get(f"/console/satkers/{mine}")).status_code == 200
    for path in (f"/console/satkers/{other}", "/console/satkers/999999"):
        refused = await web.get(path)
        assert refused.status_code == 404 and "Seberang" not in refused.text
        assert "Halaman tidak ditemukan" in refused.text


async def test_an_admin_picks_any_satker(engine, web):
    first = await new_satker(engine, name="Satker Kalidoni")
    await new_satker(engine, name="Satker Seberang Ulu")
    await new_user(engine, None, PHONE, role="admin", name="Operator")
    await sign_in(web, PHONE)
    page = await web.get("/console/")
    assert "Satker Kalidoni" in page.text and "Satker Seberang Ulu" in page.text
    assert (await web.get(f"/console/satkers/{first}")).status_code == 200


async def test_an_api_key_never_opens_the_console(engine, web):
    satker = await new_satker(engine)
    warung = await new_warung(engine, satker)
    for key in (
        await new_key(engine, "admin"),
        await new_key(engine, "coordinator", satker_id=satker),
        await new_key(engine, "warung", satker_id=satker, warung_id=warung),
    ):
        for path in ("/console/", f"/console/satkers/{satker}"):
            answer = await web.get(path, headers=bearer(key))
            assert answer.status_code == 303, (path, answer.status_code)
            assert answer.headers["location"].startswith("/console/sign-in")


async def test_htmx_gets_the_fragment_and_a_redirect_header(engine, web):
    satker = await new_satker(engine)
    await new_warung(engine, satker)
    await open_cycle(engine, satker)
    await new_user(engine, satker, PHONE)
    hx = {"HX-Request": "true"}
    assert (
        (await web.get("/console/", headers=hx))
        .headers["hx-redirect"]
        .startswith("/console/sign-in")
    )
    await sign_in(web, PHONE)
    full = await web.get("/console/")
    fragment = await web.get("/console/", headers=hx)
    assert "<html" in full.text and 'id="warung-status"' in full.text
    assert "<html" not in fragment.text and fragment.text.lstrip().startswith("<section")
    assert fragment.headers["vary"] == "HX-Request"


async def test_first_sign_in_with_the_setup_code_then_a_chosen_password(engine, web):
    satker = await new_satker(engine)
    _, code = await new_user(engine, satker, PHONE, password=None)
    assert code
    assert (await sign_in(web, PHONE, "kopi-susu-pagi-hari")).status_code == 401
    first = await sign_in(web, PHONE, code)
    assert first.headers["location"] == "/console/password"
    assert (await web.get("/console/")).headers["location"] == "/console/password"
    token = await csrf_token(web, "/console/password")
    weak = await web.post(
        "/console/password", data={"password": "short", "confirm": "short", "_csrf_token": token}
    )
    assert weak.status_code == 400 and "kurang dari 10 karakter" in weak.text
    chosen = "teh-manis-sore-hari"
    ok = await web.post(
        "/console/password", data={"password": chosen, "confirm": chosen, "_csrf_token": token}
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/console/"
    assert (await web.get("/console/")).status_code == 200
    fresh = httpx.AsyncClient(transport=web._transport, base_url="http://kulakan.test")
    async with fresh:
        assert (await sign_in(fresh, PHONE, code)).status_code == 401  # the code is spent
        assert (await sign_in(fresh, PHONE, chosen)).status_code == 303


async def test_english_by_setting(engine, make_client):
    satker = await new_satker(engine)
    await new_user(engine, satker, PHONE)
    async with await make_client(language="en") as web:
        await sign_in(web, PHONE)
        page = await web.get("/console/")
    assert '<html lang="en">' in page.text and "Home" in page.text and "Beranda" not in page.text


async def test_the_api_docs_and_the_console_load_only_local_assets(web):
    docs = await web.get("/schema")
    assert docs.status_code == 200
    assert "cdn" not in docs.text and "unpkg" not in docs.text and "https://" not in docs.text
    assets = [part.split("'")[0].split('"')[0] for part in docs.text.split("/static/")[1:]]
    assert any(a.startswith("vendor/swagger-ui/swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        got = await web.get("/static/" + asset)
        assert got.status_code == 200 and got.content, asset
    assert (await web.get("/schema/swagger")).status_code == 200
    assert (await web.get("/schema/openapi.json")).json()["openapi"].startswith("3.1")
    htmx = await web.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and "max-age=86400" in htmx.headers["cache-control"]
    sign_in_page = await web.get("/console/sign-in")
    assert "https://" not in sign_in_page.text
