"""Endpoints for suppliers without an API: market price boards, buying lists and runner
reports, the WhatsApp message of a trader's order and the trader's confirmation link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import parse_qs

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from contracts.api.field_suppliers import PriceBoardOut, WhatsAppMessageOut
from contracts.api.purchasing import EventResult
from contracts.capabilities import RunnerReport
from contracts.errors import NotFound
from services.api.formats import MEDIA, chosen_format, csv_response, html_response
from services.api.purchasing_controller import event_result
from services.app import field_suppliers
from services.auth import Principal, Role
from services.bootstrap import Container
from services.db.tx import Tx

Format = Annotated[
    Literal["json", "csv", "html"] | None,
    Parameter(description="json, csv or html (a printable page); default from Accept"),
]


def _media_type(request: Request, format: str | None) -> str:
    return MEDIA.get(chosen_format(request, format, ("csv", "html")), "application/json")


def _buying_list_response(document: field_suppliers.BuyingListDocument) -> Response:
    bl = document.buying_list
    if document.rendered is None:
        return Response(msgspec.json.encode(bl), media_type="application/json")
    if document.media_type == "text/csv":
        return csv_response(document.rendered, f"buying-list-{bl.po_number}.csv")
    return html_response(document.rendered)


class PriceBoardController(Controller):
    path = "/v1/suppliers/{supplier_id:int}/price-board"
    tags = ["wholesale market"]

    @post(
        "/",
        summary="Post a market's daily price board: CSV (text/csv: date,product,grade,unit,"
        "min_idr,max_idr[,sku]) or JSON ({date, entries: [...]}); by an admin, a coordinator"
        " or the market's own agent key",
        status_code=201,
    )
    async def post_board(
        self,
        request: Request,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        supplier_id: int,
    ) -> PriceBoardOut:
        principal.require(Role.ADMIN, Role.COORDINATOR, Role.SUPPLIER)
        if principal.role == Role.SUPPLIER and principal.supplier_id != supplier_id:
            raise NotFound(f"supplier {supplier_id} not found")
        return await field_suppliers.post_board(
            tx,
            container,
            principal,
            supplier_id,
            await request.body(),
            request.headers.get("content-type", "application/json"),
            now,
        )

    @get("/", summary="A market's latest price board")
    async def get_board(
        self, tx: Tx, principal: Principal, container: Container, supplier_id: int
    ) -> PriceBoardOut:
        principal.require(Role.ADMIN, Role.COORDINATOR, Role.SUPPLIER)
        if principal.role == Role.SUPPLIER and principal.supplier_id != supplier_id:
            raise NotFound(f"supplier {supplier_id} not found")
        return await field_suppliers.get_board(tx, container, supplier_id)


class MarketRunnerController(Controller):
    """For a wholesale market's runner, with the market's supplier key."""

    path = "/v1/supplier/purchase-orders/{po_id:int}"
    tags = ["wholesale market"]

    @get("/buying-list", summary="The buying list of one of your orders (JSON, CSV or a page)")
    async def buying_list(
        self,
        request: Request,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        po_id: int,
        format: Format = None,
    ) -> Response:
        principal.require(Role.SUPPLIER)
        document = await field_suppliers.buying_list(
            tx,
            container,
            po_id,
            now,
            media_type=_media_type(request, format),
            supplier_id=principal.supplier_id,
        )
        return _buying_list_response(document)

    @post(
        "/runner-report",
        summary="What was bought (quantity, price paid) and what was not found",
        status_code=200,
    )
    async def runner_report(
        self,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        po_id: int,
        data: RunnerReport,
    ) -> list[EventResult]:
        outcomes = await field_suppliers.runner_report(
            tx, container, principal.acting_supplier(), po_id, data, now
        )
        return [event_result(o) for o in outcomes]


class FieldOrderController(Controller):
    """A coordinator's view of orders to suppliers without an API."""

    path = "/v1/satkers/{satker_id:int}/purchase-orders/{po_id:int}"
    tags = ["purchase orders"]

    @get("/buying-list", summary="The runner's buying list of a wholesale-market order")
    async def buying_list(
        self,
        request: Request,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        satker_id: int,
        po_id: int,
        format: Format = None,
    ) -> Response:
        principal.require(Role.ADMIN, Role.COORDINATOR)
        principal.satker_scope(satker_id)
        document = await field_suppliers.buying_list(
            tx, container, po_id, now, media_type=_media_type(request, format), satker_id=satker_id
        )
        return _buying_list_response(document)

    @get(
        "/whatsapp-message",
        summary="The order as a WhatsApp message to the trader, with its wa.me link",
    )
    async def whatsapp_message(
        self,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        satker_id: int,
        po_id: int,
    ) -> WhatsAppMessageOut:
        principal.require(Role.ADMIN, Role.COORDINATOR)
        principal.satker_scope(satker_id)
        return await field_suppliers.whatsapp_message(tx, container, satker_id, po_id, now)


class TraderLinkController(Controller):
    """The trader's confirmation page: the signed link is the only credential."""

    path = "/v1/trader-links/{token:str}"
    tags = ["whatsapp trader"]
    opt = {"public": True}

    @get("/", summary="The confirmation page of an order (HTML for a phone)")
    async def page(self, tx: Tx, container: Container, now: datetime, token: str) -> Response:
        page = await field_suppliers.trader_link(tx, container, token, now)
        return html_response(page.html, page.status)

    @post(
        "/",
        summary="The trader's answer (form: quantities, prices, ongkir, delivery method, or"
        " reject)",
        status_code=200,
    )
    async def submit(
        self, request: Request, tx: Tx, container: Container, now: datetime, token: str
    ) -> Response:
        body = (await request.body()).decode("utf-8", "replace")
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        page = await field_suppliers.trader_link(tx, container, token, now, form)
        return html_response(page.html, page.status)
