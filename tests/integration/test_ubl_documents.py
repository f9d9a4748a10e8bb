"""UBL documents from supplier systems over HTTP: signed or keyed, validated against the
OASIS schema before anything is applied, once per document ID; hostile XML refused with the
server unaffected; kulakan's purchase order as a UBL Order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from adapters.ubl import supplier_side, xml
from contracts.api.registry import ApiKeyCreate, KeyRole
from services.api.app import create_app
from services.app.api_keys import create_api_key
from services.db.tx import Tx
from tests.support import bearer, new_key, new_satker
from tests.support_ubl import (
    BILLION_LAUGHS,
    deep,
    huge,
    products,
    received,
    signed,
    ubl_order,
    ubl_suppliers,
    xxe,
)

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
async def ubl(engine, make_container):
    container = make_container()
    satker = await new_satker(engine)
    first, second = await ubl_suppliers(engine, container.adapters)
    made = await ubl_order(engine, satker, first.id, await products(engine), NOW)
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        yield api, satker, first, second, made


async def order_state(engine, po_id):
    async with Tx(engine) as tx:
        raw = await tx.raw()
        po = await raw.fetchrow("SELECT status, version FROM purchase_order WHERE id = $1", po_id)
        lines = await raw.fetch(
            "SELECT line_no, status, confirmed_price_per_pack_idr, proposed_price_per_pack_idr"
            " FROM purchase_order_line WHERE purchase_order_id = $1 ORDER BY line_no",
            po_id,
        )
        documents = await raw.fetchval("SELECT count(*) FROM supplier_document")
    return dict(po), [dict(ln) for ln in lines], documents


def documents_url(supplier) -> str:
    return f"/v1/suppliers/{supplier.id}/documents"


async def test_a_changed_price_is_held_once_and_a_reused_id_is_a_conflict(engine, ubl):
    api, _, supplier, _, (po_id, number) = ubl
    order = received(number)
    body = supplier_side.order_response_xml(
        order, sales_order_id="SO-9", at=NOW, prices={2: 48_000}
    )
    first = await api.post(
        documents_url(supplier), content=body, headers=signed(supplier.webhook_secret, body)
    )
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["kind"] == "OrderResponse" and answer["duplicate"] is False
    assert answer["status"] == "changed"
    assert any("needs_approval" in d for d in answer["events"][0]["decisions"])
    po, lines, _ = await order_state(engine, po_id)
    assert [ln["status"] for ln in lines] == ["accepted", "pending_approval"]
    assert lines[1]["proposed_price_per_pack_idr"] == 48_000

    again = await api.post(
        documents_url(supplier), content=body, headers=signed(supplier.webhook_secret, body)
    )
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert (await order_state(engine, po_id))[:2] == (po, lines)

    other = supplier_side.order_response_xml(
        order, sales_order_id="SO-9", at=NOW, prices={2: 50_000}
    )
    reused = await api.post(
        documents_url(supplier), content=other, headers=signed(supplier.webhook_secret, other)
    )
    assert reused.status_code == 409
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert (await order_state(engine, po_id))[:2] == (po, lines)


async def test_callers_are_the_supplier_by_signature_or_its_own_key(engine, ubl):
    api, _, supplier, second, (po_id, number) = ubl
    body = supplier_side.order_response_xml(received(number), sales_order_id="SO-1", at=NOW)
    xml_only = {"content-type": "application/xml"}
    assert (
        await api.post(documents_url(supplier), content=body, headers=xml_only)
    ).status_code == 401
    forged = signed("not-the-secret", body)
    assert (
        await api.post(documents_url(supplier), content=body, headers=forged)
    ).status_code == 401
    warung = bearer(await new_key(engine, "coordinator", satker_id=ubl[1]))
    assert (
        await api.post(documents_url(supplier), content=body, headers={**xml_only, **warung})
    ).status_code == 403
    async with Tx(engine) as tx:
        keys = [
            (await create_api_key(tx, ApiKeyCreate(role=KeyRole.SUPPLIER, supplier_id=s.id))).key
            for s in (supplier, second)
        ]
    wrong = await api.post(
        documents_url(supplier), content=body, headers={**xml_only, **bearer(keys[1])}
    )
    assert wrong.status_code == 404
    assert (await order_state(engine, po_id))[2] == 0
    keyed = await api.post(
        documents_url(supplier), content=body, headers={**xml_only, **bearer(keys[0])}
    )
    assert keyed.status_code == 200 and keyed.json()["status"] == "confirmed"


async def test_a_document_about_another_suppliers_order_is_not_found(engine, ubl):
    api, _, _, second, (po_id, number) = ubl
    body = supplier_side.order_response_xml(received(number), sales_order_id="SO-1", at=NOW)
    answer = await api.post(
        documents_url(second), content=body, headers=signed(second.webhook_secret, body)
    )
    assert answer.status_code == 404
    assert (await order_state(engine, po_id))[0]["status"] == "draft"


async def test_despatch_and_invoice_documents_deliver_and_bill_the_order(engine, ubl):
    api, _, supplier, _, (po_id, number) = ubl
    order = received(number)
    despatch = supplier_side.despatch_advice_xml(
        order, sales_order_id="SO-1", at=NOW, packs={1: Decimal("10.5"), 2: Decimal(2)}
    )
    answer = await api.post(
        documents_url(supplier), content=despatch, headers=signed(supplier.webhook_secret, despatch)
    )
    assert answer.status_code == 200, answer.text
    assert [e["status"] for e in answer.json()["events"]] == ["despatched", "delivered"]
    async with Tx(engine) as tx:
        delivered = await (await tx.raw()).fetch(
            "SELECT delivered_quantity FROM purchase_order_line WHERE purchase_order_id = $1"
            " ORDER BY line_no",
            po_id,
        )
    assert [r["delivered_quantity"] for r in delivered] == [Decimal("10.5"), Decimal(20)]
    invoice = supplier_side.supplier_invoice_xml(
        order,
        sales_order_id="SO-1",
        at=NOW,
        amounts={1: 220_500, 2: 84_000},
        quantities={1: Decimal("10.5"), 2: Decimal(2)},
        delivery_fee_idr=30_000,
    )
    billed = await api.post(
        documents_url(supplier), content=invoice, headers=signed(supplier.webhook_secret, invoice)
    )
    assert billed.status_code == 200 and billed.json()["status"] == "invoiced"
    async with Tx(engine) as tx:
        total = await (await tx.raw()).fetchval(
            "SELECT invoiced_total_idr FROM purchase_order WHERE id = $1", po_id
        )
    assert total == 220_500 + 84_000 + 30_000


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("billion laughs", BILLION_LAUGHS, 400),
        ("external entity", xxe("/etc/passwd"), 400),
        ("20 MB", huge(), 413),
        ("5000 levels deep", deep(), 400),
        ("malformed", b"<OrderResponse><cbc:ID>1</OrderResponse>", 400),
        ("not UBL", b"<order><id>1</id></order>", 400),
    ],
)
async def test_hostile_and_malformed_documents_are_refused_and_change_nothing(
    engine, ubl, name, body, status
):
    api, _, supplier, _, (po_id, number) = ubl
    before = await order_state(engine, po_id)
    answer = await api.post(
        documents_url(supplier), content=body, headers=signed(supplier.webhook_secret, body)
    )
    assert answer.status_code == status, (name, answer.text)
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "root:" not in answer.text  # no line of /etc/passwd comes back
    assert await order_state(engine, po_id) == before
    good = supplier_side.order_response_xml(received(number), sales_order_id="SO-1", at=NOW)
    after = await api.post(
        documents_url(supplier), content=good, headers=signed(supplier.webhook_secret, good)
    )
    assert after.status_code == 200  # the server is unaffected


async def test_schema_invalid_documents_name_the_offending_element_by_xpath(engine, ubl):
    api, _, supplier, _, (po_id, number) = ubl
    good = supplier_side.order_response_xml(received(number), sales_order_id="SO-1", at=NOW)
    bad = good.replace(
        b'<cbc:Quantity unitCode="XPK">12</cbc:Quantity>',
        b'<cbc:Quantity unitCode="XPK">twelve</cbc:Quantity>',
    )
    assert bad != good
    answer = await api.post(
        documents_url(supplier), content=bad, headers=signed(supplier.webhook_secret, bad)
    )
    assert answer.status_code == 400
    pointers = [e["pointer"] for e in answer.json()["errors"]]
    assert pointers == ["/*/cac:OrderLine[1]/cac:LineItem/cbc:Quantity"]
    assert (await order_state(engine, po_id))[2] == 0
    wrong_type = await api.post(
        documents_url(supplier),
        content=good,
        headers={**signed(supplier.webhook_secret, good), "content-type": "application/json"},
    )
    assert wrong_type.status_code == 415


async def test_the_coordinator_reads_a_purchase_order_as_a_valid_ubl_order(engine, ubl):
    api, satker, supplier, _, (po_id, number) = ubl
    coordinator = bearer(await new_key(engine, "coordinator", satker_id=satker))
    url = f"/v1/satkers/{satker}/purchase-orders/{po_id}"
    as_xml = await api.get(url, headers={**coordinator, "Accept": "application/xml"})
    assert as_xml.status_code == 200
    assert as_xml.headers["content-type"].startswith("application/xml")
    root = xml.parse(as_xml.content)
    assert xml.schema_errors(root) == []
    order = supplier_side.received_order(root)
    assert (order.po_number, order.seller_name, order.delivery_fee_idr) == (
        number,
        supplier.name,
        30_000,
    )
    assert [(ln.item_id, ln.packs, ln.price_per_pack_idr) for ln in order.lines] == [
        ("SP-PATIN-1KG", 12, 21_000),
        ("SP-TEMPE-10", 3, 42_000),
    ]
    as_json = await api.get(url, headers=coordinator)
    assert as_json.json()["po_number"] == number
    assert as_xml.headers["etag"] == as_json.headers["etag"]
