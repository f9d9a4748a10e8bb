"""Business documents (UBL 2.1) from supplier systems: ``POST /v1/suppliers/{id}/documents``.

Authenticated like webhooks, by the supplier's signature, or by its own API key."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, post

from contracts.adapter import InboundRequest
from contracts.api.purchasing import SupplierDocumentResult
from services.app import supplier_documents
from services.bootstrap import Container
from services.db.tx import Tx


class SupplierDocumentController(Controller):
    path = "/v1/suppliers/{supplier_id:int}/documents"
    tags = ["supplier"]
    opt = {"public": True}

    @post(
        "/",
        summary="A supplier system's UBL 2.1 OrderResponse, DespatchAdvice or Invoice"
        " (application/xml), signed like a webhook or sent with the supplier's key; validated"
        " against the OASIS schema and applied once per document ID",
        status_code=200,
    )
    async def receive(
        self, request: Request, tx: Tx, container: Container, now: datetime, supplier_id: int
    ) -> SupplierDocumentResult:
        authorization = request.headers.get("authorization")
        principal = await container.keys.authenticate(authorization) if authorization else None
        inbound = InboundRequest(
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
            received_at=now,
            path=request.url.path,
        )
        return await supplier_documents.receive_document(
            tx, container, supplier_id, inbound, now, principal=principal
        )
