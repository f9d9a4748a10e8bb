"""UBL 2.1 documents as pure code: every document kulakan (or the simulated supplier) writes
is valid against the OASIS schema; supplier documents map to the events a JSON webhook
carries; what kulakan cannot use is refused naming the element's XPath; hostile XML is
refused before anything reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.ubl import read_document, supplier_side, writing, xml
from contracts.adapter import OrderLine, PurchaseOrderRequest
from contracts.documents import InvoiceDocument, InvoiceDocumentLine, Party
from contracts.errors import InvalidInput
from contracts.events import (
    LineOutcome,
    OrderConfirmed,
    OrderDelivered,
    OrderDespatched,
    OrderInvoiced,
    OrderRejected,
)
from tests.support_ubl import BILLION_LAUGHS, deep, huge, xxe

NOW = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)
LINES = (
    OrderLine(
        line_no=1,
        sku="PATIN",
        pack_name="kg",
        units_per_pack=Decimal("1.000"),
        packs=12,
        price_per_pack_idr=21_000,
        product_name="Ikan patin",
        retail_unit="kg",
        supplier_sku="SP-PATIN-1KG",
    ),
    OrderLine(
        line_no=2,
        sku="TEMPE",
        pack_name="kotak 10 papan",
        units_per_pack=Decimal(10),
        packs=3,
        price_per_pack_idr=42_000,
        product_name="Tempe papan",
        retail_unit="pcs",
    ),
    OrderLine(
        line_no=3,
        sku="MINYAKITA",
        pack_name="karton 12 L",
        units_per_pack=Decimal(12),
        packs=5,
        price_per_pack_idr=178_000,
        product_name="MinyaKita 1 L",
        retail_unit="liter",
    ),
)
FULL = PurchaseOrderRequest(
    po_number="PO-1-20261202-7",
    supplier_id=4,
    lines=LINES,
    delivery_fee_idr=30_000,
    delivery_date=date(2026, 12, 3),
    delivery_window="06:00–09:00 WIB",
    delivery_address="Kantor Camat Kalidoni, Jl. Mayor Zen",
    contact_name="Bu Rina",
    contact_phone="0711555123",
    notes="Antar lewat gerbang samping",
    quote_ref="UBL-PL-BB-3",
    buyer_id=1,
    buyer_name="Satker Kalidoni",
    seller_name="CV Sumber Pangan",
)
BARE = PurchaseOrderRequest(po_number="PO-2-20261202-9", supplier_id=5, lines=LINES[:1])
INVOICE = InvoiceDocument(
    number="KLK-1-000042",
    issued_on=date(2026, 12, 4),
    due_on=date(2026, 12, 18),
    seller=Party(
        id="satker-1", name="Satker Kalidoni", city="Kota Palembang", region="Sumatera Selatan"
    ),
    buyer=Party(
        id="warung-3",
        name="Warung Bu Ani",
        address="Jl. Residen Abdul Rozak 1",
        phone="081234567890",
    ),
    order_reference="BB-1-5",
    lines=(
        InvoiceDocumentLine(
            line_no=1,
            sku="PATIN",
            name="Ikan patin",
            retail_unit="kg",
            quantity=Decimal("3.5"),
            goods_idr=73_500,
            fee_idr=2_143,
        ),
        InvoiceDocumentLine(
            line_no=2,
            sku="TEMPE",
            name="Tempe papan",
            retail_unit="pcs",
            quantity=Decimal(10),
            goods_idr=42_000,
            fee_idr=0,
        ),
    ),
    goods_idr=115_500,
    fees_idr=2_143,
    total_idr=117_643,
)


def order_as_received() -> supplier_side.ReceivedOrder:
    return supplier_side.received_order(xml.parse(writing.order_xml(FULL, NOW)))


KULAKAN_DOCUMENTS = {
    "Order with delivery window, fee and notes": lambda: writing.order_xml(FULL, NOW),
    "Order with nothing optional": lambda: writing.order_xml(BARE, NOW),
    "OrderCancellation": lambda: writing.order_cancellation_xml(FULL, NOW, "salah pesan"),
    "OrderCancellation without a reason": lambda: writing.order_cancellation_xml(BARE, NOW),
    "warung Invoice": lambda: writing.invoice_xml(INVOICE, NOW),
    "warung Invoice without due date": lambda: writing.invoice_xml(
        InvoiceDocument(
            **{**{f: getattr(INVOICE, f) for f in INVOICE.__struct_fields__}, "due_on": None}
        ),
        NOW,
    ),
}
SUPPLIER_DOCUMENTS = {
    "OrderResponse accepting": lambda o: supplier_side.order_response_xml(
        o, sales_order_id="SO-1", at=NOW
    ),
    "OrderResponse changing and refusing lines": lambda o: supplier_side.order_response_xml(
        o, sales_order_id="SO-1", at=NOW, prices={1: 23_000}, packs={2: 2}, rejected=frozenset({3})
    ),
    "OrderResponse refusing the order": lambda o: supplier_side.order_response_xml(
        o, sales_order_id="SO-1", at=NOW, reject_all=True
    ),
    "DespatchAdvice": lambda o: supplier_side.despatch_advice_xml(
        o, sales_order_id="SO-1", at=NOW, packs={1: Decimal("11.5"), 2: Decimal(3)}
    ),
    "supplier Invoice": lambda o: supplier_side.supplier_invoice_xml(
        o,
        sales_order_id="SO-1",
        at=NOW,
        amounts={1: 241_500, 2: 126_000},
        quantities={1: Decimal("11.5"), 2: Decimal(3)},
        delivery_fee_idr=30_000,
    ),
}


@pytest.mark.parametrize("name", KULAKAN_DOCUMENTS)
def test_every_document_kulakan_writes_is_valid_ubl(name):
    body = KULAKAN_DOCUMENTS[name]()
    assert xml.schema_errors(xml.parse(body)) == []


@pytest.mark.parametrize("name", SUPPLIER_DOCUMENTS)
def test_every_document_the_simulated_supplier_writes_is_valid_ubl(name):
    body = SUPPLIER_DOCUMENTS[name](order_as_received())
    assert xml.schema_errors(xml.parse(body)) == []


def test_the_order_carries_number_parties_window_lines_and_integer_rupiah():
    root = xml.parse(writing.order_xml(FULL, NOW))
    ns = {"cbc": xml.CBC, "cac": xml.CAC}
    assert root.findtext("cbc:ID", namespaces=ns) == FULL.po_number
    period = root.find("cac:Delivery/cac:RequestedDeliveryPeriod", ns)
    assert [
        period.findtext(f"cbc:{n}", namespaces=ns) for n in ("StartDate", "StartTime", "EndTime")
    ] == ["2026-12-03", "06:00:00", "09:00:00"]
    amounts = [e.text for e in root.iter(xml.cbc("LineExtensionAmount"), xml.cbc("PayableAmount"))]
    assert all(a.isdigit() for a in amounts)
    assert root.findtext("cac:AnticipatedMonetaryTotal/cbc:PayableAmount", namespaces=ns) == str(
        12 * 21_000 + 3 * 42_000 + 5 * 178_000 + 30_000
    )
    received = order_as_received()
    assert (received.buyer_name, received.seller_name, received.delivery_fee_idr) == (
        "Satker Kalidoni",
        "CV Sumber Pangan",
        30_000,
    )
    assert [
        (ln.item_id, ln.packs, ln.price_per_pack_idr, ln.pack_size) for ln in received.lines
    ] == [
        ("SP-PATIN-1KG", 12, 21_000, Decimal(1)),
        ("TEMPE", 3, 42_000, Decimal(10)),
        ("MINYAKITA", 5, 178_000, Decimal(12)),
    ]
    assert writing.order_xml(FULL, NOW) == writing.order_xml(FULL, NOW)  # a resend is the same


def test_the_warung_invoice_sums_to_its_total_to_the_rupiah():
    root = xml.parse(writing.invoice_xml(INVOICE, NOW))
    lines = [int(e.text) for e in root.iter(xml.cbc("LineExtensionAmount"))]
    # the document total first, then each line's goods plus its share of the fees
    assert lines == [117_643, 73_500 + 2_143, 42_000]
    assert sum(lines[1:]) == lines[0] == INVOICE.total_idr


def test_supplier_documents_become_the_events_of_a_webhook():
    order = order_as_received()
    changed = read_document(SUPPLIER_DOCUMENTS["OrderResponse changing and refusing lines"](order))
    [confirmed] = changed.events
    assert isinstance(confirmed, OrderConfirmed) and confirmed.supplier_ref == "SO-1"
    assert [(c.line_no, c.outcome, c.packs, c.price_per_pack_idr) for c in confirmed.lines] == [
        (1, LineOutcome.CHANGED, 12, 23_000),
        (2, LineOutcome.CHANGED, 2, 42_000),
        (3, LineOutcome.REJECTED, None, None),
    ]
    assert (changed.kind, changed.po_number, changed.document_id) == (
        "OrderResponse",
        FULL.po_number,
        f"OR-{FULL.po_number}-1",
    )
    [rejected] = read_document(SUPPLIER_DOCUMENTS["OrderResponse refusing the order"](order)).events
    assert isinstance(rejected, OrderRejected)
    despatched, delivered = read_document(SUPPLIER_DOCUMENTS["DespatchAdvice"](order)).events
    assert isinstance(despatched, OrderDespatched) and isinstance(delivered, OrderDelivered)
    # packs times Item/PackSizeNumeric: retail units, fractional for weighed goods
    assert [(d.line_no, d.quantity) for d in delivered.lines] == [
        (1, Decimal("11.5")),
        (2, Decimal(30)),
        (3, Decimal(0)),
    ]
    [invoiced] = read_document(SUPPLIER_DOCUMENTS["supplier Invoice"](order)).events
    assert isinstance(invoiced, OrderInvoiced)
    assert invoiced.total_idr == 241_500 + 126_000 + 30_000
    assert invoiced.due_at == datetime(2026, 12, 16, tzinfo=UTC)


def refused(body: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read_document(body)
    return caught.value


def test_what_kulakan_cannot_use_is_refused_with_the_elements_xpath():
    order = order_as_received()
    good = SUPPLIER_DOCUMENTS["supplier Invoice"](order)
    dollars = good.replace(
        b'<cbc:PayableAmount currencyID="IDR">', b'<cbc:PayableAmount currencyID="USD">'
    )
    assert [e.pointer for e in refused(dollars).errors] == [
        "/*/cac:LegalMonetaryTotal/cbc:PayableAmount"
    ]
    cents = good.replace(
        b'currencyID="IDR">397500</cbc:PayableAmount>',
        b'currencyID="IDR">397500.50</cbc:PayableAmount>',
    )
    assert cents != good
    assert [e.pointer for e in refused(cents).errors] == [
        "/*/cac:LegalMonetaryTotal/cbc:PayableAmount"
    ]
    response = SUPPLIER_DOCUMENTS["OrderResponse accepting"](order)
    odd = response.replace(
        b"<cbc:LineStatusCode>5</cbc:LineStatusCode>",
        b"<cbc:LineStatusCode>42</cbc:LineStatusCode>",
        1,
    )
    assert [e.pointer for e in refused(odd).errors] == [
        "/*/cac:OrderLine[1]/cac:LineItem/cbc:LineStatusCode"
    ]
    not_inbound = refused(writing.order_xml(FULL, NOW))
    assert not_inbound.errors[0].pointer == "/*" and "OrderResponse" in not_inbound.errors[0].detail
    invalid = response.replace(b"<cbc:IssueDate>", b"<cbc:IssueDate>not a date").replace(
        b"<cbc:IssueDate>not a date2026", b"<cbc:IssueDate>not a date"
    )
    assert "/*/cbc:IssueDate" in [e.pointer for e in refused(invalid).errors]


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("billion laughs", BILLION_LAUGHS, "DOCTYPE"),
        ("external entity reading a local file", xxe("/etc/passwd"), "DOCTYPE"),
        ("20 MB", huge(), "bytes"),
        ("5000 levels deep", deep(), "deep"),
        ("a parameter entity", b'<!ENTITY % x SYSTEM "http://127.0.0.1:9/x"><a/>', "DOCTYPE"),
        ("not well-formed", b"<a><b></a>", "well-formed"),
    ],
)
def test_hostile_xml_is_refused_before_anything_reads_it(name, body, says):
    problem = refused(body)
    assert says in problem.detail
    assert "root:" not in str(problem.errors)


def test_schemas_come_from_the_installed_wheel_and_compile_once():
    path = xml.schema_path("Order")
    assert path.is_file() and "base_ubl/data/xsd-2.1/maindoc" in str(path)
    assert xml.schema("Order") is xml.schema("Order")
    assert not (xml.Path(__file__).parents[3] / "adapters" / "ubl" / "xsd").exists()
