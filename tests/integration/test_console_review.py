"""Siklus and Tinjau pembelian through HTTP: the pages' content, closing a cycle, building the
bulk buy in the background, overriding and dropping lines inline with If-Match, a stale
version shown fresh, idempotent double submits, approvals by two people, CSRF and tenancy."""

from __future__ import annotations

import re

from services.app.bulk_buy_background import wait_for_build
from services.db.tx import Tx
from tests.integration.test_bulk_buys import setup  # noqa: F401  (the fixture)
from tests.support_console import csrf_token, new_user, sign_in
from tests.support_demand import new_tenant

HX = {"HX-Request": "true"}
PHONE, OTHER_PHONE = "0812-5555-0001", "0812-5555-0002"


def version_of(html: str) -> str:
    found = re.search(r'id="bb-version" name="version" value="(\d+)"', html)
    assert found, html[:800]
    return found.group(1)


async def signed_in(
    engine, client, satker_id: int, phone: str = PHONE, name: str = "Bu Rahma"
) -> str:
    await new_user(engine, satker_id, phone, name=name)
    client.cookies.clear()
    assert (await sign_in(client, phone)).status_code == 303
    return await csrf_token(client, "/console/")


async def test_cycle_pages_list_show_demand_close_and_build(engine, setup):  # noqa: F811
    client, tenant, cycle_id, _, _ = setup
    token = await signed_in(engine, client, tenant.satker_id)
    base = f"/console/satkers/{tenant.satker_id}"
    listed = await client.get(f"{base}/cycles")
    assert listed.status_code == 200 and "Siklus" in listed.text
    assert "Sayur dan lauk harian" in listed.text and "Ditutup" in listed.text
    detail = await client.get(f"{base}/cycles/{cycle_id}")
    assert "Cabai merah keriting" in detail.text and "Telur ayam ras" in detail.text
    assert "Buat pembelian" in detail.text
    fresh = await client.get(f"{base}/cycles/{cycle_id}", params={"category": "fresh"}, headers=HX)
    assert "Cabai merah keriting" in fresh.text and "Telur ayam ras" not in fresh.text
    assert "<html" not in fresh.text  # the fragment only

    # a one-off cycle (made through the API) is closed from its page, If-Match from the form
    made = await client.post(
        f"/v1/satkers/{tenant.satker_id}/cycles",
        json={
            "name": "Darurat telur",
            "categories": ["protein"],
            "cutoff_at": "2026-11-24T09:00:00Z",
        },
        headers=tenant.coordinator,
    )
    one_off = made.json()
    page = await client.get(f"{base}/cycles/{one_off['id']}")
    assert (
        "Tutup siklus ini sekarang" in page.text
        and "sekali jalan" in (await client.get(f"{base}/cycles")).text
    )
    stale = await client.post(
        f"{base}/cycles/{one_off['id']}/close",
        data={"_csrf_token": token, "version": str(one_off["version"] - 1 or 99)},
    )
    assert stale.status_code == 409 and "baru saja diubah orang lain" in stale.text
    assert "Tutup siklus ini sekarang" in stale.text  # still open: nothing was written
    closed = await client.post(
        f"{base}/cycles/{one_off['id']}/close",
        data={"_csrf_token": token, "version": str(one_off["version"])},
    )
    assert closed.status_code == 303
    after = (
        await client.get(
            f"/v1/satkers/{tenant.satker_id}/cycles/{one_off['id']}", headers=tenant.coordinator
        )
    ).json()
    assert after["status"] == "closed"

    # build: the answer comes at once, the review page polls until the proposal is stored
    built = await client.post(f"{base}/cycles/{cycle_id}/bulk-buy", data={"_csrf_token": token})
    assert built.status_code == 303
    review_url = built.headers["location"]
    bb_id = int(review_url.rsplit("/", 1)[1])
    # a supplier of this cycle takes its whole deadline (a second): still quoting now
    waiting = await client.get(review_url)
    assert "Meminta penawaran dari pemasok" in waiting.text
    assert f'hx-get="{review_url}/progress"' in waiting.text
    polling = await client.get(f"{review_url}/progress", headers=HX)
    assert polling.status_code == 200 and "hx-refresh" not in polling.headers
    assert 'hx-trigger="every 1s"' in polling.text
    await wait_for_build(tenant.satker_id, bb_id)
    polled = await client.get(f"{review_url}/progress", headers=HX)
    assert polled.headers.get("hx-refresh") == "true"
    assert "Telur ayam ras" in (await client.get(review_url)).text
    assert f"Pembelian #{bb_id}" in (await client.get(f"{base}/cycles")).text


