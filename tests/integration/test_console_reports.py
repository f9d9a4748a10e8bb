"""Laporan through HTTP: savings per cycle and per warung and the supplier scorecard, each with
a server-drawn SVG chart and the JSON API's CSV; another satker's coordinator gets 404."""

from __future__ import annotations

from tests.integration.test_bulk_buys import setup  # noqa: F401  (the fixture)
from tests.integration.test_fulfilment import deliver, ordered_bulk_buy
from tests.support import new_satker
from tests.support_console import new_user, sign_in

PHONE = "0812-4444-0001"


async def settled_satker(engine, client, tenant, cycle_id) -> int:
    bb_id = await ordered_bulk_buy(client, tenant, cycle_id)
    await deliver(engine, cabai_kg="7.2")
    base = f"/v1/satkers/{tenant.satker_id}"
    settled = await client.post(f"{base}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator)
    assert settled.status_code == 200, settled.text
    return bb_id


async def test_the_report_page_shows_savings_and_the_scorecard_with_charts(
    engine,
    setup,  # noqa: F811
):
    client, tenant, cycle_id, _, _ = setup
    await settled_satker(engine, client, tenant, cycle_id)
    sid = tenant.satker_id
    api = await client.get(f"/v1/satkers/{sid}/reports/savings", headers=tenant.coordinator)
    total = api.json()["total"]
    await new_user(engine, sid, PHONE)
    assert (await sign_in(client, PHONE)).status_code == 303

    page = await client.get(f"/console/satkers/{sid}/reports")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<h1>Laporan" in html and "Kartu nilai pemasok" in html
    assert html.count('<svg class="chart"') == 3 and 'role="img"' in html
    assert "<script" not in html.split("<main", 1)[1]  # the charts need no script
    assert "Penghematan per siklus" in html and "Penghematan per warung" in html
    assert "Grosir A" in html and "96,5%" in html  # 7.2 of 7.5 kg cabai, telur in full
    rp = f"Rp {total['savings_idr']:,}".replace(",", ".")
    assert rp in html
    assert f'href="/console/satkers/{sid}/reports/savings.csv"' in html

    # the CSVs are the JSON API's, byte for byte
    for name, api_path in (
        ("savings.csv", "reports/savings?format=csv"),
        ("suppliers.csv", "reports/suppliers?format=csv"),
    ):
        mine = await client.get(f"/console/satkers/{sid}/reports/{name}")
        theirs = await client.get(f"/v1/satkers/{sid}/{api_path}", headers=tenant.coordinator)
        assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/csv")
        assert "attachment" in mine.headers["content-disposition"]
        assert mine.text == theirs.text and mine.text.count("\n") >= 2

    # one cycle chosen: the same figures, the filter kept in the CSV link
    one = await client.get(f"/console/satkers/{sid}/reports?cycle={cycle_id}")
    assert f"savings.csv?cycle={cycle_id}" in one.text and rp in one.text


async def test_another_satkers_coordinator_gets_404(engine, setup):  # noqa: F811
    client, tenant, *_ = setup
    other = await new_satker(engine)
    await new_user(engine, other, PHONE)
    assert (await sign_in(client, PHONE)).status_code == 303
    for path in ("", "/savings.csv", "/suppliers.csv"):
        got = await client.get(f"/console/satkers/{tenant.satker_id}/reports{path}")
        assert got.status_code == 404, path
        assert "Halaman tidak ditemukan" in got.text
    own = await client.get(f"/console/satkers/{other}/reports")
    assert own.status_code == 200 and "Belum ada tagihan" in own.text
