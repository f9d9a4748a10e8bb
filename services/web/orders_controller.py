"""Pesanan: the satker's purchase orders, one order with its lines and supplier events, the
WhatsApp message for a trader, the market runner's buying list, and the coordinator's two
changes (a held price rise accepted or refused, a cancel with its reason), each with If-Match
on the version the page showed and an Idempotency-Key made when the page was rendered."""

from __future__ import annotations

import uuid
from typing import Annotated, Unpack

import msgspec
from litestar import Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from contracts.errors import Conflict
from services.app import console_home, field_suppliers, purchase_order_pages, purchase_orders
from services.app import purchase_order_views as views
from services.domain.purchase_order import POStatus
from services.domain.versioning import etag
from services.web.render import CONSOLE, ConsolePages, Outcome, Visit, page, refusal, satker_of

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)
BASE = "/satkers/{satker_id:int}/orders"
STATUSES = [s.value for s in POStatus]


class DecisionForm(msgspec.Struct, kw_only=True):
    version: int = 0
    decision: str = ""  # accept | refuse


class CancelForm(msgspec.Struct, kw_only=True):
    version: int = 0
    reason: str = ""


def orders_url(satker_id: int) -> str:
    return f"{CONSOLE}/satkers/{satker_id}/orders"


class OrdersController(ConsolePages):
    path = CONSOLE + BASE

    @get("/", name="console:orders")
    async def orders(
        self,
        visit: Visit,
        satker_id: int,
        status: str | None = None,
        cycle: str | None = None,  # "" from the filter form's "all"
    ) -> Template:
        tx, viewer = visit.tx, visit.viewer
        satker = await console_home.satker_header(tx, viewer.principal(), satker_id)
        chosen = status if status in STATUSES else None
        cycle_id = int(cycle) if cycle and cycle.isdigit() else None
        rows = await views.order_summaries(tx, satker_id, status=chosen, cycle_id=cycle_id)
        context = {
            "viewer": viewer,
            "satker": satker,
            "satker_id": satker_id,
            "orders": rows,
            "statuses": STATUSES,
            "status": chosen,
            "cycles": await views.cycles_with_orders(tx, satker_id),
            "cycle": cycle_id,
        }
        return page(
            visit.request, "console/orders/list.html", context, fragment="console/orders/_rows.html"
        )

    @get("/{po_id:int}", name="console:order")
    async def order(
        self, visit: Visit, satker_id: int, po_id: int, done: str | None = None
    ) -> Template:
        notice = done if done in ("accepted", "refused", "cancelled") else None
        return await _detail(visit, satker_id, po_id, notice=notice)

    @get("/{po_id:int}/buying-list", name="console:buying-list")
    async def buying_list(self, visit: Visit, satker_id: int, po_id: int) -> Response:
        """The runner's printable buying list, as the wholesale market's adapter renders it."""
        await satker_of(visit, satker_id)
        document = await field_suppliers.buying_list(
            visit.tx, visit.container, po_id, visit.now, media_type="text/html", satker_id=satker_id
        )
        return Response(
            content=document.rendered or "",
            media_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    @post("/{po_id:int}/lines/{line_no:int}/price-decision", status_code=HTTP_303_SEE_OTHER)
    async def decide_price(
        self,
        visit: Visit,
        satker_id: int,
        po_id: int,
        line_no: int,
        data: Annotated[DecisionForm, FORM],
    ) -> Response:
        await satker_of(visit, satker_id)
        accept = data.decision == "accept"
        try:
            await purchase_orders.decide_price(
                visit.tx,
                satker_id,
                po_id,
                line_no,
                accept=accept,
                if_match=etag(data.version),
                now=visit.now,
            )
        except Conflict as exc:
            return await _refused(visit, satker_id, po_id, exc)
        done = "accepted" if accept else "refused"
        return Redirect(f"{orders_url(satker_id)}/{po_id}?done={done}", status_code=303)

    @post("/{po_id:int}/cancel", status_code=HTTP_303_SEE_OTHER)
    async def cancel(
        self, visit: Visit, satker_id: int, po_id: int, data: Annotated[CancelForm, FORM]
    ) -> Response:
        await satker_of(visit, satker_id)
        reason = data.reason.strip()[:500]
        if not reason:
            return await _detail(visit, satker_id, po_id, problem="reason", status=422)
        try:
            await purchase_orders.cancel(
                visit.tx, satker_id, po_id, etag(data.version), visit.now, reason
            )
        except Conflict as exc:
            return await _refused(visit, satker_id, po_id, exc)
        return Redirect(f"{orders_url(satker_id)}/{po_id}?done=cancelled", status_code=303)


async def _refused(visit: Visit, satker_id: int, po_id: int, exc: Conflict) -> Template:
    """The change was refused: show the order as it is now, and say why (409)."""
    await visit.tx.rollback()
    return await _detail(visit, satker_id, po_id, problem=refusal(exc), status=409)


async def _detail(
    visit: Visit,
    satker_id: int,
    po_id: int,
    **outcome: Unpack[Outcome],
) -> Template:
    notice, problem = outcome.get("notice"), outcome.get("problem")
    satker = await satker_of(visit, satker_id)
    shown = await purchase_order_pages.order_page(
        visit.tx, visit.container, satker_id, po_id, visit.now
    )
    context = {
        "viewer": visit.viewer,
        "satker": satker,
        "satker_id": satker_id,
        "summary": shown.summary,
        "order": shown.order,
        "products": shown.products,
        "events": shown.events,
        "message": shown.message,
        "buying_list": shown.buying_list,
        "can_cancel": shown.cancellable,
        "notice": notice,
        "problem": problem,
        "idempotency_key": uuid.uuid4().hex,
    }
    return page(
        visit.request, "console/orders/detail.html", context, status_code=outcome.get("status", 200)
    )
