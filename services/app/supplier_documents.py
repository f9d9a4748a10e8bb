"""Business documents from supplier systems (UBL OrderResponse, DespatchAdvice, Invoice):
read and validated by the supplier's adapter, kept once per (supplier, type, document ID),
and applied as supplier events through the same use case as JSON events and webhooks, so an
order has one life cycle whatever the channel.

And kulakan's own documents out, written by the installed package that offers them (the
``ubl`` adapter's factory): a purchase order as an Order, a warung's invoice as an Invoice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from contracts.adapter import Capability, InboundRequest
from contracts.api.purchasing import EventResult, SupplierDocumentResult
from contracts.documents import (
    BusinessDocuments,
    DocumentWriter,
    InboundDocument,
    InvoiceDocument,
    InvoiceDocumentLine,
    Party,
)
from contracts.errors import Conflict, Forbidden, NotFound
from services.app import purchase_orders, supplier_adapters
from services.app.container import Container
from services.auth import Principal, Role
from services.db.tx import Tx


def _result(event: purchase_orders.EventOutcome) -> EventResult:
    return EventResult(
        event_id=event.event_id,
        duplicate=event.duplicate,
        applied=event.applied,
        status=event.status,
        decisions=list(event.decisions),
    )


def check_caller(principal: Principal | None, supplier_id: int) -> None:
    """A key, when one is given, must be this supplier's own."""
    if principal is None:
        return
    if principal.role != Role.SUPPLIER:
        raise Forbidden("only a supplier's own key (or its signature) posts its documents")
    if principal.supplier_id != supplier_id:
        raise NotFound(f"supplier {supplier_id} not found")


async def receive_document(
    tx: Tx,
    container: Container,
    supplier_id: int,
    inbound: InboundRequest,
    now: datetime,
    *,
    principal: Principal | None,
) -> SupplierDocumentResult:
    """Read, validate and apply one document. Signed unless the caller used the supplier's
    key; a document for another supplier's order is 404; the same document again changes
    nothing; its ID reused with other content is 409."""
    check_caller(principal, supplier_id)
    raw = await tx.raw()
    adapter = supplier_adapters.supplier_adapter(
        container, await supplier_adapters.supplier_row(raw, supplier_id)
    )
    reader = container.adapters.offered(adapter, Capability.DOCUMENTS, BusinessDocuments)
    if reader is None:
        raise NotFound(f"supplier {supplier_id} takes no documents")
    document = reader.read_document(inbound, signed=principal is None)
    target = await raw.fetchrow(
        "SELECT satker_id, id, status FROM purchase_order WHERE po_number = $1"
        " AND supplier_id = $2",
        document.po_number,
        supplier_id,
    )
    if target is None:
        raise NotFound(f"purchase order {document.po_number} not found for this supplier")
    stored = await raw.fetchval(
        """
        INSERT INTO supplier_document (satker_id, supplier_id, kind, document_id, uuid, digest,
            purchase_order_id, outcome, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8)
        ON CONFLICT (satker_id, supplier_id, kind, document_id) DO NOTHING RETURNING id
        """,
        target["satker_id"],
        supplier_id,
        document.kind,
        document.document_id,
        document.uuid,
        document.digest,
        target["id"],
        now,
    )
    if stored is None:
        return await _repeated(raw, target, supplier_id, document)
    outcomes = [
        await purchase_orders.apply_supplier_event(tx, supplier_id, event, now)
        for event in document.events
    ]
    results = [_result(o) for o in outcomes]
    await raw.execute(
        "UPDATE supplier_document SET outcome = $3 WHERE satker_id = $1 AND id = $2",
        target["satker_id"],
        stored,
        msgspec.json.encode(results).decode(),
    )
    return SupplierDocumentResult(
        kind=document.kind,
        document_id=document.document_id,
        uuid=document.uuid,
        po_number=document.po_number,
        duplicate=False,
        status=outcomes[-1].status if outcomes else target["status"],
        events=results,
    )


