"""The coordinator's review of a proposed bulk buy: override a flagged line with a reason or
drop it, approve (one or two coordinators; the last approval writes the purchase orders) or
reject it. Every change is guarded by the version the coordinator reviewed (If-Match).

The rules (which moves are allowed, what blocks approval, how many approvals are needed)
are in :mod:`services.domain.bulk_buy`; this module loads, asks them and stores the outcome.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import msgspec
import structlog

from contracts.api.bulk_buy import BulkBuyOut
from contracts.errors import NotFound
from services.app.bulk_buy_views import RetailOverride, get_bulk_buy, read_retail_override
from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
from services.auth import Principal
from services.db.tx import Tx
from services.domain.bulk_buy import (
    Action,
    BulkBuyStatus,
    LineState,
    check_move,
    check_override,
    decide_approval,
    decode_approvals,
    encode_approvals,
    move,
)
from services.domain.versioning import check_if_match

log = structlog.get_logger(__name__)


async def _lock(raw: Any, satker_id: int, bb_id: int, if_match: str | None) -> Any:
    bb = await raw.fetchrow(
        "SELECT b.*, s.second_approval_threshold_idr FROM bulk_buy b JOIN satker s"
        " ON s.id = b.satker_id WHERE b.satker_id = $1 AND b.id = $2 FOR UPDATE OF b",
        satker_id,
        bb_id,
    )
    if bb is None:
        raise NotFound(f"bulk buy {bb_id} not found")
    check_if_match(if_match, bb["version"])
    return bb


async def resolve_line(
    tx: Tx,
    principal: Principal,
    satker_id: int,
    bb_id: int,
    product_id: int,
    *,
    drop: bool,
    reason: str | None,
    if_match: str | None,
    now: datetime,
    retail_price_idr: int | None = None,
) -> BulkBuyOut:
    """Override a line's flags with a written reason (and perhaps set its retail price, kept
    with who set it, when, why and the suggestion it replaced), or drop the line (its
    warungs' lines are marked so)."""
    raw = await tx.raw()
    bb = await _lock(raw, satker_id, bb_id, if_match)
    check_move(bb["status"], Action.CHANGE_LINES)
    line = await raw.fetchrow(
        "SELECT * FROM bulk_buy_line WHERE satker_id = $1 AND bulk_buy_id = $2 AND product_id = $3",
        satker_id,
        bb_id,
        product_id,
    )
    if line is None:
        raise NotFound(f"product {product_id} is not in this bulk buy")
    if drop:
        await raw.execute(
            "UPDATE bulk_buy_line SET dropped = true, override_reason = $4"
            " WHERE satker_id = $1 AND bulk_buy_id = $2 AND product_id = $3",
            satker_id,
            bb_id,
            product_id,
            reason,
        )
        await mark_dropped_lines(raw, satker_id, bb["cycle_id"], product_id, reason or "dropped")
    else:
        check_override(line["flags"], retail_price_idr, line["het_idr"])
        record = None
        if retail_price_idr is not None:
            earlier = read_retail_override(line["retail_override"])
            record = RetailOverride(
                at=now,
                key_id=principal.key_id,
                user_id=principal.user_id,
                # a second override replaces a price of ours, not the rules' suggestion
                suggested_idr=earlier.suggested_idr if earlier else line["suggested_retail_idr"],
                price_idr=retail_price_idr,
                reason=reason or "",
            )
            log.info("bulk_buy_retail_overridden", bulk_buy=bb_id, product=product_id)
        await raw.execute(
            "UPDATE bulk_buy_line SET override_reason = $4,"
            " suggested_retail_idr = coalesce($5, suggested_retail_idr),"
            " retail_override = coalesce($6::jsonb, retail_override)"
            " WHERE satker_id = $1 AND bulk_buy_id = $2 AND product_id = $3",
            satker_id,
            bb_id,
            product_id,
            reason,
            retail_price_idr,
            msgspec.json.encode(record).decode() if record else None,
        )
    await raw.execute(
        "UPDATE bulk_buy SET version = version + 1, updated_at = $3"
        " WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb_id,
        now,
    )
    return await get_bulk_buy(tx, satker_id, bb_id)


async def mark_dropped_lines(
    raw: Any, satker_id: int, cycle_id: int, product_id: int | None, reason: str | None
) -> None:
    """Tell the warung lines of a cycle that their product was dropped (or, with no product
    and no reason, clear every such notice when the bulk buy is quoted again)."""
    await raw.execute(
        """
        UPDATE restock_line l SET dropped_reason = $4
        FROM restock_request r
        WHERE r.satker_id = l.satker_id AND r.id = l.request_id
          AND r.satker_id = $1 AND r.cycle_id = $2 AND ($3::bigint IS NULL OR l.product_id = $3)
          AND r.status IN ('locked', 'consolidated')
          AND l.dropped_reason IS DISTINCT FROM $4
        """,
        satker_id,
        cycle_id,
        product_id,
        reason,
    )


async def approve(
    tx: Tx, principal: Principal, satker_id: int, bb_id: int, if_match: str | None, now: datetime
) -> BulkBuyOut:
    raw = await tx.raw()
    bb = await _lock(raw, satker_id, bb_id, if_match)
    lines = await raw.fetch(
        "SELECT sku, flags, dropped, override_reason FROM bulk_buy_line"
        " WHERE satker_id = $1 AND bulk_buy_id = $2 ORDER BY sku",
        satker_id,
        bb_id,
    )
    decision = decide_approval(
        status=bb["status"],
        approvals=decode_approvals(bb["approvals"]),
        lines=(
            LineState(ln["sku"], ln["flags"], ln["dropped"], ln["override_reason"]) for ln in lines
        ),
        total_idr=bb["total_idr"],
        second_approval_threshold_idr=bb["second_approval_threshold_idr"],
        key_id=principal.key_id,
        now=now,
        user_id=principal.user_id,
    )
    approved = decision.status == BulkBuyStatus.APPROVED
    # the last approval orders it in the same transaction: approved is passed through
    status = move(decision.status, Action.ORDER) if approved else decision.status
    await raw.execute(
        "UPDATE bulk_buy SET approvals = $3, status = $4, version = version + 1, updated_at = $5"
        " WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb_id,
        encode_approvals(decision.approvals),
        str(status),
        now,
    )
    if approved:
        await _order(raw, tx, satker_id, bb, now)
    return await get_bulk_buy(tx, satker_id, bb_id)


async def _order(raw: Any, tx: Tx, satker_id: int, bb: Any, now: datetime) -> None:
    """One purchase order per supplier, with its outbox row, in the approval's transaction."""
    rows = await raw.fetch(
        """
        SELECT a.*, p.sku FROM bulk_buy_allocation a
        JOIN bulk_buy_line l ON l.satker_id = a.satker_id AND l.bulk_buy_id = a.bulk_buy_id
            AND l.product_id = a.product_id
        JOIN product p ON p.id = a.product_id
        WHERE a.satker_id = $1 AND a.bulk_buy_id = $2 AND NOT l.dropped
        ORDER BY a.supplier_id, p.sku
        """,
        satker_id,
        bb["id"],
    )
    satker = await raw.fetchrow("SELECT name, kecamatan, kota FROM satker WHERE id = $1", satker_id)
    cycle = await raw.fetchrow(
        "SELECT delivery_date FROM order_cycle WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb["cycle_id"],
    )
    fees = {
        r["supplier_id"]: r["delivery_fee_idr"]
        for r in await raw.fetch(
            "SELECT supplier_id, delivery_fee_idr FROM bulk_buy_quote WHERE satker_id = $1"
            " AND bulk_buy_id = $2",
            satker_id,
            bb["id"],
        )
    }
    by_supplier: dict[int, list[NewLine]] = defaultdict(list)
    for r in rows:
        by_supplier[r["supplier_id"]].append(
            NewLine(
                product_id=r["product_id"],
                sku=r["sku"],
                pack_name=r["pack_name"],
                units_per_pack=r["units_per_pack"],
                packs=r["packs"],
                price_per_pack_idr=r["price_per_pack_idr"],
            )
        )
    orders = [
        NewPurchaseOrder(
            supplier_id=sid,
            lines=tuple(lines),
            delivery_fee_idr=fees.get(sid, 0),
            delivery_date=cycle["delivery_date"],
            delivery_address=f"{satker['name']}, Kec. {satker['kecamatan']}, {satker['kota']}",
            contact_name=satker["name"],
            bulk_buy_id=bb["id"],
        )
        for sid, lines in sorted(by_supplier.items())
    ]
    await create_purchase_orders(tx, satker_id, orders, now)
    await raw.execute(
        "UPDATE restock_request SET status = 'ordered', version = version + 1, updated_at = $3"
        " WHERE satker_id = $1 AND cycle_id = $2 AND status = 'consolidated'",
        satker_id,
        bb["cycle_id"],
        now,
    )


async def reject(
    tx: Tx, satker_id: int, bb_id: int, reason: str, if_match: str | None, now: datetime
) -> BulkBuyOut:
    raw = await tx.raw()
    bb = await _lock(raw, satker_id, bb_id, if_match)
    status = move(bb["status"], Action.REJECT)
    await raw.execute(
        "UPDATE bulk_buy SET status = $5, rejected_reason = $3, version = version + 1,"
        " updated_at = $4 WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb_id,
        reason,
        now,
        str(status),
    )
    await raw.execute(
        "UPDATE restock_request SET status = 'cancelled', note = left($3, 500),"
        " version = version + 1, updated_at = $4"
        " WHERE satker_id = $1 AND cycle_id = $2 AND status = 'consolidated'",
        satker_id,
        bb["cycle_id"],
        f"bulk buy rejected: {reason}",
        now,
    )
    return await get_bulk_buy(tx, satker_id, bb_id)
