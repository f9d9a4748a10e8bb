"""Reading purchase orders and outbox rows for the API (scoped by the caller)."""

from __future__ import annotations

from typing import Any

import msgspec

from contracts.api.purchasing import OutboxOut, PurchaseOrderLineOut, PurchaseOrderOut
from contracts.errors import NotFound
from services.db.tx import Tx

_PO_COLUMNS = (
    "satker_id, id, po_number, supplier_id, bulk_buy_id, status, goods_idr, delivery_fee_idr,"
    " delivery_date, supplier_ref, confirmation_url, invoice_ref, invoiced_total_idr, sent_at,"
    " version"
)


async def _with_lines(raw: Any, rows: list[Any]) -> list[PurchaseOrderOut]:
    if not rows:
        return []
    lines = await raw.fetch(
        "SELECT satker_id, purchase_order_id, line_no, product_id, sku, pack_name,"
        " units_per_pack, packs, price_per_pack_idr, status, confirmed_packs,"
        " confirmed_price_per_pack_idr, proposed_price_per_pack_idr, delivered_quantity"
        " FROM purchase_order_line WHERE (satker_id, purchase_order_id) IN"
        " (SELECT * FROM unnest($1::bigint[], $2::bigint[])) ORDER BY line_no",
        [r["satker_id"] for r in rows],
        [r["id"] for r in rows],
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
    tx: Tx, satker_id: int, *, status: str | None, limit: int, after_id: int | None
) -> list[PurchaseOrderOut]:
    raw = await tx.raw()
    rows = await raw.fetch(
        f"SELECT {_PO_COLUMNS} FROM purchase_order WHERE satker_id = $1"
        " AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id > $3)"
        " ORDER BY id LIMIT $4",
        satker_id,
        status,
        after_id,
        limit + 1,
    )
    return await _with_lines(raw, rows)


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
