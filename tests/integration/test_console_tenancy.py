"""Every console page and action of a satker, taken from the application's own route table
(so a new page is covered the day it is added), asked for by another satker's coordinator:
each answers 404, never the page, never a change. The same addresses answer the satker's own
coordinator (a page, a redirect, or 403 for the operator's pages), so the ids in them are real
and the 404s are tenancy, not typos."""

from __future__ import annotations

from sqlalchemy import text

from tests.integration.test_bulk_buys import setup  # noqa: F401  (the fixture)
from tests.integration.test_console_reports import settled_satker
from tests.support import new_satker
from tests.support_console import console_addresses, csrf_token, new_user, sign_in

OWNER, STRANGER = "0812-6666-0001", "0812-6666-0002"
# the buying list belongs to wholesale-market orders only: the test's supplier is not one,
# so it is not found for its own coordinator either (its tenancy is checked all the same)
NOT_FOR_THIS_SUPPLIER = {"/orders/{po_id:int}/buying-list"}


async def ids_of(engine, satker_id: int, bb_id: int) -> dict[str, int]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    """
                    SELECT b.cycle_id, p.id AS po_id, p.supplier_id,
                      (SELECT min(line_no) FROM purchase_order_line l
                        WHERE l.satker_id = p.satker_id AND l.purchase_order_id = p.id) AS line_no,
                      (SELECT min(product_id) FROM bulk_buy_line l
                        WHERE l.satker_id = b.satker_id AND l.bulk_buy_id = b.id) AS product_id,
                      (SELECT min(id) FROM invoice i
                        WHERE i.satker_id = b.satker_id AND i.bulk_buy_id = b.id) AS invoice_id,
                      (SELECT min(id) FROM warung w WHERE w.satker_id = b.satker_id) AS warung_id
                    FROM bulk_buy b JOIN purchase_order p
                      ON p.satker_id = b.satker_id AND p.bulk_buy_id = b.id
                    WHERE b.satker_id = :s AND b.id = :b
                    """
                ),
                {"s": satker_id, "b": bb_id},
            )
        ).one()
        # API keys stay on the coordinator under Citus: read apart from the tenant tables
        key_id = await conn.scalar(
            text("SELECT min(id) FROM api_key WHERE satker_id = :s"), {"s": satker_id}
        )
    return {"satker_id": satker_id, "bb_id": bb_id, **row._asdict(), "key_id": key_id}


async def test_another_satkers_coordinator_gets_404_on_every_page_and_action(
    engine,
    setup,  # noqa: F811
):
    client, tenant, cycle_id, _, _ = setup
    bb_id = await settled_satker(engine, client, tenant, cycle_id)
    ids = await ids_of(engine, tenant.satker_id, bb_id)
    assert None not in ids.values(), ids
    app = client._transport.app
    pages = console_addresses(app, ids, "GET")
    actions = console_addresses(app, ids, "POST")
    assert len(pages) >= 25 and len(actions) >= 20  # the route table, not a hand-kept list

    await new_user(engine, tenant.satker_id, OWNER, name="Ibu Rahma")
    assert (await sign_in(client, OWNER)).status_code == 303
    for tail, address in pages:
        answer = await client.get(address)  # a page, a redirect, or an admin's page (403)
        found = answer.status_code in (200, 302, 303, 403)
        assert found != (tail in NOT_FOR_THIS_SUPPLIER), (address, answer.status_code)

    other = await new_satker(engine, name="Satker Seberang Ulu")
    await new_user(engine, other, STRANGER, name="Pak Darto")
    client.cookies.clear()
    assert (await sign_in(client, STRANGER)).status_code == 303
    token = await csrf_token(client, "/console/")
    for _, address in pages:
        answer = await client.get(address)
        assert answer.status_code == 404, address
        assert "Halaman tidak ditemukan" in answer.text, address
    before = await snapshot(engine, tenant.satker_id)
    form = {"_csrf_token": token, "version": "1", "reason": "bukan milik saya", "name": "X"}
    for _, address in actions:
        answer = await client.post(address, data=form, headers={"Idempotency-Key": address})
        assert answer.status_code == 404, (address, answer.status_code)
    assert await snapshot(engine, tenant.satker_id) == before  # nothing changed


async def snapshot(engine, satker_id: int) -> tuple:
    """What an action on the satker could change, in a few numbers."""
    async with engine.connect() as conn:
        return tuple(
            (
                await conn.execute(
                    text(
                        """
                        SELECT (SELECT sum(version) FROM bulk_buy WHERE satker_id = :s),
                          (SELECT sum(version) FROM purchase_order WHERE satker_id = :s),
                          (SELECT sum(version) FROM order_cycle WHERE satker_id = :s),
                          (SELECT sum(version) FROM warung WHERE satker_id = :s),
                          (SELECT count(*) FROM warung WHERE satker_id = :s),
                          (SELECT count(*) FILTER (WHERE status = 'paid') FROM invoice
                            WHERE satker_id = :s),
                          (SELECT count(*) FROM warung_sign_in_link WHERE satker_id = :s),
                          (SELECT count(*) FILTER (WHERE revoked_at IS NOT NULL) FROM api_key),
                          (SELECT count(*) FROM market_price),
                          (SELECT sum(version) FROM product),
                          (SELECT sum(version) FROM supplier)
                        """
                    ),
                    {"s": satker_id},
                )
            ).one()
        )
