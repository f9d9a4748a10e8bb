"""Business documents (UBL 2.1) between kulakan and supplier systems, as protocols and data.

A supplier adapter that declares :attr:`~contracts.adapter.Capability.DOCUMENTS` reads the
documents its supplier sends (:class:`BusinessDocuments`): it checks the signature, parses
the body safely, validates it against its schema and turns it into supplier events, the same
events a JSON webhook carries. A factory that declares it also writes kulakan's own documents
(:class:`DocumentWriter`): a purchase order as an Order, a warung's invoice as an Invoice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

import msgspec

from contracts.adapter import InboundRequest, PurchaseOrderRequest
from contracts.events import SupplierEvent
from contracts.money import Rupiah


class InboundDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A supplier's document, read and validated, with the events it means."""

    kind: str  # OrderResponse | DespatchAdvice | Invoice
    document_id: str  # the document's own number (cbc:ID)
    uuid: str  # its instance identifier (cbc:UUID); "" when it gives none
    po_number: str  # the purchase order it is about
    digest: str  # sha256 of the body as received: the same id with other content is a conflict
    events: tuple[SupplierEvent, ...]


@runtime_checkable
class BusinessDocuments(Protocol):
    """The adapter side: documents a supplier system posts to kulakan."""

    def read_document(self, request: InboundRequest, *, signed: bool) -> InboundDocument:
        """Check the signature unless the caller was authenticated by its key (``signed``
        False), parse, validate and map the body. Raise Unauthorized on a bad signature,
        InvalidInput (errors carrying the XPath of each offending element) on a body that
        is not a well-formed, valid and safe document."""
        ...

    def order_document(self, order: PurchaseOrderRequest) -> bytes:
        """The order exactly as this adapter sends it to the supplier."""
        ...


class Party(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    address: str = ""
    city: str = ""
    region: str = ""
    phone: str = ""


class InvoiceDocumentLine(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    sku: str
    name: str
    retail_unit: str
    quantity: Decimal
    goods_idr: Rupiah
    fee_idr: Rupiah


class InvoiceDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A warung's invoice for one settled bulk buy, as the satker issues it."""

    number: str
    issued_on: date
    due_on: date | None
    seller: Party  # the satker
    buyer: Party  # the warung (or the satker itself for its own stock)
    order_reference: str  # the bulk buy the goods came from
    lines: tuple[InvoiceDocumentLine, ...]
    goods_idr: Rupiah
    fees_idr: Rupiah
    total_idr: Rupiah


@runtime_checkable
class DocumentWriter(Protocol):
    """The factory side: kulakan's own documents in a standard form."""

    media_type: str  # e.g. application/xml

    def order_document(self, order: PurchaseOrderRequest, issued_at: datetime) -> bytes: ...

    def invoice_document(self, invoice: InvoiceDocument) -> bytes: ...


__all__ = [
    "BusinessDocuments",
    "DocumentWriter",
    "InboundDocument",
    "InvoiceDocument",
    "InvoiceDocumentLine",
    "Party",
]
