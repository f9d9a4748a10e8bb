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

from adapters.whatsapp_trader.link import LinkExpired, LinkTampered, claimed_supplier_id
from adapters.whatsapp_trader.pages import (
    parse_confirmation_form,
    render_confirmation_page,
    render_error_page,
    render_submitted_page,
    response_event_id,
)
from adapters.wholesale_market.runner_report import RunnerReport, events_from_runner_report
from contracts.adapter import PurchaseOrderRequest, SupplierAdapter
from contracts.api.field_suppliers import PriceBoardEntryOut, PriceBoardOut, WhatsAppMessageOut
from contracts.errors import Conflict, FieldError, InvalidInput, NotFound
from contracts.events import OrderConfirmed, OrderRejected, SupplierEvent
from services.app import purchase_orders, supplier_adapters
from services.app.purchase_orders import EventOutcome, StoredPO
from services.auth import Principal
from services.db.tx import Tx

# ---------------------------------------------------------------- price boards


def _market(adapter: SupplierAdapter) -> Any:
    if not hasattr(adapter, "parse_board") or not hasattr(adapter, "buying_list"):
        raise Conflict("this supplier is not a wholesale market")
    return adapter


async def post_board(
    tx: Tx,
    container: Any,
    principal: Principal,
    supplier_id: int,
    body: bytes,
    content_type: str,
    now: datetime,
) -> PriceBoardOut:
    """Store a board (CSV or JSON). A board for a date replaces the one posted before for
    that date; nothing is stored when any row is wrong."""
    raw = await tx.raw()
    market = _market(await supplier_adapters.adapter_for(raw, container, supplier_id))
    entries = market.parse_board(body, content_type)
    if not entries:
        raise InvalidInput("the board has no entries", errors=[FieldError("/entries", "empty")])
    await store_board(raw, supplier_id, entries, now, posted_by=str(principal.role))
    return await _board_out(raw, supplier_id)


async def store_board(
    raw: Any, supplier_id: int, entries: Sequence[Any], now: datetime, *, posted_by: str
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


async def get_board(tx: Tx, container: Any, supplier_id: int) -> PriceBoardOut:
    raw = await tx.raw()
    _market(await supplier_adapters.adapter_for(raw, container, supplier_id))
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


async def buying_list(
    tx: Tx,
    container: Any,
    po_id: int,
    now: datetime,
    *,
    supplier_id: int | None = None,
    satker_id: int | None = None,
) -> Any:
    """The runner's buying list of a market's purchase order (by the market's key or the
    satker's coordinator)."""
    raw = await tx.raw()
    order, stored = await _order(raw, po_id, supplier_id=supplier_id, satker_id=satker_id)
    if stored.po.status == "cancelled":
        raise Conflict(f"purchase order {po_id} was cancelled: nothing to buy")
    market = _market(await supplier_adapters.adapter_for(raw, container, stored.po.supplier_id))
    return market.buying_list(order, stored.row["sent_at"] or now)


async def runner_report(
    tx: Tx, container: Any, supplier_id: int, po_id: int, report: RunnerReport, now: datetime
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
    _market(await supplier_adapters.adapter_for(raw, container, supplier_id))
    return [
        await purchase_orders.apply_supplier_event(tx, supplier_id, event, now)
        for event in events_from_runner_report(report, order)
    ]


# ---------------------------------------------------------------- WhatsApp traders


def _trader(adapter: SupplierAdapter) -> Any:
    if not hasattr(adapter, "verify_link") or not hasattr(adapter, "whatsapp_message"):
        raise Conflict("this supplier does not take orders by WhatsApp")
    return adapter


async def whatsapp_message(
    tx: Tx, container: Any, satker_id: int, po_id: int, now: datetime
) -> WhatsAppMessageOut:
    raw = await tx.raw()
    order, stored = await _order(raw, po_id, satker_id=satker_id)
    trader = _trader(await supplier_adapters.adapter_for(raw, container, stored.po.supplier_id))
    url = stored.row["confirmation_url"]
    if not url:
        raise Conflict("the order has not been sent yet: its confirmation link is made on sending")
    return WhatsAppMessageOut(
        text=trader.whatsapp_message(order, url, at=now),
        wa_link=trader.whatsapp_link(order, url, at=now),
        confirmation_url=url,
        expires_at=trader.link_expiry(url),
    )


class TraderPage(msgspec.Struct, frozen=True, kw_only=True):
    """What the confirmation link shows: HTML and its status code."""

    html: str
    status: int


async def _answer(raw: Any, supplier_id: int, po_number: str) -> SupplierEvent | None:
    payload = await raw.fetchval(
        "SELECT payload FROM supplier_event WHERE supplier_id = $1 AND event_id = $2",
        supplier_id,
        response_event_id(po_number),
    )
    return None if payload is None else msgspec.convert(payload, SupplierEvent)


async def trader_link(
    tx: Tx, container: Any, token: str, now: datetime, form: Mapping[str, Any] | None = None
) -> TraderPage:
    """The page behind a confirmation link; with ``form``, the trader's submission.

    A tampered link (or one for an unknown order) and an expired one show an error page
    and change nothing; a used link shows the answer given, read-only."""
    raw = await tx.raw()
    supplier_id = claimed_supplier_id(token)
    tampered = TraderPage(html=render_error_page("tampered"), status=400)
    if supplier_id is None:
        return tampered
    try:
        trader = _trader(await supplier_adapters.adapter_for(raw, container, supplier_id))
    except (NotFound, Conflict):
        return tampered
    phone = getattr(getattr(trader, "config", None), "phone", "")
    try:
        link = trader.verify_link(token, at=now)
        po_number, expires_at, expired = link.po_number, link.expires_at, False
    except LinkTampered:
        return tampered
    except LinkExpired as exc:
        po_number, expires_at, expired = str(exc.extra["po_number"]), None, True
    po = await raw.fetchrow(
        "SELECT satker_id, id FROM purchase_order WHERE po_number = $1 AND supplier_id = $2",
        po_number,
        supplier_id,
    )
    if po is None:
        return tampered
    order, stored = await supplier_adapters.order_request(raw, po["satker_id"], po["id"])
    timezone = trader.config.timezone
    answer = await _answer(raw, supplier_id, po_number)
    if isinstance(answer, OrderConfirmed | OrderRejected):
        return TraderPage(html=render_submitted_page(answer, order, timezone=timezone), status=200)
    if expired:
        return TraderPage(html=render_error_page("expired", contact_phone=phone), status=410)
    if stored.po.status == "cancelled":
        return TraderPage(html=render_error_page("cancelled", contact_phone=phone), status=410)

    def page(**kw: Any) -> str:
        return render_confirmation_page(
            order,
            token,
            trader_name=trader.config.trader_name,
            buyer_name=trader.config.buyer_name,
            expires_at=expires_at,
            timezone=timezone,
            **kw,
        )

    if form is None:
        return TraderPage(html=page(), status=200)
    try:
        events = parse_confirmation_form(
            form, order, submitted_at=now, supplier_ref=stored.po.supplier_ref
        )
    except InvalidInput as exc:
        return TraderPage(html=page(errors=exc.errors, values=form), status=422)
    for event in events:
        await purchase_orders.apply_supplier_event(tx, supplier_id, event, now)
    answer = events[0]
    assert isinstance(answer, OrderConfirmed | OrderRejected)
    return TraderPage(html=render_submitted_page(answer, order, timezone=timezone), status=200)