async def _repeated(
    raw: Any, target: Any, supplier_id: int, document: InboundDocument
) -> SupplierDocumentResult:
    first = await raw.fetchrow(
        "SELECT uuid, digest FROM supplier_document WHERE satker_id = $1 AND supplier_id = $2"
        " AND kind = $3 AND document_id = $4",
        target["satker_id"],
        supplier_id,
        document.kind,
        document.document_id,
    )
    if first["uuid"] != document.uuid or first["digest"] != document.digest:
        raise Conflict(
            f"{document.kind} {document.document_id} was already received with other content;"
            " a corrected document needs its own ID",
            extra={"document_id": document.document_id, "uuid": first["uuid"]},
        )
    status = await raw.fetchval(
        "SELECT status FROM purchase_order WHERE satker_id = $1 AND id = $2",
        target["satker_id"],
        target["id"],
    )
    return SupplierDocumentResult(
        kind=document.kind,
        document_id=document.document_id,
        uuid=document.uuid,
        po_number=document.po_number,
        duplicate=True,
        status=status,
        events=[],
    )


def writer(container: Container, media_type: str) -> DocumentWriter | None:
    """The installed package that writes kulakan's documents in ``media_type``, if any."""
    return container.adapters.document_writer(media_type)


async def order_document(
    raw: Any, container: Container, document_writer: DocumentWriter, satker_id: int, po_id: int
) -> bytes:
    """A purchase order as its supplier receives it: from the supplier's own adapter when it
    sends documents (with the supplier's item ids), else as kulakan writes it."""
    request, stored = await supplier_adapters.order_request(raw, satker_id, po_id)
    adapter = supplier_adapters.supplier_adapter(
        container, await supplier_adapters.supplier_row(raw, stored.po.supplier_id)
    )
    sender = container.adapters.offered(adapter, Capability.DOCUMENTS, BusinessDocuments)
    if sender is not None:
        return sender.order_document(request)
    return document_writer.order_document(request, stored.row["created_at"])


async def invoice_document(
    raw: Any, document_writer: DocumentWriter, satker_id: int, invoice_id: int, warung_id: int
) -> bytes:
    """A warung's invoice: the satker sells, the warung buys."""
    invoice = await raw.fetchrow(
        "SELECT i.*, b.id AS bulk_buy FROM invoice i JOIN bulk_buy b"
        " ON b.satker_id = i.satker_id AND b.id = i.bulk_buy_id"
        " WHERE i.satker_id = $1 AND i.id = $2 AND i.warung_id = $3",
        satker_id,
        invoice_id,
        warung_id,
    )
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found")
    satker = await raw.fetchrow(
        "SELECT id, name, kota, province FROM satker WHERE id = $1", satker_id
    )
    warung = await raw.fetchrow(
        "SELECT id, name, address, phone FROM warung WHERE satker_id = $1 AND id = $2",
        satker_id,
        warung_id,
    )
    lines = await raw.fetch(
        "SELECT l.line_no, l.sku, l.quantity, l.goods_idr, l.fee_idr, p.name, p.retail_unit"
        " FROM invoice_line l JOIN product p ON p.id = l.product_id"
        " WHERE l.satker_id = $1 AND l.invoice_id = $2 ORDER BY l.line_no",
        satker_id,
        invoice_id,
    )
    document = InvoiceDocument(
        number=invoice["number"],
        issued_on=invoice["created_at"].date(),
        due_on=invoice["due_on"],
        seller=Party(
            id=f"satker-{satker['id']}",
            name=satker["name"],
            city=satker["kota"],
            region=satker["province"],
        ),
        buyer=Party(
            id=f"warung-{warung['id']}",
            name=warung["name"],
            address=warung["address"] or "",
            phone=warung["phone"] or "",
        ),
        order_reference=f"BB-{satker_id}-{invoice['bulk_buy']}",
        lines=tuple(
            InvoiceDocumentLine(
                line_no=ln["line_no"],
                sku=ln["sku"],
                name=ln["name"],
                retail_unit=ln["retail_unit"],
                quantity=ln["quantity"],
                goods_idr=ln["goods_idr"],
                fee_idr=ln["fee_idr"],
            )
            for ln in lines
        ),
        goods_idr=invoice["goods_idr"],
        fees_idr=invoice["fees_idr"],
        total_idr=invoice["total_idr"],
    )
    return document_writer.invoice_document(document)
