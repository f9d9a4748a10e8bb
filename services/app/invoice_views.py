"""Reading invoices and deliveries for the coordinator: each warung's balance owed and what is
overdue, a cycle's invoices ready to print (with names, units and terms), and the deliveries
whose receipt was short or damaged."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec

from contracts.api.fulfilment import InvoiceOut, WarungBalanceOut
from contracts.errors import NotFound
from services.app import invoices as invoice_store
from services.db.tx import Tx
from services.domain.settlement import is_overdue


def satker_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


async def _timezone(tx: Tx, satker_id: int) -> str:
    raw = await tx.raw()
    tz = await raw.fetchval("SELECT timezone FROM satker WHERE id = $1", satker_id)
    if tz is None:
        raise NotFound(f"satker {satker_id} not found")
    return tz


async def balances(tx: Tx, satker_id: int, now: datetime) -> list[WarungBalanceOut]:
    """Per warung with an invoice: what it owes on open invoices, and how much of that is past
    its due date (in the satker's own calendar)."""
    today = satker_today(now, await _timezone(tx, satker_id))
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT i.warung_id, w.name AS warung_name, i.status, i.due_on, i.total_idr"
        " FROM invoice i JOIN warung w ON w.satker_id = i.satker_id AND w.id = i.warung_id"
        " WHERE i.satker_id = $1 ORDER BY w.name, i.warung_id",
        satker_id,
    )
    out: dict[int, dict] = {}
    for r in rows:
        b = out.setdefault(
            r["warung_id"],
            {
                "warung_id": r["warung_id"],
                "warung_name": r["warung_name"],
                "open_invoices": 0,
                "owed_idr": 0,
                "overdue_invoices": 0,
                "overdue_idr": 0,
                "oldest_due_on": None,
            },
        )
        if r["status"] != "open":
            continue
        b["open_invoices"] += 1
        b["owed_idr"] += r["total_idr"]
        if is_overdue(r["status"], r["due_on"], today):
            b["overdue_invoices"] += 1
            b["overdue_idr"] += r["total_idr"]
            if b["oldest_due_on"] is None or r["due_on"] < b["oldest_due_on"]:
                b["oldest_due_on"] = r["due_on"]
    return [WarungBalanceOut(**b) for b in out.values()]


class InvoiceParty(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    owner_name: str
    address: str
    phone: str


class InvoiceDocumentLine(msgspec.Struct, frozen=True, kw_only=True):
    product_name: str
    sku: str
    unit: str
    quantity: Decimal
    supplier_name: str
    terms: str
    goods_idr: int
    fee_idr: int
    due_on: date | None


class InvoiceDocument(msgspec.Struct, frozen=True, kw_only=True):
    """An invoice as it is printed: its numbers, who it is for, and named lines."""

    invoice: InvoiceOut
    party: InvoiceParty | None  # None: the satker's own stock
    cycle_name: str
    issued_at: datetime
    overdue: bool
    lines: list[InvoiceDocumentLine]


class CycleInvoices(msgspec.Struct, frozen=True, kw_only=True):
    cycle_id: int
    cycle_name: str
    bulk_buy_id: int
    invoices: int
    total_idr: int
    open_idr: int


async def invoiced_cycles(tx: Tx, satker_id: int) -> list[CycleInvoices]:
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT i.cycle_id, c.name AS cycle_name, i.bulk_buy_id, count(*) AS invoices,"
        " sum(i.total_idr)::bigint AS total_idr,"
        " coalesce(sum(i.total_idr) FILTER (WHERE i.status = 'open'), 0)::bigint AS open_idr"
        " FROM invoice i JOIN order_cycle c ON c.satker_id = i.satker_id AND c.id = i.cycle_id"
        " WHERE i.satker_id = $1 GROUP BY i.cycle_id, c.name, i.bulk_buy_id"
        " ORDER BY i.bulk_buy_id DESC LIMIT 100",
        satker_id,
    )
    return [CycleInvoices(**dict(r)) for r in rows]


