"""Invoices: each warung's bill for a settled bulk buy (written at settlement), and payment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from contracts.api.fulfilment import InvoiceLineOut, InvoiceOut
from contracts.errors import Conflict, NotFound
from services.db.bulk_insert import copy_rows, insert_rows
from services.db.tx import Tx
from services.domain.settlement import (
    SATKER,
    Invoice,
    PaymentTerms,
    invoice_number,
    numbering_order,
)
from services.domain.versioning import check_if_match


async def write_invoices(
    raw: Any,
    satker_id: int,
    bulk_buy_id: int,
    cycle_id: int,
    invoices: Sequence[Invoice],
    *,
    product_of_sku: Mapping[str, int],
    terms_of: Mapping[int, PaymentTerms],
    now: datetime,
) -> None:
    """Store a settlement's invoices with their lines (the satker's own as warung NULL), each
    with the satker's next invoice serial (the counter row is locked until the transaction
    ends, so concurrent settlements of one satker take distinct, gapless serials)."""
    invoices = numbering_order(invoices)
    last = await raw.fetchval(
        "INSERT INTO invoice_counter (satker_id, last_serial) VALUES ($1, $2)"
        " ON CONFLICT (satker_id) DO UPDATE"
        " SET last_serial = invoice_counter.last_serial + EXCLUDED.last_serial"
        " RETURNING last_serial",
        satker_id,
        len(invoices),
    )
    first = last - len(invoices) + 1
    invoice_ids = await insert_rows(
        raw,
        "invoice",
        "satker_id bigint, bulk_buy_id bigint, cycle_id bigint, warung_id bigint,"
        " serial bigint, number varchar, goods_idr bigint, fees_idr bigint, total_idr bigint,"
        " market_value_idr bigint, savings_idr bigint, customer_savings_idr bigint,"
        " due_on date, created_at timestamptz",
        [
            (
                satker_id,
                bulk_buy_id,
                cycle_id,
                None if invoice.party_id == SATKER else invoice.party_id,
                first + n,
                invoice_number(satker_id, first + n),
                invoice.goods_idr,
                invoice.fees_idr,
                invoice.total_idr,
                invoice.market_value_idr,
                invoice.savings_idr,
                invoice.customer_savings_idr,
                invoice.due_on,
                now,
            )
            for n, invoice in enumerate(invoices)
        ],
        returning="id, warung_id",
    )
    invoice_of = {r["warung_id"]: r["id"] for r in invoice_ids}
    await copy_rows(
        raw,
        "invoice_line",
        [
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
        ],
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
