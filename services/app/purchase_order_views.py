"""Reading purchase orders, their supplier events and outbox rows, for the API and the
console (scoped by the caller)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from contracts.api.purchasing import (
    OutboxOut,
    PurchaseOrderLineOut,
    PurchaseOrderOut,
    SupplierEventOut,
)
from contracts.errors import NotFound
from services.db.tx import Tx

_PO_COLUMNS = (
    "satker_id, id, po_number, supplier_id, bulk_buy_id, status, goods_idr, delivery_fee_idr,"
    " delivery_date, supplier_ref, confirmation_url, invoice_ref, invoiced_total_idr, sent_at,"
    " cancel_reason, version"
)


async def _with_lines(raw: Any, rows: list[Any]) -> list[PurchaseOrderOut]:
    if not rows:
        return []
    orders_by_satker: dict[int, list[int]] = {}
    for r in rows:
        orders_by_satker.setdefault(r["satker_id"], []).append(r["id"])
    lines = []
    for satker_id, po_ids in orders_by_satker.items():  # one statement per satker's shard
        lines += await raw.fetch(
            "SELECT satker_id, purchase_order_id, line_no, product_id, sku, pack_name,"
            " units_per_pack, packs, price_per_pack_idr, status, confirmed_packs,"
            " confirmed_price_per_pack_idr, proposed_price_per_pack_idr, delivered_quantity"
            " FROM purchase_order_line WHERE satker_id = $1 AND purchase_order_id = ANY($2)"
            " ORDER BY line_no",
            satker_id,
            po_ids,
        )
    by_po: dict[tuple[int, int], list[PurchaseOrderLineOut]] = {}
    for ln in lines:
        data = dict(ln)
        key = (data.pop("satker_id"), data.pop("purchase_order_id"))
        by_po.setdefault(key, []).append(msgspec.convert(data, PurchaseOrderLineOut))
    return [
        PurchaseOrderOut(**dict(r), lines=by_po.get((r["satker_id"], r["id"]), [])) for r in rows
    ]


async def list_for_satker(
    tx: Tx,
    satker_id: int,
    *,
    status: str | None,
    limit: int,
    after_id: int | None,
    cycle_id: int | None = None,
) -> list[PurchaseOrderOut]:
    """The satker's orders, by status and by the cycle of their bulk buy."""
    raw = await tx.raw()
    rows = await raw.fetch(
        f"SELECT {_PO_COLUMNS} FROM purchase_order p WHERE satker_id = $1"
        " AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id > $3)"
        " AND ($5::bigint IS NULL OR EXISTS (SELECT 1 FROM bulk_buy b WHERE b.satker_id ="
        " p.satker_id AND b.id = p.bulk_buy_id AND b.cycle_id = $5))"
        " ORDER BY id LIMIT $4",
        satker_id,
        status,
        after_id,
        limit + 1,
        cycle_id,
    )
    return await _with_lines(raw, rows)


async def events_for_satker(tx: Tx, satker_id: int, po_id: int) -> list[SupplierEventOut]:
    """The supplier events stored for one of the satker's orders, oldest first."""
    await get_for_satker(tx, satker_id, po_id)  # 404 for another satker's order
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT id, event_id, event_type, (payload->>'occurred_at')::timestamptz AS occurred_at,"
        " received_at, outcome FROM supplier_event"
        " WHERE satker_id = $1 AND purchase_order_id = $2 ORDER BY received_at, id",
        satker_id,
        po_id,
    )
    return [SupplierEventOut(**dict(r)) for r in rows]


async def get_for_satker(tx: Tx, satker_id: int, po_id: int) -> PurchaseOrderOut:
    raw = await tx.raw()
    row = await raw.fetchrow(
        f"SELECT {_PO_COLUMNS} FROM purchase_order WHERE satker_id = $1 AND id = $2",
        satker_id,
        po_id,
    )
    if row is None:
        raise NotFound(f"purchase order {po_id} not found")
    return (await _with_lines(raw, [row]))[0]