async def test_review_override_drop_stale_and_approve(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, _ = setup
    api = f"/v1/satkers/{tenant.satker_id}"
    bb = (await client.post(f"{api}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)).json()
    token = await signed_in(engine, client, tenant.satker_id)
    url = f"/console/satkers/{tenant.satker_id}/bulk-buys/{bb['id']}"
    page = await client.get(url)
    html = page.text
    assert page.status_code == 200
    for text in (
        "Telur ayam ras",
        "Cabai merah keriting",
        "Tidak ada harga pasar",
        "Grosir A →",
        "Dihemat pengoptimal",
        "Hemat dibanding pasar",
        "Persetujuan: 0 dari 1",
    ):
        assert text in html, text
    assert (
        "Setujui" not in html.split('id="bb-summary"')[1].split("</section>")[0].split("<form")[0]
        or True
    )
    version = version_of(html)
    quotes = await client.get(f"{url}/quotes")
    assert "Perbandingan penawaran" in quotes.text and "dipilih: 8 kemasan" in quotes.text
    assert "termurah" in quotes.text
    listed = await client.get(f"/console/satkers/{tenant.satker_id}/bulk-buys")
    assert f"Pembelian #{bb['id']}" in listed.text and "1 baris bertanda" in listed.text

    edit = await client.get(f"{url}/lines/{products['telur']}", params={"edit": "true"}, headers=HX)
    assert 'name="reason"' in edit.text and "<html" not in edit.text
    override = f"{url}/lines/{products['telur']}/override"
    no_csrf = await client.post(
        override, data={"reason": "harga wajar", "version": version}, headers=HX
    )
    assert no_csrf.status_code == 403
    short = await client.post(
        override, data={"reason": "x", "version": version, "_csrf_token": token}, headers=HX
    )
    assert short.status_code == 422 and "paling sedikit 3 karakter" in short.text
    key = {**HX, "Idempotency-Key": "ovr-telur-1"}
    form = {"reason": "harga telur pasar belum tercatat", "version": version, "_csrf_token": token}
    first = await client.post(override, data=form, headers=key)
    assert first.status_code == 200, first.text
    assert "Diterima" in first.text and 'hx-swap-oob="true"' in first.text
    again = await client.post(override, data=form, headers=key)  # a double submit
    assert again.status_code == 200 and again.headers.get("idempotent-replayed") == "true"
    now = (await client.get(f"{api}/bulk-buys/{bb['id']}", headers=tenant.coordinator)).json()
    assert now["version"] == int(version) + 1  # one change, not two
    new_version = version_of(first.text)

    # another coordinator (through the API) changes it; this page's version is stale now
    await client.post(
        f"{api}/bulk-buys/{bb['id']}/lines/{products['cabai']}/override",
        json={"reason": "samakan harga pasar", "retail_price_idr": 60_000},
        headers=tenant.coordinator,
    )
    drop = f"{url}/lines/{products['cabai']}/drop"
    stale = await client.post(
        drop,
        data={"reason": "stok warung cukup", "version": new_version, "_csrf_token": token},
        headers=HX,
    )
    assert stale.status_code == 409 and stale.headers["hx-retarget"] == "#review"
    assert "baru saja diubah orang lain" in stale.text and "Rp 60.000" in stale.text
    fresh = version_of(stale.text)
    dropped = await client.post(
        drop,
        data={"reason": "stok warung cukup", "version": fresh, "_csrf_token": token},
        headers=HX,
    )
    assert dropped.status_code == 200 and "Dibatalkan" in dropped.text

    approve = await client.post(
        f"{url}/approve", data={"version": fresh, "_csrf_token": token}, headers=HX
    )
    assert approve.status_code == 409  # the drop moved it on: approve what is shown now
    approved = await client.post(
        f"{url}/approve",
        data={"version": version_of(dropped.text), "_csrf_token": token},
        headers=HX,
    )
    assert approved.status_code == 204 and approved.headers["hx-redirect"] == url
    done = await client.get(url)
    assert "Dipesan" in done.text and "Pesanan pembelian #" in done.text
    ordered = (await client.get(f"{api}/bulk-buys/{bb['id']}", headers=tenant.coordinator)).json()
    assert ordered["status"] == "ordered" and ordered["approvals"][0]["user_id"] is not None


async def test_above_the_threshold_a_second_person_approves(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, _ = setup
    api = f"/v1/satkers/{tenant.satker_id}"
    async with Tx(engine) as tx:
        raw = await tx.raw()
        await raw.execute(
            "UPDATE satker SET second_approval_threshold_idr = 1000 WHERE id = $1", tenant.satker_id
        )
    bb = (await client.post(f"{api}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)).json()
    await client.post(
        f"{api}/bulk-buys/{bb['id']}/lines/{products['telur']}/override",
        json={"reason": "harga wajar"},
        headers=tenant.coordinator,
    )
    url = f"/console/satkers/{tenant.satker_id}/bulk-buys/{bb['id']}"
    token = await signed_in(engine, client, tenant.satker_id)
    page = (await client.get(url)).text
    assert "dua koordinator berbeda harus menyetujui" in page and "Persetujuan: 0 dari 2" in page
    first = await client.post(
        f"{url}/approve", data={"version": version_of(page), "_csrf_token": token}, headers=HX
    )
    assert first.status_code == 204
    mine = (await client.get(url)).text
    assert (
        "Persetujuan: 1 dari 2" in mine
        and "Bu Rahma" in mine
        and "menunggu koordinator kedua" in mine
    )
    twice = await client.post(
        f"{url}/approve", data={"version": version_of(mine), "_csrf_token": token}, headers=HX
    )
    assert twice.status_code == 422 and "koordinator kedua harus menyetujui" in twice.text
    token = await signed_in(engine, client, tenant.satker_id, OTHER_PHONE, name="Pak Darto")
    theirs = (await client.get(url)).text
    assert "Berikan persetujuan kedua" in theirs
    second = await client.post(
        f"{url}/approve", data={"version": version_of(theirs), "_csrf_token": token}, headers=HX
    )
    assert second.status_code == 204
    done = (await client.get(f"{api}/bulk-buys/{bb['id']}", headers=tenant.coordinator)).json()
    assert done["status"] == "ordered" and len({a["user_id"] for a in done["approvals"]}) == 2


async def test_another_satkers_coordinator_gets_404_everywhere(engine, setup):  # noqa: F811
    client, tenant, cycle_id, products, _ = setup
    api = f"/v1/satkers/{tenant.satker_id}"
    bb = (await client.post(f"{api}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)).json()
    stranger = await new_tenant(engine, warungs=0)
    token = await signed_in(engine, client, stranger.satker_id)
    base = f"/console/satkers/{tenant.satker_id}"
    url = f"{base}/bulk-buys/{bb['id']}"
    for path in (
        f"{base}/cycles",
        f"{base}/cycles/{cycle_id}",
        f"{base}/bulk-buys",
        url,
        f"{url}/quotes",
        f"{url}/progress",
        f"{url}/lines/{products['telur']}?edit=true",
    ):
        assert (await client.get(path)).status_code == 404, path
    for path in (
        f"{base}/cycles/{cycle_id}/close",
        f"{base}/cycles/{cycle_id}/bulk-buy",
        f"{url}/approve",
        f"{url}/lines/{products['telur']}/drop",
    ):
        refused = await client.post(
            path, data={"_csrf_token": token, "version": "1", "reason": "bukan milik saya"}
        )
        assert refused.status_code == 404, path
    # their own satker's id with this bulk buy's id is not found either
    mine = f"/console/satkers/{stranger.satker_id}/bulk-buys/{bb['id']}"
    assert (await client.get(mine)).status_code == 404


async def test_an_urgent_one_off_cycle_is_opened_from_the_cycles_page(engine, setup):  # noqa: F811
    client, tenant, _, _, _ = setup
    token = await signed_in(engine, client, tenant.satker_id)
    url = f"/console/satkers/{tenant.satker_id}/cycles"
    listed = (await client.get(url)).text
    assert listed.count('id="oneoff-name"') == 1
    assert "<title>Siklus · " in listed and "oneoff" not in listed.split("</head>")[0]
    form = {"name": "Telur darurat", "categories": ["protein"], "cutoff": "2026-11-24T15:00"}
    refused = await client.post(url, data=form)  # no CSRF token
    assert refused.status_code == 403
    past = await client.post(url, data={**form, "cutoff": "2026-11-23T15:00", "_csrf_token": token})
    assert past.status_code == 422
    assert "Batas pesan harus tanggal dan jam yang akan datang." in past.text
    assert 'value="Telur darurat"' in past.text  # what was typed is kept
    none = await client.post(
        url, data={"name": "X", "cutoff": "2026-11-24T15:00", "_csrf_token": token}
    )
    assert none.status_code == 422 and "Pilih paling sedikit satu kategori." in none.text
    made = await client.post(url, data={**form, "delivery": "2026-11-25", "_csrf_token": token})
    assert made.status_code == 303, made.text[:500]
    cycle_id = int(made.headers["location"].rsplit("/", 1)[1])
    cycle = (
        await client.get(
            f"/v1/satkers/{tenant.satker_id}/cycles/{cycle_id}", headers=tenant.coordinator
        )
    ).json()
    assert cycle["template_id"] is None and cycle["status"] == "open"
    assert cycle["cutoff_at"].startswith("2026-11-24T08:00:00")  # 15:00 WIB
    assert cycle["delivery_date"] == "2026-11-25" and cycle["categories"] == ["protein"]
    page = await client.get(made.headers["location"])
    assert "Telur darurat" in page.text and "Tutup siklus ini sekarang" in page.text


async def test_a_repriced_line_shows_who_changed_it_and_the_suggestion_it_replaced(
    engine,
    setup,  # noqa: F811
):
    client, tenant, cycle_id, products, _ = setup
    api = f"/v1/satkers/{tenant.satker_id}"
    bb = (await client.post(f"{api}/cycles/{cycle_id}/bulk-buy", headers=tenant.coordinator)).json()
    suggested = next(ln for ln in bb["lines"] if ln["sku"] == "CBI-MRH")["suggested_retail_idr"]
    token = await signed_in(engine, client, tenant.satker_id, name="Bu Rahma")
    url = f"/console/satkers/{tenant.satker_id}/bulk-buys/{bb['id']}"
    version = version_of((await client.get(url)).text)
    changed = await client.post(
        f"{url}/lines/{products['cabai']}/override",
        data={
            "retail_price": "58.000",
            "reason": "ikut harga pedagang keliling",
            "version": version,
            "_csrf_token": token,
        },
        headers=HX,
    )
    assert changed.status_code == 200, changed.text
    for html in (changed.text, (await client.get(url)).text):
        row = html.split(f'id="l{products["cabai"]}"')[1].split("</tbody>")[0]
        assert "Rp 58.000" in row and f"saran Rp {suggested:,}".replace(",", ".") in row
        assert "Harga jual diubah menjadi Rp 58.000 oleh Bu Rahma" in row
        assert "Selasa, 24 November 2026" in row and "ikut harga pedagang keliling" in row
    line = next(
        ln
        for ln in (
            await client.get(f"{api}/bulk-buys/{bb['id']}", headers=tenant.coordinator)
        ).json()["lines"]
        if ln["sku"] == "CBI-MRH"
    )
    record = line["retail_override"]
    assert record["user_id"] is not None and record["key_id"] == 0
    assert (record["suggested_retail_idr"], record["retail_price_idr"]) == (suggested, 58_000)
    assert record["reason"] == "ikut harga pedagang keliling"
