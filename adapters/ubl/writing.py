"""kulakan's documents as UBL 2.1: a purchase order as an Order, its cancellation as an
OrderCancellation, a warung's invoice as an Invoice. Pure: data in, bytes out.

Shaped after Peppol BIS Ordering 3.0 (Order) and Peppol BIS Billing 3.0 (Invoice); see
docs/ubl.md for the mapping and where kulakan departs from the profiles.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from adapters.ubl.xml import Builder, serialise
from contracts.adapter import OrderLine, PurchaseOrderRequest
from contracts.documents import InvoiceDocument, Party

ORDER_CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:order:3"
ORDERING_PROFILE = "urn:fdc:peppol.eu:poacc:bis:ordering:3"
INVOICE_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
BILLING_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
PACK_UNIT = "XPK"  # UN/ECE rec. 21 "package": kulakan orders in the supplier's packs
# UN/ECE rec. 20 codes of the retail units kulakan knows; anything else is "one" (C62)
UNIT_CODES = {"kg": "KGM", "liter": "LTR", "l": "LTR", "pcs": "H87", "ikat": "XBH"}
RETAIL_UNITS = {code: unit for unit, code in UNIT_CODES.items() if unit != "l"}
DOCUMENT_NAMESPACE = uuid.UUID("6f1f2f1e-8a7b-4c1d-9a55-0d7e4b1f2a10")
_WINDOW = re.compile(r"(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})")

b = Builder


def unit_code(retail_unit: str) -> str:
    return UNIT_CODES.get(retail_unit.strip().lower(), "C62")


def document_uuid(kind: str, document_id: str, version: str = "") -> str:
    """A stable UUID for one document, so a resend is byte for byte the same document."""
    return str(uuid.uuid5(DOCUMENT_NAMESPACE, f"{kind}:{document_id}:{version}"))


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _party(parent: etree._Element, party: Party, scheme: str) -> None:
    node = b.add(parent, "cac:Party")
    b.add(node, "cbc:EndpointID", party.id, schemeID=scheme)
    ident = b.add(node, "cac:PartyIdentification")
    b.add(ident, "cbc:ID", party.id)
    b.add(b.add(node, "cac:PartyName"), "cbc:Name", party.name)
    if party.address or party.city:
        _address(node, "cac:PostalAddress", party.address, party.city, party.region)
    if party.phone:
        b.add(b.add(node, "cac:Contact"), "cbc:Telephone", party.phone)


def _address(parent: etree._Element, name: str, street: str, city: str, region: str) -> None:
    address = b.add(parent, name)
    if street:
        b.add(address, "cbc:StreetName", street)
    if city:
        b.add(address, "cbc:CityName", city)
    if region:
        b.add(address, "cbc:CountrySubentity", region)
    b.add(b.add(address, "cac:Country"), "cbc:IdentificationCode", "ID")


def buyer_of(order: PurchaseOrderRequest) -> Party:
    buyer_id = f"satker-{order.buyer_id}" if order.buyer_id is not None else "kulakan"
    return Party(id=buyer_id, name=order.buyer_name or buyer_id)


def seller_of(order: PurchaseOrderRequest) -> Party:
    seller_id = f"supplier-{order.supplier_id}"
    return Party(id=seller_id, name=order.seller_name or seller_id)


def _head(
    root: etree._Element,
    customization: str,
    profile: str,
    number: str,
    kind: str,
    issued_at: datetime,
    version: str = "",
) -> None:
    b.add(root, "cbc:UBLVersionID", "2.1")
    b.add(root, "cbc:CustomizationID", customization)
    b.add(root, "cbc:ProfileID", profile)
    b.add(root, "cbc:ID", number)
    b.add(root, "cbc:UUID", document_uuid(kind, number, version))
    b.add(root, "cbc:IssueDate", issued_at.astimezone(UTC).date().isoformat())
    b.add(root, "cbc:IssueTime", issued_at.astimezone(UTC).strftime("%H:%M:%SZ"))


def _delivery(root: etree._Element, order: PurchaseOrderRequest) -> None:
    if not (order.delivery_address or order.delivery_date or order.contact_phone):
        return
    delivery = b.add(root, "cac:Delivery")
    if order.delivery_address:
        _address(delivery, "cac:DeliveryAddress", order.delivery_address, "", "")
    if order.delivery_date:
        period = b.add(delivery, "cac:RequestedDeliveryPeriod")
        window = _WINDOW.search(order.delivery_window)
        day = order.delivery_date.isoformat()
        b.add(period, "cbc:StartDate", day)
        if window:
            b.add(period, "cbc:StartTime", window.group(1).replace(".", ":").zfill(5) + ":00")
        b.add(period, "cbc:EndDate", day)
        if window:
            b.add(period, "cbc:EndTime", window.group(2).replace(".", ":").zfill(5) + ":00")
        if order.delivery_window:
            b.add(period, "cbc:Description", order.delivery_window)
    if order.contact_name or order.contact_phone:
        party = b.add(delivery, "cac:DeliveryParty")
        b.add(b.add(party, "cac:PartyName"), "cbc:Name", order.contact_name or order.buyer_name)
        if order.contact_phone:
            b.add(b.add(party, "cac:Contact"), "cbc:Telephone", order.contact_phone)


def _fee(root: etree._Element, fee_idr: int) -> None:
    if fee_idr:
        charge = b.add(root, "cac:AllowanceCharge")
        b.add(charge, "cbc:ChargeIndicator", "true")
        b.add(charge, "cbc:AllowanceChargeReasonCode", "FC")  # UNCL 7161: freight service
        b.add(charge, "cbc:AllowanceChargeReason", "Ongkir (delivery fee)")
        b.amount(charge, "cbc:Amount", fee_idr)


def _order_line(root: etree._Element, line: OrderLine) -> None:
    item_line = b.add(b.add(root, "cac:OrderLine"), "cac:LineItem")
    b.add(item_line, "cbc:ID", line.line_no)
    b.add(item_line, "cbc:Quantity", line.packs, unitCode=PACK_UNIT)
    b.amount(item_line, "cbc:LineExtensionAmount", line.packs * line.price_per_pack_idr)
    price = b.add(item_line, "cac:Price")
    b.amount(price, "cbc:PriceAmount", line.price_per_pack_idr)
    b.add(price, "cbc:BaseQuantity", 1, unitCode=PACK_UNIT)
    item = b.add(item_line, "cac:Item")
    b.add(item, "cbc:Description", line.pack_name)
    b.add(
        item,
        "cbc:PackQuantity",
        _decimal(line.units_per_pack),
        unitCode=unit_code(line.retail_unit),
    )
    b.add(item, "cbc:PackSizeNumeric", _decimal(line.units_per_pack))
    b.add(item, "cbc:Name", line.product_name or line.sku)
    b.add(b.add(item, "cac:BuyersItemIdentification"), "cbc:ID", line.sku)
    b.add(b.add(item, "cac:SellersItemIdentification"), "cbc:ID", line.supplier_sku or line.sku)


def order_xml(order: PurchaseOrderRequest, issued_at: datetime) -> bytes:
    """The purchase order as a UBL Order: our PO number is its ID (and the supplier's
    idempotency reference), the satker the buyer, the supplier the seller."""
    root = b.root("Order")
    _head(root, ORDER_CUSTOMIZATION, ORDERING_PROFILE, order.po_number, "Order", issued_at)
    if order.notes:
        b.add(root, "cbc:Note", order.notes)
    b.add(root, "cbc:DocumentCurrencyCode", "IDR")
    if order.quote_ref:
        b.add(b.add(root, "cac:QuotationDocumentReference"), "cbc:ID", order.quote_ref)
    buyer = b.add(root, "cac:BuyerCustomerParty")
    _party(buyer, buyer_of(order), "kulakan")
    seller = b.add(root, "cac:SellerSupplierParty")
    _party(seller, seller_of(order), "kulakan")
    _delivery(root, order)
    _fee(root, order.delivery_fee_idr)
    goods = sum(line.packs * line.price_per_pack_idr for line in order.lines)
    total = b.add(root, "cac:AnticipatedMonetaryTotal")
    b.amount(total, "cbc:LineExtensionAmount", goods)
    if order.delivery_fee_idr:
        b.amount(total, "cbc:ChargeTotalAmount", order.delivery_fee_idr)
    b.amount(total, "cbc:PayableAmount", goods + order.delivery_fee_idr)
    for line in order.lines:
        _order_line(root, line)
    return serialise(root)


def order_cancellation_xml(
    order: PurchaseOrderRequest, issued_at: datetime, reason: str = ""
) -> bytes:
    """Withdrawing an order: an OrderCancellation referring to the Order by its ID."""
    root = b.root("OrderCancellation")
    _head(
        root,
        "urn:kulakan:ubl:order-cancellation:1",
        ORDERING_PROFILE,
        f"{order.po_number}-C",
        "OrderCancellation",
        issued_at,
    )
    b.add(root, "cbc:CancellationNote", reason or "Dibatalkan oleh koordinator satker")
    reference = b.add(root, "cac:OrderReference")
    b.add(reference, "cbc:ID", order.po_number)
    b.add(reference, "cbc:UUID", document_uuid("Order", order.po_number))
    _party(b.add(root, "cac:BuyerCustomerParty"), buyer_of(order), "kulakan")
    _party(b.add(root, "cac:SellerSupplierParty"), seller_of(order), "kulakan")
    return serialise(root)


def invoice_xml(invoice: InvoiceDocument, issued_at: datetime) -> bytes:
    """A warung's invoice: the satker sells, the warung buys; each line's goods and its share
    of the delivery fees (a line charge), summing to the total to the rupiah."""
    root = b.root("Invoice")
    _head(root, INVOICE_CUSTOMIZATION, BILLING_PROFILE, invoice.number, "Invoice", issued_at)
    if invoice.due_on:
        b.add(root, "cbc:DueDate", invoice.due_on.isoformat())
    b.add(root, "cbc:InvoiceTypeCode", "380")
    b.add(root, "cbc:DocumentCurrencyCode", "IDR")
    b.add(root, "cbc:BuyerReference", invoice.buyer.id)
    b.add(b.add(root, "cac:OrderReference"), "cbc:ID", invoice.order_reference)
    _party(b.add(root, "cac:AccountingSupplierParty"), invoice.seller, "kulakan")
    _party(b.add(root, "cac:AccountingCustomerParty"), invoice.buyer, "kulakan")
    if invoice.due_on:
        b.add(b.add(root, "cac:PaymentTerms"), "cbc:Note", f"Jatuh tempo {invoice.due_on}")
    tax = b.add(root, "cac:TaxTotal")
    b.amount(tax, "cbc:TaxAmount", 0)
    total = b.add(root, "cac:LegalMonetaryTotal")
    b.amount(total, "cbc:LineExtensionAmount", invoice.total_idr)
    b.amount(total, "cbc:TaxExclusiveAmount", invoice.total_idr)
    b.amount(total, "cbc:TaxInclusiveAmount", invoice.total_idr)
    b.amount(total, "cbc:PayableAmount", invoice.total_idr)
    for line in invoice.lines:
        node = b.add(root, "cac:InvoiceLine")
        b.add(node, "cbc:ID", line.line_no)
        b.add(
            node,
            "cbc:InvoicedQuantity",
            _decimal(line.quantity),
            unitCode=unit_code(line.retail_unit),
        )
        b.amount(node, "cbc:LineExtensionAmount", line.goods_idr + line.fee_idr)
        if line.fee_idr:
            charge = b.add(node, "cac:AllowanceCharge")
            b.add(charge, "cbc:ChargeIndicator", "true")
            b.add(charge, "cbc:AllowanceChargeReasonCode", "FC")
            b.add(charge, "cbc:AllowanceChargeReason", "Bagian ongkir (share of delivery fees)")
            b.amount(charge, "cbc:Amount", line.fee_idr)
        item = b.add(node, "cac:Item")
        b.add(item, "cbc:Name", line.name or line.sku)
        b.add(b.add(item, "cac:SellersItemIdentification"), "cbc:ID", line.sku)
        price = b.add(node, "cac:Price")
        # the goods of the line for its whole quantity: exact in rupiah, no rounded unit price
        b.amount(price, "cbc:PriceAmount", line.goods_idr)
        b.add(
            price,
            "cbc:BaseQuantity",
            _decimal(line.quantity) if line.quantity else "1",
            unitCode=unit_code(line.retail_unit),
        )
    return serialise(root)
