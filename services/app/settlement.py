"""Settlement of a bulk buy: break-bulk allocation of what was delivered and the invoices.

A bulk buy is settled once, when none of its purchase orders can still deliver (delivered,
invoiced, closed, rejected or cancelled): by the worker, or when a coordinator asks. The
rules (bills, break-bulk, shares, invoices) are in ``services.domain.settlement`` and
``services.domain.allocation``; this module reads the rows and writes the results.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from contracts.api.fulfilment import (
    ProductDeliveryOut,
    SettlementOut,
)
from contracts.errors import Conflict, NotFound
from contracts.quantity import QUANTUM
from services.app.invoices import write_invoices
from services.app.purchase_orders import PAID_LINE_COLUMNS
from services.db.bulk_insert import copy_rows, insert_rows
from services.db.tx import Tx
from services.domain.allocation import DemandLine, break_bulk, per_warung
from services.domain.restock_line import LineId
from services.domain.settlement import (
    DeliveredShare,
    PaidLine,
    PaymentTerms,
    SupplierOrder,
    main_supplier,
    party_shares,
    received_by_party,
    settle,
    supplier_bills,
    tally_deliveries,
)

log = structlog.get_logger(__name__)

FINAL = ("delivered", "invoiced", "closed", "rejected", "cancelled")


async def settle_bulk_buy(tx: Tx, satker_id: int, bb_id: int, now: datetime) -> SettlementOut:
    """Allocate what was delivered and write the invoices; once (a second call returns the
    first result). A bulk buy with orders still open is a 409."""
    raw = await tx.raw()
    bb = await raw.fetchrow(
        "SELECT b.id, b.cycle_id, b.status, s.timezone FROM bulk_buy b JOIN satker s"
        " ON s.id = b.satker_id WHERE b.satker_id = $1 AND b.id = $2 FOR UPDATE OF b",
        satker_id,
        bb_id,
    )
    if bb is None:
        raise NotFound(f"bulk buy {bb_id} not found")
    if await _settled(raw, satker_id, bb_id):
        return await get_settlement(tx, satker_id, bb_id)
    if bb["status"] != "ordered":
        raise Conflict(f"bulk buy {bb_id} is {bb['status']}: only ordered bulk buys settle")
    pos = await raw.fetch(
        "SELECT p.id, p.po_number, p.supplier_id, p.status, p.delivery_fee_idr,"
        " p.invoiced_total_idr, s.payment_terms, s.tempo_days FROM purchase_order p"
        " JOIN supplier s ON s.id = p.supplier_id"
        " WHERE p.satker_id = $1 AND p.bulk_buy_id = $2 ORDER BY p.id",
        satker_id,
        bb_id,
    )
    open_pos = [p["po_number"] for p in pos if p["status"] not in FINAL]
    if open_pos:
        raise Conflict("deliveries are not all in yet", extra={"open_purchase_orders": open_pos})
    lines = await raw.fetch(
        f"SELECT {PAID_LINE_COLUMNS} FROM purchase_order_line l WHERE l.satker_id = $1"
        " AND l.purchase_order_id = ANY($2::bigint[])",
        satker_id,
        [p["id"] for p in pos],
    )
    po_of = {p["id"]: p for p in pos}
    tz = ZoneInfo(bb["timezone"])
    delivered_on = now.astimezone(tz).date()

    sku_of = {ln["product_id"]: ln["sku"] for ln in lines}
    ordered_from: dict[int, int] = {}  # product -> the supplier of its first line
    for ln in lines:
        ordered_from.setdefault(ln["product_id"], po_of[ln["purchase_order_id"]]["supplier_id"])
    tally = tally_deliveries(
        PaidLine(
            supplier_id=po_of[ln["purchase_order_id"]]["supplier_id"],
            product_id=ln["product_id"],
            packs=ln["packs"],
            units_per_pack=ln["units_per_pack"],
            price_per_pack_idr=ln["price_per_pack_idr"],
            paid_per_pack_idr=ln["paid_per_pack"],
            delivered=ln["delivered"],
            cancelled=po_of[ln["purchase_order_id"]]["status"] == "cancelled",
        )
        for ln in lines
    )
    goods = tally.goods_idr
    bills = supplier_bills(
        {supplier_id: sum(per_product.values()) for supplier_id, per_product in goods.items()},
        [
            SupplierOrder(
                supplier_id=p["supplier_id"],
                delivery_fee_idr=p["delivery_fee_idr"],
                invoiced_total_idr=p["invoiced_total_idr"],
                cancelled=p["status"] == "cancelled",
                terms=PaymentTerms(p["payment_terms"]),
                tempo_days=p["tempo_days"] or 0,
            )
            for p in pos
        ],
    )

    demand = await raw.fetch(
        """
        SELECT r.id AS request_id, l.line_no, r.warung_id, l.product_id, l.quantity,
               l.for_preorder
        FROM restock_line l JOIN restock_request r
          ON r.satker_id = l.satker_id AND r.id = l.request_id
        WHERE r.satker_id = $1 AND r.cycle_id = $2 AND r.status = 'ordered'
          AND l.dropped_reason IS NULL
        """,
        satker_id,
        bb["cycle_id"],
    )
    products = {
        r["id"]: r
        for r in await raw.fetch(
            "SELECT id, fractional FROM product WHERE id = ANY($1::bigint[])",
            list(set(sku_of) | {d["product_id"] for d in demand}),
        )
    }
    prices = {
        r["product_id"]: r
        for r in await raw.fetch(
            "SELECT product_id, market_ref_idr, suggested_retail_idr FROM bulk_buy_line"
            " WHERE satker_id = $1 AND bulk_buy_id = $2",
            satker_id,
            bb_id,
        )
    }
    room: dict[int, dict[int, Decimal]] = defaultdict(dict)  # product -> warung -> max − on hand
    for r in await raw.fetch(
        "SELECT warung_id, product_id, on_hand, maximum FROM stock_level"
        " WHERE satker_id = $1 AND product_id = ANY($2::bigint[])",
        satker_id,
        list(sku_of),
    ):
        room[r["product_id"]][r["warung_id"]] = r["maximum"] - r["on_hand"]
    by_product: dict[int, list[Any]] = defaultdict(list)
    for d in demand:
        by_product[d["product_id"]].append(d)

    await raw.execute(
        "INSERT INTO settlement (satker_id, bulk_buy_id, cycle_id, delivered_on,"
        " supplier_billed_idr, invoiced_idr, ordered_value_idr, delivered_value_idr, settled_at)"
        " VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7)",
        satker_id,
        bb_id,
        bb["cycle_id"],
        delivered_on,
        tally.ordered_value_idr,
        tally.delivered_value_idr,
        now,
    )
    shares: list[DeliveredShare] = []
    product_rows: list[tuple[Any, ...]] = []
    delivery_rows: list[tuple[Any, ...]] = []
    for product_id in sorted(set(tally.ordered_units) | set(tally.delivered)):
        delivered = tally.delivered.get(product_id, {})
        total = sum(delivered.values(), Decimal(0))
        demand_lines = [
            DemandLine(
                line_id=LineId(d["request_id"], d["line_no"]),
                warung_id=d["warung_id"],
                requested=d["quantity"],
                preorder=d["for_preorder"],
            )
            for d in by_product.get(product_id, [])
        ]
        result = break_bulk(
            demand_lines,
            total,
            fractional=products[product_id]["fractional"],
            room=room.get(product_id, {}),
        )
        product_rows.append(
            (
                satker_id,
                bb_id,
                product_id,
                tally.ordered_units.get(product_id, Decimal(0)),
                total,
                result.satker_stock,
            )
        )
        supplier = main_supplier(delivered, ordered_from[product_id])
        delivery_rows.extend(
            (
                satker_id,
                bb_id,
                w,
                product_id,
                d.requested,
                d.preorder,
                d.allocated,
                d.surplus,
                supplier,
            )
            for w, d in per_warung(result, demand_lines).items()
        )
        price = prices.get(product_id)
        shares.extend(
            party_shares(
                sku_of[product_id],
                received_by_party(result),
                delivered,
                {s: goods[s][product_id] for s in delivered},
                market_price_idr=price["market_ref_idr"] if price else None,
                retail_price_idr=price["suggested_retail_idr"] if price else None,
            )
        )
    invoices = settle(shares, [b for b in bills if b.total_idr > 0], delivered_on)
    await insert_rows(
        raw,
        "product_delivery",
        "satker_id bigint, bulk_buy_id bigint, product_id bigint, ordered numeric,"
        " delivered numeric, satker_stock numeric",
        product_rows,
    )
    await copy_rows(
        raw,
        "warung_delivery",
        [
            "satker_id",
            "bulk_buy_id",
            "warung_id",
            "product_id",
            "requested",
            "preorder",
            "allocated",
            "surplus",
            "supplier_id",
        ],
        sorted(delivery_rows, key=itemgetter(2, 3)),  # the key's order: the index only appends
    )
    await write_invoices(
        raw,
        satker_id,
        bb_id,
        bb["cycle_id"],
        invoices,
        product_of_sku={sku: pid for pid, sku in sku_of.items()},
        terms_of={b.supplier_id: b.terms for b in bills},
        now=now,
    )
    billed = sum(b.total_idr for b in bills)
    invoiced = sum(i.total_idr for i in invoices)
    await raw.execute(
        "UPDATE settlement SET supplier_billed_idr = $3, invoiced_idr = $4"
        " WHERE satker_id = $1 AND bulk_buy_id = $2",
        satker_id,
        bb_id,
        billed,
        invoiced,
    )
    log.info("bulk buy settled", satker_id=satker_id, bulk_buy_id=bb_id, invoiced_idr=invoiced)
    return await get_settlement(tx, satker_id, bb_id)


async def _settled(raw: Any, satker_id: int, bb_id: int) -> bool:
    return bool(
        await raw.fetchval(
            "SELECT 1 FROM settlement WHERE satker_id = $1 AND bulk_buy_id = $2",
            satker_id,
            bb_id,
        )
    )


_READY = """
    b.status = 'ordered'
      AND NOT EXISTS (SELECT 1 FROM settlement s
                      WHERE s.satker_id = b.satker_id AND s.bulk_buy_id = b.id)
      AND NOT EXISTS (SELECT 1 FROM purchase_order p
                      WHERE p.satker_id = b.satker_id AND p.bulk_buy_id = b.id
                        AND p.status <> ALL($1::varchar[]))
