"""The supplier system's side of UBL, as the simulator (and an ERP) plays it: read the Order
kulakan sent, answer with an OrderResponse, a DespatchAdvice and an Invoice. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import msgspec
from lxml import etree

from adapters.ubl.reading import NS
from adapters.ubl.writing import PACK_UNIT, document_uuid
from adapters.ubl.xml import Builder, serialise

b = Builder
CUSTOMIZATION = {
    "OrderResponse": "urn:fdc:peppol.eu:poacc:trns:order_response:3",
    "DespatchAdvice": "urn:fdc:peppol.eu:poacc:trns:despatch_advice:3",
    "Invoice": "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
}
PROFILE = {
    "OrderResponse": "urn:fdc:peppol.eu:poacc:bis:ordering:3",
    "DespatchAdvice": "urn:fdc:peppol.eu:poacc:bis:despatch_advice:3",
    "Invoice": "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
}


class ReceivedLine(msgspec.Struct, kw_only=True):
    line_no: int
    item_id: str  # the seller's item id
    name: str
    packs: int
    price_per_pack_idr: int
    pack_size: Decimal


class ReceivedOrder(msgspec.Struct, kw_only=True):
    po_number: str
    uuid: str
    buyer_id: str
    buyer_name: str
    seller_id: str
    seller_name: str
    delivery_fee_idr: int
    lines: list[ReceivedLine]


def _text(parent: etree._Element, xpath: str, default: str = "") -> str:
    found = parent.xpath(xpath, namespaces=NS)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return (found[0].text or "").strip()
    return default


def received_order(root: etree._Element) -> ReceivedOrder:
    """What a supplier needs of a (schema-valid) Order."""
    party = "cac:Party/cac:PartyIdentification/cbc:ID"
    return ReceivedOrder(
        po_number=_text(root, "cbc:ID"),
        uuid=_text(root, "cbc:UUID"),
        buyer_id=_text(root, f"cac:BuyerCustomerParty/{party}"),
        buyer_name=_text(root, "cac:BuyerCustomerParty/cac:Party/cac:PartyName/cbc:Name"),
        seller_id=_text(root, f"cac:SellerSupplierParty/{party}"),
        seller_name=_text(root, "cac:SellerSupplierParty/cac:Party/cac:PartyName/cbc:Name"),
        delivery_fee_idr=int(
            Decimal(_text(root, "cac:AllowanceCharge[cbc:ChargeIndicator='true']/cbc:Amount", "0"))
        ),
        lines=[
            ReceivedLine(
                line_no=int(_text(item, "cbc:ID")),
                item_id=_text(item, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
                name=_text(item, "cac:Item/cbc:Name"),
                packs=int(Decimal(_text(item, "cbc:Quantity"))),
                price_per_pack_idr=int(Decimal(_text(item, "cac:Price/cbc:PriceAmount"))),
                pack_size=Decimal(_text(item, "cac:Item/cbc:PackSizeNumeric", "1")),
            )
            for item in root.xpath("cac:OrderLine/cac:LineItem", namespaces=NS)
            if isinstance(item, etree._Element)
        ],
    )


def _head(kind: str, document_id: str, issued_at: datetime, version: str) -> etree._Element:
    root = b.root(kind)
    b.add(root, "cbc:UBLVersionID", "2.1")
    b.add(root, "cbc:CustomizationID", CUSTOMIZATION[kind])
    b.add(root, "cbc:ProfileID", PROFILE[kind])
    b.add(root, "cbc:ID", document_id)
    return root


def _dated(root: etree._Element, kind: str, document_id: str, at: datetime, version: str) -> None:
    b.add(root, "cbc:UUID", document_uuid(kind, document_id, version))
    b.add(root, "cbc:IssueDate", at.astimezone(UTC).date().isoformat())
    b.add(root, "cbc:IssueTime", at.astimezone(UTC).strftime("%H:%M:%SZ"))


def _party(parent: etree._Element, name: str, party_id: str, party_name: str) -> None:
    party = b.add(b.add(parent, name), "cac:Party")
    b.add(b.add(party, "cac:PartyIdentification"), "cbc:ID", party_id)
    b.add(b.add(party, "cac:PartyName"), "cbc:Name", party_name)


def _order_reference(root: etree._Element, order: ReceivedOrder, sales_order_id: str) -> None:
    reference = b.add(root, "cac:OrderReference")
    b.add(reference, "cbc:ID", order.po_number)
    if sales_order_id:
        b.add(reference, "cbc:SalesOrderID", sales_order_id)


def order_response_xml(
    order: ReceivedOrder,
    *,
    sales_order_id: str,
    at: datetime,
    prices: Mapping[int, int] | None = None,
    packs: Mapping[int, int] | None = None,
    rejected: frozenset[int] = frozenset(),
    reject_all: bool = False,
    version: str = "1",
) -> bytes:
    """Accept the order, changing the price or packs of some lines or refusing some lines
    (UNCL 1229 line status 5/3/7); or refuse it whole (``reject_all``: code RE)."""
    prices, packs = prices or {}, packs or {}
    document_id = f"OR-{order.po_number}-{version}"
    root = _head("OrderResponse", document_id, at, version)
    b.add(root, "cbc:SalesOrderID", sales_order_id)
    _dated(root, "OrderResponse", document_id, at, version)
    changed = bool(prices or packs or rejected)
    b.add(root, "cbc:OrderResponseCode", "RE" if reject_all else ("CA" if changed else "AP"))
    b.add(root, "cbc:DocumentCurrencyCode", "IDR")
    _order_reference(root, order, "")
    _party(root, "cac:SellerSupplierParty", order.seller_id, order.seller_name)
    _party(root, "cac:BuyerCustomerParty", order.buyer_id, order.buyer_name)
    if reject_all:
        return serialise(root)
    for line in order.lines:
        order_line = b.add(root, "cac:OrderLine")
        item_line = b.add(order_line, "cac:LineItem")
        b.add(item_line, "cbc:ID", line.line_no)
        if line.line_no in rejected:
            status = "7"
        elif line.line_no in prices or line.line_no in packs:
            status = "3"
        else:
            status = "5"
        b.add(item_line, "cbc:LineStatusCode", status)
        b.add(item_line, "cbc:Quantity", packs.get(line.line_no, line.packs), unitCode=PACK_UNIT)
        price = b.add(item_line, "cac:Price")
        b.amount(price, "cbc:PriceAmount", prices.get(line.line_no, line.price_per_pack_idr))
        item = b.add(item_line, "cac:Item")
        b.add(item, "cbc:Name", line.name)
        b.add(b.add(item, "cac:SellersItemIdentification"), "cbc:ID", line.item_id)
        b.add(b.add(order_line, "cac:OrderLineReference"), "cbc:LineID", line.line_no)
    return serialise(root)


def despatch_advice_xml(
    order: ReceivedOrder,
    *,
    sales_order_id: str,
    at: datetime,
    packs: Mapping[int, Decimal],
    version: str = "1",
) -> bytes:
    """What leaves the warehouse: ``packs`` per line number (fractions for weighed goods)."""
    document_id = f"DA-{order.po_number}-{version}"
    root = _head("DespatchAdvice", document_id, at, version)
    _dated(root, "DespatchAdvice", document_id, at, version)
    _order_reference(root, order, sales_order_id)
    _party(root, "cac:DespatchSupplierParty", order.seller_id, order.seller_name)
    _party(root, "cac:DeliveryCustomerParty", order.buyer_id, order.buyer_name)
    shipment = b.add(root, "cac:Shipment")
    b.add(shipment, "cbc:ID", f"SHP-{order.po_number}-{version}")
    for line in order.lines:
        despatch = b.add(root, "cac:DespatchLine")
        b.add(despatch, "cbc:ID", line.line_no)
        b.add(despatch, "cbc:DeliveredQuantity", packs.get(line.line_no, 0), unitCode=PACK_UNIT)
        b.add(b.add(despatch, "cac:OrderLineReference"), "cbc:LineID", line.line_no)
        item = b.add(despatch, "cac:Item")
        b.add(item, "cbc:PackSizeNumeric", line.pack_size)
        b.add(item, "cbc:Name", line.name)
    return serialise(root)


def supplier_invoice_xml(
    order: ReceivedOrder,
    *,
    sales_order_id: str,
    at: datetime,
    amounts: Mapping[int, int],
    quantities: Mapping[int, Decimal],
    delivery_fee_idr: int,
    tempo_days: int = 14,
    version: str = "1",
) -> bytes:
    """The supplier's bill for what it delivered: ``amounts`` (rupiah) per line and the fee."""
    document_id = f"INV-{order.po_number}-{version}"
    root = _head("Invoice", document_id, at, version)
    _dated(root, "Invoice", document_id, at, version)
    b.add(root, "cbc:DueDate", (at.astimezone(UTC).date() + timedelta(days=tempo_days)).isoformat())
    b.add(root, "cbc:InvoiceTypeCode", "380")
    b.add(root, "cbc:DocumentCurrencyCode", "IDR")
    _order_reference(root, order, sales_order_id)
    _party(root, "cac:AccountingSupplierParty", order.seller_id, order.seller_name)
    _party(root, "cac:AccountingCustomerParty", order.buyer_id, order.buyer_name)
    if delivery_fee_idr:
        charge = b.add(root, "cac:AllowanceCharge")
        b.add(charge, "cbc:ChargeIndicator", "true")
        b.add(charge, "cbc:AllowanceChargeReason", "Ongkir")
        b.amount(charge, "cbc:Amount", delivery_fee_idr)
    b.amount(b.add(root, "cac:TaxTotal"), "cbc:TaxAmount", 0)
    goods = sum(amounts.values())
    total = b.add(root, "cac:LegalMonetaryTotal")
    b.amount(total, "cbc:LineExtensionAmount", goods)
    b.amount(total, "cbc:TaxExclusiveAmount", goods + delivery_fee_idr)
    b.amount(total, "cbc:TaxInclusiveAmount", goods + delivery_fee_idr)
    if delivery_fee_idr:
        b.amount(total, "cbc:ChargeTotalAmount", delivery_fee_idr)
    b.amount(total, "cbc:PayableAmount", goods + delivery_fee_idr)
    for line in order.lines:
        node = b.add(root, "cac:InvoiceLine")
        b.add(node, "cbc:ID", line.line_no)
        b.add(node, "cbc:InvoicedQuantity", quantities.get(line.line_no, 0), unitCode=PACK_UNIT)
        b.amount(node, "cbc:LineExtensionAmount", amounts.get(line.line_no, 0))
        b.add(b.add(node, "cac:OrderLineReference"), "cbc:LineID", line.line_no)
        item = b.add(node, "cac:Item")
        b.add(item, "cbc:Name", line.name)
        b.add(b.add(item, "cac:SellersItemIdentification"), "cbc:ID", line.item_id)
    return serialise(root)


def today(at: datetime | None = None) -> date:
    return (at or datetime.now(UTC)).astimezone(UTC).date()