async def invoice_documents(
    tx: Tx,
    satker_id: int,
    now: datetime,
    *,
    invoice_id: int | None = None,
    bulk_buy_id: int | None = None,
) -> list[InvoiceDocument]:
    """One invoice, or all of a bulk buy's (a cycle's), in number order, ready to print."""
    today = satker_today(now, await _timezone(tx, satker_id))
    if invoice_id is not None:
        found = [await invoice_store.get_invoice(tx, satker_id, invoice_id)]
    else:
        found = await invoice_store.list_invoices(
            tx, satker_id, bulk_buy_id=bulk_buy_id, limit=10_000, after_id=None
        )
    if not found:
        return []
    raw = await tx.raw()
    ids = [i.id for i in found]
    meta = {
        r["id"]: r
        for r in await raw.fetch(
            "SELECT i.id, i.created_at, c.name AS cycle_name, w.name, w.owner_name, w.address,"
            " w.phone FROM invoice i"
            " JOIN order_cycle c ON c.satker_id = $1 AND c.id = i.cycle_id"
            " LEFT JOIN warung w ON w.satker_id = $1 AND w.id = i.warung_id"
            " WHERE i.satker_id = $1 AND i.id = ANY($2::bigint[])",
            satker_id,
            ids,
        )
    }
    products = {
        r["id"]: r
        for r in await raw.fetch(
            "SELECT id, name, retail_unit FROM product WHERE id = ANY($1::bigint[])",
            list({ln.product_id for i in found for ln in i.lines}),
        )
    }
    suppliers = {
        r["id"]: r["name"]
        for r in await raw.fetch(
            "SELECT id, name FROM supplier WHERE id = ANY($1::bigint[])",
            list({ln.supplier_id for i in found for ln in i.lines}),
        )
    }
    docs = []
    for inv in sorted(found, key=lambda i: i.serial):
        m = meta[inv.id]
        party = (
            None
            if inv.warung_id is None
            else InvoiceParty(
                name=m["name"], owner_name=m["owner_name"], address=m["address"], phone=m["phone"]
            )
        )
        lines = [
            InvoiceDocumentLine(
                product_name=products[ln.product_id]["name"],
                sku=ln.sku,
                unit=products[ln.product_id]["retail_unit"],
                quantity=ln.quantity,
                supplier_name=suppliers[ln.supplier_id],
                terms=ln.terms,
                goods_idr=ln.goods_idr,
                fee_idr=ln.fee_idr,
                due_on=ln.due_on,
            )
            for ln in inv.lines
        ]
        docs.append(
            InvoiceDocument(
                invoice=inv,
                party=party,
                cycle_name=m["cycle_name"],
                issued_at=m["created_at"],
                overdue=is_overdue(inv.status, inv.due_on, today),
                lines=lines,
            )
        )
    return docs


class DeliveryIssue(msgspec.Struct, frozen=True, kw_only=True):
    bulk_buy_id: int
    cycle_name: str
    warung_id: int
    warung_name: str
    product_name: str
    unit: str
    supplier_name: str
    expected: Decimal
    received: Decimal | None
    damaged: Decimal | None
    receipt: str  # short | damaged
    note: str
    received_at: datetime | None


async def delivery_issues(tx: Tx, satker_id: int, limit: int = 200) -> list[DeliveryIssue]:
    """Receipts a warung reported short or damaged, newest first."""
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT d.bulk_buy_id, c.name AS cycle_name, d.warung_id, w.name AS warung_name,"
        " p.name AS product_name, p.retail_unit AS unit, s.name AS supplier_name,"
        " d.allocated + d.surplus AS expected, d.received, d.damaged, d.receipt, d.note,"
        " d.received_at"
        " FROM warung_delivery d"
        " JOIN warung w ON w.satker_id = d.satker_id AND w.id = d.warung_id"
        " JOIN product p ON p.id = d.product_id JOIN supplier s ON s.id = d.supplier_id"
        " JOIN settlement t ON t.satker_id = d.satker_id AND t.bulk_buy_id = d.bulk_buy_id"
        " JOIN order_cycle c ON c.satker_id = t.satker_id AND c.id = t.cycle_id"
        " WHERE d.satker_id = $1 AND d.receipt IN ('short', 'damaged')"
        " ORDER BY d.received_at DESC NULLS LAST, d.bulk_buy_id DESC, w.name LIMIT $2",
        satker_id,
        limit,
    )
    return [DeliveryIssue(**dict(r)) for r in rows]


class InvoicesOverview(msgspec.Struct, frozen=True, kw_only=True):
    """The console's Penerimaan & tagihan: receipts to look at, balances, one cycle's invoices."""

    cycles: list[CycleInvoices]
    chosen: CycleInvoices | None  # the cycle shown: the one asked for, else the latest
    invoices: list[InvoiceDocument]
    balances: list[WarungBalanceOut]
    issues: list[DeliveryIssue]


async def overview(
    tx: Tx, satker_id: int, now: datetime, cycle_id: int | None = None
) -> InvoicesOverview:
    cycles = await invoiced_cycles(tx, satker_id)
    chosen = next((c for c in cycles if c.cycle_id == cycle_id), cycles[0] if cycles else None)
    if cycle_id is not None and (chosen is None or chosen.cycle_id != cycle_id):
        raise NotFound(f"no invoices for cycle {cycle_id}")
    docs = (
        await invoice_documents(tx, satker_id, now, bulk_buy_id=chosen.bulk_buy_id)
        if chosen
        else []
    )
    return InvoicesOverview(
        cycles=cycles,
        chosen=chosen,
        invoices=docs,
        balances=await balances(tx, satker_id, now),
        issues=await delivery_issues(tx, satker_id),
    )


async def cycle_invoices(
    tx: Tx, satker_id: int, now: datetime, cycle_id: int
) -> tuple[CycleInvoices, list[InvoiceDocument]]:
    """All of a cycle's invoices, to print in one go (404 for a cycle with none)."""
    for c in await invoiced_cycles(tx, satker_id):
        if c.cycle_id == cycle_id:
            return c, await invoice_documents(tx, satker_id, now, bulk_buy_id=c.bulk_buy_id)
    raise NotFound(f"no invoices for cycle {cycle_id}")