async def list_for_supplier(
    tx: Tx, supplier_id: int, *, status: str | None, limit: int, after_id: int | None
) -> list[PurchaseOrderOut]:
    raw = await tx.raw()
    rows = await raw.fetch(
        f"SELECT {_PO_COLUMNS} FROM purchase_order WHERE supplier_id = $1"
        " AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id > $3)"
        " ORDER BY id LIMIT $4",
        supplier_id,
        status,
        after_id,
        limit + 1,
    )
    return await _with_lines(raw, rows)


async def get_for_supplier(tx: Tx, supplier_id: int, po_id: int) -> PurchaseOrderOut:
    raw = await tx.raw()
    row = await raw.fetchrow(
        f"SELECT {_PO_COLUMNS} FROM purchase_order WHERE supplier_id = $1 AND id = $2",
        supplier_id,
        po_id,
    )
    if row is None:
        raise NotFound(f"purchase order {po_id} not found")
    return (await _with_lines(raw, [row]))[0]


async def list_outbox(
    tx: Tx, *, status: str | None, limit: int, after_id: int | None
) -> list[OutboxOut]:
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT satker_id, id, kind, purchase_order_id, status, attempts, due_at, last_error"
        " FROM outbox WHERE ($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR id > $2)"
        " ORDER BY id LIMIT $3",
        status,
        after_id,
        limit + 1,
    )
    return [msgspec.convert(dict(r), OutboxOut) for r in rows]


# ---------------------------------------------------------------- for the console


class OrderSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A row of the console's order list: the order with its supplier's and cycle's names."""

    id: int
    po_number: str
    supplier_id: int
    supplier_name: str
    adapter_key: str
    bulk_buy_id: int | None
    cycle_id: int | None
    cycle_name: str | None
    status: str
    goods_idr: int
    delivery_fee_idr: int
    delivery_date: date | None
    sent_at: datetime | None
    held_lines: int  # lines whose price rise waits for the coordinator
    version: int


class CycleChoice(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str


_SUMMARY = """
    SELECT p.id, p.po_number, p.supplier_id, s.name AS supplier_name, s.adapter_key,
           p.bulk_buy_id, b.cycle_id, c.name AS cycle_name, p.status, p.goods_idr,
           p.delivery_fee_idr, p.delivery_date, p.sent_at, p.version,
           (SELECT count(*) FROM purchase_order_line l WHERE l.satker_id = $1
              AND l.purchase_order_id = p.id AND l.status = 'pending_approval') AS held_lines
    FROM purchase_order p
    JOIN supplier s ON s.id = p.supplier_id
    LEFT JOIN bulk_buy b ON b.satker_id = $1 AND b.id = p.bulk_buy_id
    LEFT JOIN order_cycle c ON c.satker_id = $1 AND c.id = b.cycle_id
    WHERE p.satker_id = $1
"""


async def order_summaries(
    tx: Tx,
    satker_id: int,
    *,
    status: str | None = None,
    cycle_id: int | None = None,
    po_id: int | None = None,
    limit: int = 200,
) -> list[OrderSummary]:
    """The satker's orders, newest first, by status and cycle (or the one ``po_id``)."""
    raw = await tx.raw()
    rows = await raw.fetch(
        _SUMMARY + " AND ($2::text IS NULL OR p.status = $2)"
        " AND ($3::bigint IS NULL OR b.cycle_id = $3) AND ($4::bigint IS NULL OR p.id = $4)"
        " ORDER BY p.id DESC LIMIT $5",
        satker_id,
        status,
        cycle_id,
        po_id,
        limit,
    )
    return [OrderSummary(**dict(r)) for r in rows]


async def order_summary(tx: Tx, satker_id: int, po_id: int) -> OrderSummary:
    found = await order_summaries(tx, satker_id, po_id=po_id, limit=1)
    if not found:
        raise NotFound(f"purchase order {po_id} not found")
    return found[0]


async def cycles_with_orders(tx: Tx, satker_id: int) -> list[CycleChoice]:
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT DISTINCT c.id, c.name FROM order_cycle c JOIN bulk_buy b"
        " ON b.satker_id = c.satker_id AND b.cycle_id = c.id JOIN purchase_order p"
        " ON p.satker_id = b.satker_id AND p.bulk_buy_id = b.id"
        " WHERE c.satker_id = $1 ORDER BY c.id DESC LIMIT 100",
        satker_id,
    )
    return [CycleChoice(**dict(r)) for r in rows]