"""


async def settle_ready(tx: Tx, now: datetime, limit: int = 20) -> int:
    """Settle ordered bulk buys whose orders are all done (the worker's job). Candidates
    are read unlocked, then each is locked by key (``SKIP LOCKED``: one another worker is
    settling is left to it): a lock on one satker's shard, as Citus needs."""
    raw = await tx.raw()
    candidates = await raw.fetch(
        f"SELECT b.satker_id, b.id FROM bulk_buy b WHERE {_READY}"
        " ORDER BY b.satker_id, b.id LIMIT $2",
        list(FINAL),
        limit * 5,
    )
    settled = 0
    for candidate in candidates:
        if settled == limit:
            break
        row = await raw.fetchrow(
            f"SELECT b.satker_id, b.id FROM bulk_buy b"
            f" WHERE b.satker_id = $2 AND b.id = $3 AND {_READY} FOR UPDATE OF b SKIP LOCKED",
            list(FINAL),
            candidate["satker_id"],
            candidate["id"],
        )
        if row is not None:
            await settle_bulk_buy(tx, row["satker_id"], row["id"], now)
            settled += 1
    return settled


async def get_settlement(tx: Tx, satker_id: int, bb_id: int) -> SettlementOut:
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT * FROM settlement WHERE satker_id = $1 AND bulk_buy_id = $2", satker_id, bb_id
    )
    if row is None:
        raise NotFound(f"bulk buy {bb_id} is not settled")
    products = await raw.fetch(
        "SELECT d.product_id, p.sku, d.ordered, d.delivered, d.satker_stock"
        " FROM product_delivery d JOIN product p ON p.id = d.product_id"
        " WHERE d.satker_id = $1 AND d.bulk_buy_id = $2 ORDER BY p.sku",
        satker_id,
        bb_id,
    )
    ordered = row["ordered_value_idr"]
    return SettlementOut(
        bulk_buy_id=bb_id,
        cycle_id=row["cycle_id"],
        delivered_on=row["delivered_on"],
        ordered_value_idr=ordered,
        delivered_value_idr=row["delivered_value_idr"],
        fill_rate=(Decimal(row["delivered_value_idr"]) / ordered).quantize(QUANTUM)
        if ordered
        else Decimal(0),
        supplier_billed_idr=row["supplier_billed_idr"],
        invoiced_idr=row["invoiced_idr"],
        products=[ProductDeliveryOut(**dict(p)) for p in products],
        settled_at=row["settled_at"],
    )
