"""Purchase orders: create them with their outbox rows, load and store their state, the
coordinator's changes (cancel, price decisions) and supplier events exactly once.

State rules live in :mod:`services.domain.purchase_order`; this module only moves rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from contracts.api.purchasing import PurchaseOrderOut
from contracts.errors import NotFound, VersionMismatch
from contracts.events import SupplierEvent
from services.app import outbox
from services.app import purchase_order_views as views
from services.db.tx import Tx
from services.domain import purchase_order as po_domain
from services.domain.purchase_order import POLine, PurchaseOrder
from services.domain.versioning import check_if_match

# A purchase-order line's money as delivered: the price actually paid (delivery price, else
# the confirmed one, else the ordered one) and the quantity delivered so far.
PAID_LINE_COLUMNS = """
    l.purchase_order_id, l.product_id, l.sku, l.units_per_pack, l.packs, l.price_per_pack_idr,
    coalesce(l.delivered_price_per_pack_idr, l.confirmed_price_per_pack_idr,
             l.price_per_pack_idr) AS paid_per_pack,
    coalesce(l.delivered_quantity, 0) AS delivered
"""


class NewLine(msgspec.Struct, frozen=True, kw_only=True):
    product_id: int
    sku: str
    pack_name: str
    units_per_pack: Decimal
    packs: int
    price_per_pack_idr: int


class NewPurchaseOrder(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    lines: tuple[NewLine, ...]
    delivery_fee_idr: int = 0
    delivery_date: date | None = None
    delivery_address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    bulk_buy_id: int | None = None


class StoredPO(msgspec.Struct, frozen=True, kw_only=True):
    satker_id: int
    id: int
    po: PurchaseOrder
    row: dict[str, Any]


async def create_purchase_orders(
    tx: Tx, satker_id: int, orders: Sequence[NewPurchaseOrder], now: datetime
) -> list[tuple[int, str]]:
    """Write each order, its lines and one ``place_order`` outbox row, in the caller's
    transaction. Returns (id, po_number) per order."""
    raw = await tx.raw()
    made = []
    for order in orders:
        po_id = await raw.fetchval("SELECT nextval(pg_get_serial_sequence('purchase_order', 'id'))")
        number = f"PO-{satker_id}-{now:%Y%m%d}-{po_id}"
        goods = sum(line.packs * line.price_per_pack_idr for line in order.lines)
        await raw.execute(
            """
            INSERT INTO purchase_order (satker_id, id, po_number, supplier_id, bulk_buy_id,
                status, delivery_fee_idr, goods_idr, delivery_date, delivery_address,
                contact_name, contact_phone)
            VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11)
            """,
            satker_id,
            po_id,
            number,
            order.supplier_id,
            order.bulk_buy_id,
            order.delivery_fee_idr,
            goods,
            order.delivery_date,
            order.delivery_address,
            order.contact_name,
            order.contact_phone,
        )
        await raw.execute(
            """
            INSERT INTO purchase_order_line (satker_id, purchase_order_id, line_no, product_id,
                sku, pack_name, units_per_pack, packs, price_per_pack_idr)
            SELECT $1, $2, l.no, l.product_id, l.sku, l.pack_name, l.units, l.packs, l.price
            FROM unnest($3::int[], $4::bigint[], $5::text[], $6::text[], $7::numeric[],
                        $8::int[], $9::bigint[])
                AS l(no, product_id, sku, pack_name, units, packs, price)
            """,
            satker_id,
            po_id,
            list(range(1, len(order.lines) + 1)),
            [line.product_id for line in order.lines],
            [line.sku for line in order.lines],
            [line.pack_name for line in order.lines],
            [line.units_per_pack for line in order.lines],
            [line.packs for line in order.lines],
            [line.price_per_pack_idr for line in order.lines],
        )
        await outbox.queue(raw, satker_id, "place_order", po_id, now)
        made.append((po_id, number))
    return made


async def load(raw: Any, satker_id: int, po_id: int, *, lock: bool = False) -> StoredPO:
    row = await raw.fetchrow(
        "SELECT * FROM purchase_order WHERE satker_id = $1 AND id = $2"
        + (" FOR UPDATE" if lock else ""),
        satker_id,
        po_id,
    )
    if row is None:
        raise NotFound(f"purchase order {po_id} not found")
    lines = await raw.fetch(
        "SELECT * FROM purchase_order_line WHERE satker_id = $1 AND purchase_order_id = $2"
        " ORDER BY line_no",
        satker_id,
        po_id,
    )
    po = PurchaseOrder(
        po_number=row["po_number"],
        supplier_id=row["supplier_id"],
        status=row["status"],
        delivery_fee_idr=row["delivery_fee_idr"],
        supplier_ref=row["supplier_ref"],
        invoice_ref=row["invoice_ref"],
        invoiced_total_idr=row["invoiced_total_idr"],
        version=row["version"],
        lines=tuple(
            POLine(
                line_no=ln["line_no"],
                sku=ln["sku"],
                units_per_pack=ln["units_per_pack"],
                packs=ln["packs"],
                price_per_pack_idr=ln["price_per_pack_idr"],
                status=ln["status"],
                confirmed_packs=ln["confirmed_packs"],
                confirmed_price_per_pack_idr=ln["confirmed_price_per_pack_idr"],
                proposed_price_per_pack_idr=ln["proposed_price_per_pack_idr"],
                delivered_quantity=ln["delivered_quantity"],
                delivered_price_per_pack_idr=ln["delivered_price_per_pack_idr"],
            )
            for ln in lines
        ),
    )
    return StoredPO(satker_id=satker_id, id=po_id, po=po, row=dict(row))


async def store(raw: Any, stored: StoredPO, new: PurchaseOrder, now: datetime) -> None:
    """Write ``new`` over the stored order (compare-and-set on the version it was read at)."""
    if new == stored.po:
        return
    status = await raw.execute(
        """
        UPDATE purchase_order SET status = $3::varchar, delivery_fee_idr = $4, supplier_ref = $5,
            invoice_ref = $6, invoiced_total_idr = $7, version = $8, updated_at = $9,
            sent_at = CASE WHEN $3::varchar = 'sent' AND sent_at IS NULL THEN $9 ELSE sent_at END
        WHERE satker_id = $1 AND id = $2 AND version = $10
        """,
        stored.satker_id,
        stored.id,
        str(new.status),
        new.delivery_fee_idr,
        new.supplier_ref,
        new.invoice_ref,
        new.invoiced_total_idr,
        new.version,
        now,
        stored.po.version,
    )
    if status != "UPDATE 1":
        raise VersionMismatch("the purchase order changed meanwhile; retry")
    changed = [ln for ln, old in zip(new.lines, stored.po.lines, strict=True) if ln != old]
    for ln in changed:
        await raw.execute(
            """
            UPDATE purchase_order_line SET status = $4, confirmed_packs = $5,
                confirmed_price_per_pack_idr = $6, proposed_price_per_pack_idr = $7,
                delivered_quantity = $8, delivered_price_per_pack_idr = $9
            WHERE satker_id = $1 AND purchase_order_id = $2 AND line_no = $3
            """,
            stored.satker_id,
            stored.id,
            ln.line_no,
            str(ln.status),
            ln.confirmed_packs,
            ln.confirmed_price_per_pack_idr,
            ln.proposed_price_per_pack_idr,
            ln.delivered_quantity,
            ln.delivered_price_per_pack_idr,
        )


async def cancel(
    tx: Tx, satker_id: int, po_id: int, if_match: str | None, now: datetime
) -> PurchaseOrderOut:
    """Cancel an order before despatch (If-Match on its version). A sent order gets a
    ``cancel_order`` outbox row to tell the supplier; an unsent one just stops being sent."""
    raw = await tx.raw()
    stored = await load(raw, satker_id, po_id, lock=True)
    check_if_match(if_match, stored.po.version)
    await store(raw, stored, po_domain.cancel(stored.po), now)
    if stored.po.status != po_domain.POStatus.DRAFT:
        await outbox.queue(raw, satker_id, "cancel_order", po_id, now)
    else:
        await outbox.stop_sending(raw, satker_id, po_id, now)
    return await views.get_for_satker(tx, satker_id, po_id)


async def decide_price(
    tx: Tx,
    satker_id: int,
    po_id: int,
    line_no: int,
    *,
    accept: bool,
    if_match: str | None,
    now: datetime,
) -> PurchaseOrderOut:
    """Accept or refuse a supplier's price rise held above the satker's tolerance."""
    raw = await tx.raw()
    stored = await load(raw, satker_id, po_id, lock=True)
    check_if_match(if_match, stored.po.version)
    if line_no not in {line.line_no for line in stored.po.lines}:
        raise NotFound(f"purchase order {po_id} has no line {line_no}")
    await store(raw, stored, po_domain.decide_price(stored.po, line_no, accept=accept), now)
    return await views.get_for_satker(tx, satker_id, po_id)


class EventOutcome(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    duplicate: bool
    applied: bool
    status: str
    decisions: tuple[str, ...] = ()


async def apply_supplier_event(
    tx: Tx, supplier_id: int, event: SupplierEvent, now: datetime
) -> EventOutcome:
    """Apply one event from ``supplier_id``; an event id seen before changes nothing."""
    raw = await tx.raw()
    target = await raw.fetchrow(
        "SELECT p.satker_id, p.id, s.price_tolerance_pct FROM purchase_order p"
        " JOIN satker s ON s.id = p.satker_id WHERE p.po_number = $1 AND p.supplier_id = $2",
        event.po_number,
        supplier_id,
    )
    if target is None:
        raise NotFound(f"purchase order {event.po_number} not found for this supplier")
    inserted = await raw.fetchval(
        """
        INSERT INTO supplier_event (satker_id, supplier_id, event_id, purchase_order_id,
            event_type, payload, outcome)
        VALUES ($1, $2, $3, $4, $5, $6, '')
        ON CONFLICT (satker_id, supplier_id, event_id) DO NOTHING RETURNING id
        """,
        target["satker_id"],
        supplier_id,
        event.event_id,
        target["id"],
        type(event).__struct_config__.tag,
        msgspec.json.encode(event).decode(),
    )
    stored = await load(raw, target["satker_id"], target["id"], lock=True)
    if inserted is None:
        return EventOutcome(
            event_id=event.event_id, duplicate=True, applied=False, status=stored.po.status
        )
    result = po_domain.apply_event(
        stored.po, event, price_tolerance_pct=target["price_tolerance_pct"]
    )
    await store(raw, stored, result.po, now)
    notes = tuple(f"{d.kind}: {d.detail}" for d in result.decisions)
    await raw.execute(
        "UPDATE supplier_event SET outcome = $3 WHERE satker_id = $1 AND id = $2",
        target["satker_id"],
        inserted,
        "; ".join(notes),
    )
    return EventOutcome(
        event_id=event.event_id,
        duplicate=False,
        applied=result.changed,
        status=result.po.status,
        decisions=notes,
    )
