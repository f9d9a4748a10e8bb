"""From deliveries to invoices: break-bulk allocation of a bulk buy whose purchase orders are
all done, the warungs' receipts, and each warung's invoice for the cycle.

A bulk buy is settled once, when none of its purchase orders can still deliver (delivered,
invoiced, closed, rejected or cancelled): by the worker, or when a coordinator asks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import structlog

from contracts.api.fulfilment import (
    InvoiceLineOut,
    InvoiceOut,
    ProductDeliveryOut,
    ReceiptIn,
    SettlementOut,
    WarungDeliveryOut,
)
from contracts.errors import Conflict, FieldError, InvalidInput, NotFound
from services.app.demand import add_stock, resolve_warung
from services.app.purchase_orders import PAID_LINE_COLUMNS
from services.auth import Principal
from services.db.tx import Tx
from services.domain.allocation import DemandLine, break_bulk
from services.domain.restock_line import LineId
from services.domain.settlement import (
    SATKER,
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
from services.domain.versioning import check_if_match

log = structlog.get_logger(__name__)

FINAL = ("delivered", "invoiced", "closed", "rejected", "cancelled")
QUANTUM = Decimal("0.001")


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
        supplier = main_supplier(delivered, _ordered_from(lines, po_of, product_id))
        per_warung: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for a, line in zip(
            result.lines, sorted(demand_lines, key=lambda x: x.line_id), strict=True
        ):
            row = per_warung[a.warung_id]
            row["requested"] += a.requested
            row["allocated"] += a.allocated
            if line.preorder:
                row["preorder"] += a.requested
        for warung_id, extra in result.surplus_to_warungs.items():
            per_warung[warung_id]["surplus"] += extra
        delivery_rows.extend(
            (
                satker_id,
                bb_id,
                w,
                product_id,
                r["requested"],
                r["preorder"],
                r["allocated"],
                r["surplus"],
                supplier,
            )
            for w, r in sorted(per_warung.items())
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
    product_of_sku = {sku: pid for pid, sku in sku_of.items()}
    terms_of = {b.supplier_id: b.terms for b in bills}
    await _insert_rows(
        raw,
        "product_delivery",
        ("satker_id", "bulk_buy_id", "product_id", "ordered", "delivered", "satker_stock"),
        ("bigint", "bigint", "bigint", "numeric", "numeric", "numeric"),
        product_rows,
    )
    await _insert_rows(
        raw,
        "warung_delivery",
        (
            "satker_id",
            "bulk_buy_id",
            "warung_id",
            "product_id",
            "requested",
            "preorder",
            "allocated",
            "surplus",
            "supplier_id",
        ),
        (
            "bigint",
            "bigint",
            "bigint",
            "bigint",
            "numeric",
            "numeric",
            "numeric",
            "numeric",
            "bigint",
        ),
        delivery_rows,
    )
    invoice_ids = await _insert_rows(
        raw,
        "invoice",
        (
            "satker_id",
            "bulk_buy_id",
            "cycle_id",
            "warung_id",
            "number",
            "goods_idr",
            "fees_idr",
            "total_idr",
            "market_value_idr",
            "savings_idr",
            "customer_savings_idr",
            "due_on",
            "created_at",
        ),
        (
            "bigint",
            "bigint",
            "bigint",
            "bigint",
            "varchar",
            "bigint",
            "bigint",
            "bigint",
            "bigint",
            "bigint",
            "bigint",
            "date",
            "timestamptz",
        ),
        [
            (
                satker_id,
                bb_id,
                bb["cycle_id"],
                None if invoice.party_id == SATKER else invoice.party_id,
                f"INV-{satker_id}-{bb['cycle_id']}-{invoice.party_id or 'SATKER'}",
                invoice.goods_idr,
                invoice.fees_idr,
                invoice.total_idr,
                invoice.market_value_idr,
                invoice.savings_idr,
                invoice.customer_savings_idr,
                min((d for d in invoice.due.values() if d is not None), default=None),
                now,
            )
            for invoice in invoices
        ],
        returning="id, warung_id",
    )
    invoice_of = {r["warung_id"]: r["id"] for r in invoice_ids}
    await _insert_rows(
        raw,
        "invoice_line",
        (
            "satker_id",
            "invoice_id",
            "line_no",
            "supplier_id",
            "product_id",
            "sku",
            "quantity",
            "goods_idr",
            "fee_idr",
            "terms",
            "due_on",
        ),
        (
            "bigint",
            "bigint",
            "int",
            "bigint",
            "bigint",
            "varchar",
            "numeric",
            "bigint",
            "bigint",
            "varchar",
            "date",
        ),
        [
            (
                satker_id,
                invoice_of[None if invoice.party_id == SATKER else invoice.party_id],
                n,
                line.supplier_id,
                product_of_sku[line.sku],
                line.sku,
                line.quantity,
                line.goods_idr,
                line.fee_idr,
                str(terms_of[line.supplier_id]),
                invoice.due[line.supplier_id],
            )
            for invoice in invoices
            for n, line in enumerate(invoice.lines, start=1)
        ],
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


async def _insert_rows(
    raw: Any,
    table: str,
    columns: Sequence[str],
    types: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: str | None = None,
) -> list[Any]:
    """Insert many rows in one statement (``unnest`` of one array per column)."""
    if not rows:
        return []
    arrays = [list(column) for column in zip(*rows, strict=True)]
    params = ", ".join(f"${i}::{t}[]" for i, t in enumerate(types, start=1))
    names = ", ".join(columns)
    sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({params}) AS u({names})"
    if returning is None:
        await raw.execute(sql, *arrays)
        return []
    return list(await raw.fetch(f"{sql} RETURNING {returning}", *arrays))


def _ordered_from(lines: list[Any], po_of: dict[int, Any], product_id: int) -> int:
    return next(
        po_of[ln["purchase_order_id"]]["supplier_id"]
        for ln in lines
        if ln["product_id"] == product_id
    )


async def _settled(raw: Any, satker_id: int, bb_id: int) -> bool:
    return bool(
        await raw.fetchval(
            "SELECT 1 FROM settlement WHERE satker_id = $1 AND bulk_buy_id = $2",
            satker_id,
            bb_id,
        )
    )


async def settle_ready(tx: Tx, now: datetime, limit: int = 20) -> int:
    """Settle ordered bulk buys whose orders are all done (the worker's job)."""
    raw = await tx.raw()
    ready = await raw.fetch(
        """
        SELECT b.satker_id, b.id FROM bulk_buy b
        WHERE b.status = 'ordered'
          AND NOT EXISTS (SELECT 1 FROM settlement s
                          WHERE s.satker_id = b.satker_id AND s.bulk_buy_id = b.id)
          AND NOT EXISTS (SELECT 1 FROM purchase_order p
                          WHERE p.satker_id = b.satker_id AND p.bulk_buy_id = b.id
                            AND p.status <> ALL($1::varchar[]))
        ORDER BY b.satker_id, b.id
        LIMIT $2
        FOR UPDATE OF b SKIP LOCKED
        """,
        list(FINAL),
        limit,
    )
    for row in ready:
        await settle_bulk_buy(tx, row["satker_id"], row["id"], now)
    return len(ready)


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


# ---------------------------------------------------------------- deliveries and receipts

DELIVERY_COLUMNS = """
    d.bulk_buy_id, d.warung_id, d.product_id, p.sku, d.requested, d.allocated, d.surplus,
    d.requested - d.allocated AS shortfall, d.supplier_id, d.receipt, d.received, d.damaged,
    d.note
"""


async def list_deliveries(
    tx: Tx,
    satker_id: int,
    *,
    bulk_buy_id: int | None = None,
    warung_id: int | None = None,
    receipt: str | None = None,
    limit: int,
    after: list[Any] | None,
) -> list[WarungDeliveryOut]:
    """Deliveries by (bulk buy, warung, product); for a satker or one warung."""
    raw = await tx.raw()
    rows = await raw.fetch(
        f"""
        SELECT {DELIVERY_COLUMNS} FROM warung_delivery d JOIN product p ON p.id = d.product_id
        WHERE d.satker_id = $1 AND ($2::bigint IS NULL OR d.bulk_buy_id = $2)
          AND ($3::bigint IS NULL OR d.warung_id = $3)
          AND ($4::varchar IS NULL OR d.receipt = $4)
          AND ($5::bigint IS NULL
               OR (d.bulk_buy_id, d.warung_id, d.product_id) > ($5, $6::bigint, $7::bigint))
        ORDER BY d.bulk_buy_id, d.warung_id, d.product_id
        LIMIT $8
        """,
        satker_id,
        bulk_buy_id,
        warung_id,
        None if receipt is None else str(receipt),
        *(after or (None, None, None)),
        limit + 1,
    )
    return [WarungDeliveryOut(**dict(r)) for r in rows]


async def record_receipt(
    tx: Tx, principal: Principal, warung_id: int, data: ReceiptIn, now: datetime
) -> list[WarungDeliveryOut]:
    """The warung says what arrived per product: good units go into its stock; short or
    damaged goods are reported to the coordinator and counted against the supplier."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    rows = {
        r["product_id"]: r
        for r in await raw.fetch(
            "SELECT product_id, allocated + surplus AS expected, receipt FROM warung_delivery"
            " WHERE satker_id = $1 AND bulk_buy_id = $2 AND warung_id = $3 FOR UPDATE",
            satker_id,
            data.bulk_buy_id,
            warung_id,
        )
    }
    if not rows:
        raise NotFound(f"nothing of bulk buy {data.bulk_buy_id} was delivered to this warung")
    errors: list[FieldError] = []
    seen: set[int] = set()
    for i, line in enumerate(data.lines):
        row = rows.get(line.product_id)
        for name in ("received", "damaged"):
            value = getattr(line, name)
            if value < 0 or value != value.quantize(QUANTUM):
                errors.append(FieldError(f"/lines/{i}/{name}", "0 or more, at most 3 decimals"))
        if row is None:
            errors.append(FieldError(f"/lines/{i}/product_id", "not delivered to this warung"))
        elif line.product_id in seen:
            errors.append(FieldError(f"/lines/{i}/product_id", "listed twice"))
        elif row["receipt"] != "pending":
            errors.append(FieldError(f"/lines/{i}/product_id", f"already {row['receipt']}"))
        elif line.received + line.damaged > row["expected"]:
            errors.append(
                FieldError(f"/lines/{i}/received", f"more than the {row['expected']} delivered")
            )
        seen.add(line.product_id)
    if errors:
        raise InvalidInput("the receipt is not valid", errors=errors)
    for line in data.lines:
        expected = rows[line.product_id]["expected"]
        status = (
            "damaged" if line.damaged > 0 else "short" if line.received < expected else "received"
        )
        await raw.execute(
            "UPDATE warung_delivery SET receipt = $5, received = $6, damaged = $7, note = $8,"
            " received_at = $9 WHERE satker_id = $1 AND bulk_buy_id = $2 AND warung_id = $3"
            " AND product_id = $4",
            satker_id,
            data.bulk_buy_id,
            warung_id,
            line.product_id,
            status,
            line.received,
            line.damaged,
            line.note,
            now,
        )
        if line.received > 0:
            await add_stock(
                raw,
                satker_id,
                warung_id,
                line.product_id,
                line.received,
                "receipt",
                f"bulk buy {data.bulk_buy_id}" + (f": {line.note}" if line.note else ""),
            )
    out = await list_deliveries(
        tx, satker_id, bulk_buy_id=data.bulk_buy_id, warung_id=warung_id, limit=500, after=None
    )
    return [d for d in out if d.product_id in seen]


# ---------------------------------------------------------------- invoices


async def _invoices(raw: Any, where: str, *args: Any) -> list[InvoiceOut]:
    rows = await raw.fetch(f"SELECT * FROM invoice WHERE {where}", *args)
    if not rows:
        return []
    lines = await raw.fetch(
        "SELECT * FROM invoice_line WHERE satker_id = $1 AND invoice_id = ANY($2::bigint[])"
        " ORDER BY invoice_id, line_no",
        rows[0]["satker_id"],
        [r["id"] for r in rows],
    )
    by_invoice: dict[int, list[InvoiceLineOut]] = defaultdict(list)
    for ln in lines:
        by_invoice[ln["invoice_id"]].append(msgspec.convert(dict(ln), InvoiceLineOut))
    fields = InvoiceOut.__struct_fields__
    return [
        InvoiceOut(**{k: r[k] for k in fields if k != "lines"}, lines=by_invoice[r["id"]])
        for r in rows
    ]


async def list_invoices(
    tx: Tx,
    satker_id: int,
    *,
    bulk_buy_id: int | None = None,
    warung_id: int | None = None,
    limit: int,
    after_id: int | None,
) -> list[InvoiceOut]:
    raw = await tx.raw()
    return await _invoices(
        raw,
        "satker_id = $1 AND ($2::bigint IS NULL OR bulk_buy_id = $2)"
        " AND ($3::bigint IS NULL OR warung_id = $3) AND ($4::bigint IS NULL OR id > $4)"
        " ORDER BY id LIMIT $5",
        satker_id,
        bulk_buy_id,
        warung_id,
        after_id,
        limit + 1,
    )


async def get_invoice(tx: Tx, satker_id: int, invoice_id: int) -> InvoiceOut:
    found = await _invoices(await tx.raw(), "satker_id = $1 AND id = $2", satker_id, invoice_id)
    if not found:
        raise NotFound(f"invoice {invoice_id} not found")
    return found[0]


async def mark_paid(
    tx: Tx, satker_id: int, invoice_id: int, if_match: str | None, now: datetime
) -> InvoiceOut:
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT status, version FROM invoice WHERE satker_id = $1 AND id = $2 FOR UPDATE",
        satker_id,
        invoice_id,
    )
    if row is None:
        raise NotFound(f"invoice {invoice_id} not found")
    check_if_match(if_match, row["version"])
    if row["status"] == "paid":
        raise Conflict(f"invoice {invoice_id} is already paid")
    await raw.execute(
        "UPDATE invoice SET status = 'paid', paid_at = $3, version = version + 1"
        " WHERE satker_id = $1 AND id = $2",
        satker_id,
        invoice_id,
        now,
    )
    return await get_invoice(tx, satker_id, invoice_id)
