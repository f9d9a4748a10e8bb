"""The UBL adapter: quotes from the agreed price list, a signed and idempotent Order (the
simulator run in-process takes it once), cancellation, documents read only when signed by
the supplier's secret, and config errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from adapters.signing import signed_headers, verify
from adapters.ubl import UblAdapterFactory, supplier_side, xml
from adapters.ubl.adapter import UblAdapter, parse_config
from adapters.ubl.simulator import SimulatorConfig, create_simulator_app
from contracts.adapter import (
    AdapterContext,
    Capability,
    InboundRequest,
    OrderLine,
    PurchaseOrderRequest,
    QuoteItem,
    QuoteRequest,
)
from contracts.documents import BusinessDocuments, DocumentWriter
from contracts.errors import InvalidInput, SupplierError, Unauthorized
from tests.support_ubl import PRICE_LIST

NOW = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
SECRET = "rahasia-pemasok"
ORDER = PurchaseOrderRequest(
    po_number="PO-1-20261202-7",
    supplier_id=4,
    lines=(
        OrderLine(
            line_no=1,
            sku="PATIN",
            pack_name="kg",
            units_per_pack=Decimal(1),
            packs=12,
            price_per_pack_idr=21_000,
            product_name="Ikan patin",
            retail_unit="kg",
        ),
    ),
    buyer_id=1,
    buyer_name="Satker Kalidoni",
)


def adapter(transport: httpx.AsyncBaseTransport, clock=lambda: NOW, **config) -> UblAdapter:
    return UblAdapterFactory.create(
        {"base_url": "http://erp.test", "price_list": PRICE_LIST, "max_attempts": 3, **config},
        AdapterContext(
            supplier_id=4,
            supplier_name="CV Sumber Pangan",
            webhook_secret=SECRET,
            http_client=httpx.AsyncClient(transport=transport),
            clock=clock,
        ),
    )


async def test_quotes_come_from_the_agreed_price_list():
    quote = await adapter(httpx.MockTransport(lambda r: httpx.Response(500))).quote(
        QuoteRequest(
            reference="BB-1-3",
            region="Kota Palembang",
            items=(
                QuoteItem(sku="PATIN", quantity=Decimal(20), retail_unit="kg"),
                QuoteItem(sku="GULA", quantity=Decimal(50), retail_unit="kg"),
            ),
        )
    )
    assert [(o.sku, o.supplier_sku, o.tiers[0].price_per_pack_idr) for o in quote.offers] == [
        ("PATIN", "SP-PATIN-1KG", 21_000)
    ]
    assert quote.unavailable_skus == ("GULA",)


async def test_the_order_is_signed_idempotent_and_placed_once_through_retries():
    app = create_simulator_app(SimulatorConfig(webhook_secret=SECRET, auto=False))
    app_transport = httpx.ASGITransport(app=app)
    seen: list[httpx.Request] = []
    failures = iter([503, 503])

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = next(failures, None)
        if status is not None:
            return httpx.Response(status)
        async with httpx.AsyncClient(transport=app_transport, base_url="http://erp.test") as c:
            answer = await c.send(request)
            await answer.aread()
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )

    ubl = adapter(httpx.MockTransport(handler), clock=lambda: datetime.now(UTC))
    ubl.caller._sleep = lambda _s: _no_wait()
    ack = await ubl.place_order(ORDER)
    again = await ubl.place_order(ORDER)
    assert (ack.supplier_ref, ack.duplicate, again.duplicate) == ("SO-PO-1-20261202-7", False, True)
    request = seen[-1]
    assert request.url.path == "/ubl/orders"
    assert request.headers["idempotency-key"] == ORDER.po_number
    assert request.headers["content-type"] == "application/xml"
    verify(SECRET, dict(request.headers), request.content, datetime.now(UTC))
    root = xml.parse(request.content)
    assert xml.schema_errors(root) == []
    received = supplier_side.received_order(root)
    assert received.seller_name == "CV Sumber Pangan"
    assert received.lines[0].item_id == "SP-PATIN-1KG"  # the supplier's own item id
    counters = (
        await httpx.AsyncClient(transport=app_transport, base_url="http://s").get(
            "/_admin/counters"
        )
    ).json()
    assert counters["orders"] == {ORDER.po_number: 1}


async def _no_wait() -> None:
    return None


async def test_a_refused_order_is_final_and_the_cancellation_is_a_valid_document():
    posted: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(request)
        return httpx.Response(422 if request.url.path == "/ubl/orders" else 200)

    ubl = adapter(httpx.MockTransport(handler))
    with pytest.raises(SupplierError) as refused:
        await ubl.place_order(ORDER)
    assert refused.value.retryable is False
    await ubl.cancel_order(ORDER.po_number, "SO-1")
    cancellation = posted[-1]
    assert cancellation.url.path == "/ubl/order-cancellations"
    root = xml.parse(cancellation.content)
    assert xml.validated(root) == "OrderCancellation"


def test_documents_are_read_only_when_signed_with_the_suppliers_secret():
    ubl = adapter(httpx.MockTransport(lambda r: httpx.Response(200)))
    order = supplier_side.received_order(xml.parse(ubl_order_bytes()))
    body = supplier_side.order_response_xml(order, sales_order_id="SO-1", at=NOW)
    good = InboundRequest(headers=signed_headers(SECRET, body, NOW), body=body, received_at=NOW)
    assert ubl.read_document(good, signed=True).kind == "OrderResponse"
    forged = InboundRequest(headers=signed_headers("x", body, NOW), body=body, received_at=NOW)
    with pytest.raises(Unauthorized):
        ubl.read_document(forged, signed=True)
    keyed = InboundRequest(headers={}, body=body, received_at=NOW)
    assert ubl.read_document(keyed, signed=False).po_number == ORDER.po_number


def ubl_order_bytes() -> bytes:
    from adapters.ubl.writing import order_xml

    return order_xml(ORDER, NOW)


def test_the_factory_declares_documents_and_writes_kulakans_own():
    assert Capability.DOCUMENTS in UblAdapterFactory.capabilities
    assert isinstance(UblAdapterFactory, DocumentWriter)
    ubl = adapter(httpx.MockTransport(lambda r: httpx.Response(200)))
    assert isinstance(ubl, BusinessDocuments)


@pytest.mark.parametrize(
    ("config", "pointer"),
    [
        ({"base_url": "ftp://erp"}, "/adapter_config/base_url"),
        ({"base_url": "http://erp", "colour": "red"}, "/adapter_config/colour"),
        (
            {"base_url": "http://erp", "price_list": [{**PRICE_LIST[0], "units_per_pack": "0"}]},
            "/adapter_config/price_list/0/units_per_pack",
        ),
        (
            {"base_url": "http://erp", "price_list": [{**PRICE_LIST[0], "price_per_pack_idr": 0}]},
            "/adapter_config/price_list/0/price_per_pack_idr",
        ),
    ],
)
def test_config_errors_name_the_field(config, pointer):
    with pytest.raises(InvalidInput) as caught:
        parse_config(config)
    assert [e.pointer for e in caught.value.errors] == [pointer]
