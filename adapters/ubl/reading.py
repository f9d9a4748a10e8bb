"""A supplier system's UBL 2.1 documents as supplier events. Pure: a parsed, schema-valid
root in, an :class:`~contracts.documents.InboundDocument` out, or InvalidInput whose errors
carry the XPath of the element that kulakan cannot use.

- **OrderResponse**: ``OrderResponseCode`` RE rejects the whole order; otherwise each line's
  ``LineStatusCode`` (UNCL 1229: 5 accepted, 3 changed, 7 not accepted) with, for a change,
  the new ``Quantity`` (packs) and ``Price/PriceAmount``. Lines not mentioned are accepted.
- **DespatchAdvice**: the order is despatched, and what each ``DespatchLine`` carries is
  what is delivered: ``DeliveredQuantity`` in packs (``XPK`` and other package codes, times
  ``Item/PackSizeNumeric``) or in the retail unit (KGM, LTR, H87, …).
- **Invoice**: the supplier's bill: ``LegalMonetaryTotal/PayableAmount`` (goods and fee).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from lxml import etree

from adapters.ubl.xml import CAC, CBC
from contracts.documents import InboundDocument
from contracts.errors import FieldError, InvalidInput
from contracts.events import (
    DeliveredLine,
    LineConfirmation,
    LineOutcome,
    OrderConfirmed,
    OrderDelivered,
    OrderDespatched,
    OrderInvoiced,
    OrderRejected,
    SupplierEvent,
)

NS = {"cbc": CBC, "cac": CAC}
LINE_STATUS = {"5": LineOutcome.ACCEPTED, "3": LineOutcome.CHANGED, "7": LineOutcome.REJECTED}
RESPONSE_REJECTED = {"RE", "27"}  # UNCL 4343 / 1225: the whole order is not accepted
RETAIL_CODES = {"KGM", "LTR", "H87", "C62", "XBH", "EA", "GRM"}


def _path(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


def _bad(element: etree._Element, detail: str) -> InvalidInput:
    return InvalidInput(
        f"the document cannot be applied: {detail}",
        errors=[FieldError(_path(element), detail)],
    )


def _one(parent: etree._Element, xpath: str) -> etree._Element:
    found = parent.xpath(xpath, namespaces=NS)
    if not isinstance(found, list) or not found or not isinstance(found[0], etree._Element):
        raise InvalidInput(
            f"the document cannot be applied: {xpath} is missing",
            errors=[FieldError(f"{_path(parent)}/{xpath}", "required by kulakan")],
        )
    return found[0]


def _maybe(parent: etree._Element, xpath: str) -> etree._Element | None:
    found = parent.xpath(xpath, namespaces=NS)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def _all(parent: etree._Element, xpath: str) -> list[etree._Element]:
    found = parent.xpath(xpath, namespaces=NS)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _decimal(element: etree._Element) -> Decimal:
    try:
        value = Decimal(_text(element))
    except InvalidOperation:
        raise _bad(element, "not a number") from None
    if not value.is_finite() or value < 0:
        raise _bad(element, "must be a number not below 0")
    return value


def _rupiah(element: etree._Element) -> int:
    currency = element.get("currencyID", "IDR")
    if currency != "IDR":
        raise _bad(element, f"amounts must be in IDR, not {currency}")
    value = _decimal(element)
    if value != value.to_integral_value():
        raise _bad(element, "rupiah amounts are whole numbers")
    return int(value)


def _whole(element: etree._Element) -> int:
    value = _decimal(element)
    if value != value.to_integral_value():
        raise _bad(element, "packs are whole numbers")
    return int(value)


def _line_no(element: etree._Element) -> int:
    text = _text(element)
    if not text.isdigit():
        raise _bad(element, "an order line ID is kulakan's line number (1, 2, …)")
    return int(text)


def _issued(root: etree._Element) -> datetime:
    day = date.fromisoformat(_text(_one(root, "cbc:IssueDate"))[:10])
    when = _maybe(root, "cbc:IssueTime")
    moment = time(0)
    if when is not None:
        try:
            moment = time.fromisoformat(_text(when).replace("Z", "+00:00"))
        except ValueError:
            raise _bad(when, "not a time") from None
    issued = datetime.combine(day, moment)
    return issued if issued.tzinfo else issued.replace(tzinfo=UTC)


def _order_response(root: etree._Element, base: dict[str, str], when: datetime) -> SupplierEvent:
    code = _maybe(root, "cbc:OrderResponseCode")
    if code is not None and _text(code) in RESPONSE_REJECTED:
        note = _maybe(root, "cbc:Note")
        return OrderRejected(
            **base, occurred_at=when, reason=_text(note) if note is not None else ""
        )
    lines = []
    for order_line in _all(root, "cac:OrderLine"):
        item = _one(order_line, "cac:LineItem")
        ref = _maybe(order_line, "cac:OrderLineReference/cbc:LineID")
        line_no = _line_no(ref if ref is not None else _one(item, "cbc:ID"))
        status = _maybe(item, "cbc:LineStatusCode")
        outcome = LINE_STATUS.get(_text(status) if status is not None else "5")
        if outcome is None:
            assert status is not None
            raise _bad(status, "LineStatusCode must be 5 (accepted), 3 (changed) or 7 (rejected)")
        packs = price = None
        if outcome == LineOutcome.CHANGED:
            quantity = _maybe(item, "cbc:Quantity")
            amount = _maybe(item, "cac:Price/cbc:PriceAmount")
            packs = _whole(quantity) if quantity is not None else None
            price = _rupiah(amount) if amount is not None else None
        note = _maybe(order_line, "cbc:Note")
        lines.append(
            LineConfirmation(
                line_no=line_no,
                outcome=outcome,
                packs=packs,
                price_per_pack_idr=price,
                reason=_text(note) if note is not None else "",
            )
        )
    fee = _maybe(root, "cac:AllowanceCharge[cbc:ChargeIndicator='true']/cbc:Amount")
    return OrderConfirmed(
        **base,
        occurred_at=when,
        lines=tuple(lines),
        delivery_fee_idr=_rupiah(fee) if fee is not None else None,
    )


def _delivered_quantity(line: etree._Element) -> Decimal:
    quantity = _one(line, "cbc:DeliveredQuantity")
    value = _decimal(quantity)
    unit = quantity.get("unitCode", "")
    if unit in RETAIL_CODES:
        return value
    size = _maybe(line, "cac:Item/cbc:PackSizeNumeric")
    if size is None:
        raise _bad(quantity, f"{unit or 'no unit'}: a quantity in packs needs Item/PackSizeNumeric")
    return (value * _decimal(size)).quantize(Decimal("0.001"))


def _despatch_advice(
    root: etree._Element, base: dict[str, str], when: datetime
) -> tuple[SupplierEvent, ...]:
    shipment = _maybe(root, "cac:Shipment/cbc:ID")
    delivered = tuple(
        DeliveredLine(
            line_no=_line_no(_one(line, "cac:OrderLineReference/cbc:LineID")),
            quantity=_delivered_quantity(line),
        )
        for line in _all(root, "cac:DespatchLine")
    )
    doc_id = base["event_id"]
    return (
        OrderDespatched(
            **{**base, "event_id": f"{doc_id}:despatched"},
            occurred_at=when,
            tracking_ref=_text(shipment) if shipment is not None else "",
        ),
        OrderDelivered(
            **{**base, "event_id": f"{doc_id}:delivered"}, occurred_at=when, lines=delivered
        ),
    )


def _invoice(root: etree._Element, base: dict[str, str], when: datetime) -> SupplierEvent:
    due = _maybe(root, "cbc:DueDate")
    return OrderInvoiced(
        **base,
        occurred_at=when,
        invoice_ref=_text(_one(root, "cbc:ID")),
        total_idr=_rupiah(_one(root, "cac:LegalMonetaryTotal/cbc:PayableAmount")),
        due_at=(
            datetime.combine(date.fromisoformat(_text(due)[:10]), time(0), tzinfo=UTC)
            if due is not None
            else None
        ),
    )


READERS: dict[str, Callable[..., SupplierEvent | tuple[SupplierEvent, ...]]] = {
    "OrderResponse": _order_response,
    "DespatchAdvice": _despatch_advice,
    "Invoice": _invoice,
}


def read(root: etree._Element, kind: str, digest: str) -> InboundDocument:
    """The events a schema-valid supplier document means (``kind`` one of :data:`READERS`)."""
    document_id = _text(_one(root, "cbc:ID"))
    uuid = _maybe(root, "cbc:UUID")
    reference = _one(root, "cac:OrderReference/cbc:ID")
    supplier_ref = _maybe(root, "cbc:SalesOrderID")
    if supplier_ref is None:
        supplier_ref = _maybe(root, "cac:OrderReference/cbc:SalesOrderID")
    base = {
        "event_id": f"ubl:{kind}:{document_id}",
        "po_number": _text(reference),
    }
    if supplier_ref is not None:
        base["supplier_ref"] = _text(supplier_ref)
    produced = READERS[kind](root, base, _issued(root))
    events = produced if isinstance(produced, tuple) else (produced,)
    return InboundDocument(
        kind=kind,
        document_id=document_id,
        uuid=_text(uuid) if uuid is not None else "",
        po_number=_text(reference),
        digest=digest,
        events=events,
    )
