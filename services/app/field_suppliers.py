"""Suppliers without an API: wholesale-market price boards, buying lists and runner reports,
and the WhatsApp trader's message and confirmation link.

The adapters know the formats (board sheets, buying lists, pages, events); this module loads
what they need from the database and applies what they return through the one supplier
event path, so every answer is idempotent like any other supplier event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from contracts.adapter import Capability, PurchaseOrderRequest
from contracts.api.field_suppliers import PriceBoardEntryOut, PriceBoardOut, WhatsAppMessageOut
from contracts.capabilities import (
    BuyingList,
    BuyingLists,
    ConfirmationLinks,
    LinkErrorKind,
    LinkState,
    PriceBoardEntry,
    PriceBoards,
    RunnerReport,
)
from contracts.errors import Conflict, FieldError, InvalidInput, NotFound
from contracts.events import OrderConfirmed, OrderRejected, SupplierEvent
from services.app import purchase_orders, supplier_adapters
from services.app.container import Container
from services.app.purchase_orders import EventOutcome, StoredPO
from services.auth import Principal
from services.db.tx import Tx

# ---------------------------------------------------------------- price boards


async def _boards(raw: Any, container: Container, supplier_id: int) -> PriceBoards:
    return await supplier_adapters.offered(
        raw, container, supplier_id, Capability.PRICE_BOARD, PriceBoards
    )


async def post_board(
    tx: Tx,
    container: Container,
    principal: Principal,
    supplier_id: int,
    body: bytes,
    content_type: str,
    now: datetime,
) -> PriceBoardOut:
    """Store a board in the supplier's own format (the wholesale market's: CSV or JSON). A
    board for a date replaces the one posted before for that date; nothing is stored when
    any row is wrong."""
    raw = await tx.raw()
    boards = await _boards(raw, container, supplier_id)
    entries = boards.parse_board(body, content_type)
    if not entries:
        raise InvalidInput("the board has no entries", errors=[FieldError("/entries", "empty")])
    await store_board(raw, supplier_id, entries, now, posted_by=str(principal.role))
    return await _board_out(raw, supplier_id)


async def store_board(
    raw: Any,
    supplier_id: int,
    entries: Sequence[PriceBoardEntry],
    now: datetime,
    *,
    posted_by: str,
) -> None:
    dates = sorted({entry.date for entry in entries})
    await raw.execute(
        "DELETE FROM price_board_entry WHERE supplier_id = $1 AND board_date = ANY($2::date[])",
        supplier_id,
        dates,
    )
    await raw.executemany(
        """
        INSERT INTO price_board_entry (supplier_id, board_date, sku, grade, unit, product_name,
            min_idr, max_idr, posted_at, posted_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        """,
        [
            (
                supplier_id,
                e.date,
                e.sku,
                e.grade,
                e.unit,
                e.product_name,
                e.min_idr,
                e.max_idr,
                now,
                posted_by,
            )
            for e in entries
        ],
    )


async def get_board(tx: Tx, container: Container, supplier_id: int) -> PriceBoardOut:
    raw = await tx.raw()
    await _boards(raw, container, supplier_id)
    return await _board_out(raw, supplier_id)


async def _board_out(raw: Any, supplier_id: int) -> PriceBoardOut:
    rows = (await supplier_adapters.latest_board_rows(raw, [supplier_id])).get(supplier_id, [])
    return PriceBoardOut(
        supplier_id=supplier_id,
        board_date=rows[0]["date"] if rows else None,
        entries=[msgspec.convert(r, PriceBoardEntryOut) for r in rows],
    )


# ---------------------------------------------------------------- buying lists, runner reports


async def _order(
    raw: Any, po_id: int, *, supplier_id: int | None = None, satker_id: int | None = None
) -> tuple[PurchaseOrderRequest, StoredPO]:
    """A purchase order seen by one supplier or by one satker (404 for anyone else)."""
    owner = await raw.fetchval(
        "SELECT satker_id FROM purchase_order WHERE id = $1"
        " AND ($2::bigint IS NULL OR supplier_id = $2) AND ($3::bigint IS NULL OR satker_id = $3)",
        po_id,
        supplier_id,
        satker_id,
    )
    if owner is None:
        raise NotFound(f"purchase order {po_id} not found")
    return await supplier_adapters.order_request(raw, owner, po_id)


class BuyingListDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A buying list, and its rendering when CSV or HTML was asked for."""

    buying_list: BuyingList
    media_type: str = "application/json"
    rendered: str | None = None


async def buying_list(
    tx: Tx,
    container: Container,
    po_id: int,
    now: datetime,
    *,
    media_type: str = "application/json",
    supplier_id: int | None = None,
    satker_id: int | None = None,
) -> BuyingListDocument:
    """The runner's buying list of a market's purchase order (by the market's key or the
    satker's coordinator), as ``application/json``, ``text/csv`` or ``text/html``."""
    raw = await tx.raw()
    order, stored = await _order(raw, po_id, supplier_id=supplier_id, satker_id=satker_id)
    if stored.po.status == "cancelled":
        raise Conflict(f"purchase order {po_id} was cancelled: nothing to buy")
    lists = await supplier_adapters.offered(
        raw, container, stored.po.supplier_id, Capability.BUYING_LIST, BuyingLists
    )
    made = lists.buying_list(order, stored.row["sent_at"] or now)
    if media_type == "application/json":
        return BuyingListDocument(buying_list=made)
    return BuyingListDocument(
        buying_list=made, media_type=media_type, rendered=lists.render_buying_list(made, media_type)
    )


async def runner_report(
    tx: Tx, container: Container, supplier_id: int, po_id: int, report: RunnerReport, now: datetime
) -> list[EventOutcome]:
    """What the runner bought, as confirmed and delivered events (a report sent twice
    changes nothing the second time)."""
    raw = await tx.raw()
    order, _ = await _order(raw, po_id, supplier_id=supplier_id)
    if report.po_number != order.po_number:
        raise InvalidInput(
            "the report is for another purchase order",
            errors=[FieldError("/po_number", f"expected {order.po_number}")],
        )
    lists = await supplier_adapters.offered(
        raw, container, supplier_id, Capability.BUYING_LIST, BuyingLists
    )
    return [
        await purchase_orders.apply_supplier_event(tx, supplier_id, event, now)
        for event in lists.runner_report_events(report, order)
    ]


# ---------------------------------------------------------------- confirmation links


async def _links(raw: Any, container: Container, supplier_id: int) -> ConfirmationLinks:
    return await supplier_adapters.offered(
        raw, container, supplier_id, Capability.CONFIRMATION_LINK, ConfirmationLinks
    )


async def whatsapp_message(
    tx: Tx, container: Container, satker_id: int, po_id: int, now: datetime
) -> WhatsAppMessageOut:
    """The order as a message to the supplier's human, with its confirmation link."""
    raw = await tx.raw()
    order, stored = await _order(raw, po_id, satker_id=satker_id)
    links = await _links(raw, container, stored.po.supplier_id)
    url = stored.row["confirmation_url"]
    if not url:
        raise Conflict("the order has not been sent yet: its confirmation link is made on sending")
    message = links.confirmation_message(order, url, at=now)
    return WhatsAppMessageOut(
        text=message.text,
        wa_link=message.send_link,
        confirmation_url=url,
        expires_at=message.expires_at,
    )


class TraderPage(msgspec.Struct, frozen=True, kw_only=True):
    """What the confirmation link shows: HTML and its status code."""

    html: str
    status: int


async def _answer(raw: Any, supplier_id: int, event_id: str) -> SupplierEvent | None:
    payload = await raw.fetchval(
        "SELECT payload FROM supplier_event WHERE supplier_id = $1 AND event_id = $2",
        supplier_id,
        event_id,
    )
    return None if payload is None else msgspec.convert(payload, SupplierEvent)


async def _link_owner(
    raw: Any, container: Container, token: str
) -> tuple[int, ConfirmationLinks] | TraderPage:
    """The supplier a link claims to be for, and its adapter; else the page for a link
    nobody can read (a 400 problem when no installed adapter issues links at all)."""
    issuers = container.adapters.link_issuers()
    if not issuers:
        raise InvalidInput("the confirmation link is not valid")
    for key, issuer in issuers:
        supplier_id = issuer.link_supplier_id(token)
        if supplier_id is None:
            continue
        row = await raw.fetchrow(
            f"SELECT {supplier_adapters.SUPPLIER_COLUMNS} FROM supplier WHERE id = $1",
            supplier_id,
        )
        if row is None or row["adapter_key"] != key:
            continue
        adapter = supplier_adapters.supplier_adapter(container, row)
        links = container.adapters.offered(adapter, Capability.CONFIRMATION_LINK, ConfirmationLinks)
        if links is not None:
            return supplier_id, links
    return TraderPage(html=issuers[0][1].link_error_page(LinkErrorKind.TAMPERED), status=400)


async def trader_link(
    tx: Tx, container: Container, token: str, now: datetime, form: Mapping[str, Any] | None = None
) -> TraderPage:
    """The page behind a confirmation link; with ``form``, the answer submitted on it.

    A tampered link (or one for an unknown order) and an expired one show an error page
    and change nothing; a used link shows the answer given, read-only."""
    raw = await tx.raw()
    owner = await _link_owner(raw, container, token)
    if isinstance(owner, TraderPage):
        return owner
    supplier_id, links = owner
    tampered = TraderPage(html=links.link_error_page(LinkErrorKind.TAMPERED), status=400)
    link = links.check_link(token, at=now)
    if link.state is LinkState.TAMPERED:
        return tampered
    po = await raw.fetchrow(
        "SELECT satker_id, id FROM purchase_order WHERE po_number = $1 AND supplier_id = $2",
        link.po_number,
        supplier_id,
    )
    if po is None:
        return tampered
    order, stored = await supplier_adapters.order_request(raw, po["satker_id"], po["id"])
    answer = await _answer(raw, supplier_id, links.answer_event_id(link.po_number))
    if isinstance(answer, OrderConfirmed | OrderRejected):
        return TraderPage(html=links.answered_page(answer, order), status=200)
    if link.state is LinkState.EXPIRED:
        return TraderPage(html=links.link_error_page(LinkErrorKind.EXPIRED), status=410)
    if stored.po.status == "cancelled":
        return TraderPage(html=links.link_error_page(LinkErrorKind.CANCELLED), status=410)
    if form is None:
        return TraderPage(
            html=links.confirmation_page(order, token, expires_at=link.expires_at), status=200
        )
    try:
        events = links.parse_answer(
            form, order, submitted_at=now, supplier_ref=stored.po.supplier_ref
        )
    except InvalidInput as exc:
        page = links.confirmation_page(
            order, token, expires_at=link.expires_at, errors=exc.errors, values=form
        )
        return TraderPage(html=page, status=422)
    for event in events:
        await purchase_orders.apply_supplier_event(tx, supplier_id, event, now)
    return TraderPage(html=links.answered_page(events[0], order), status=200)
