"""Reports for a satker, in its time zone: savings against the market (per warung, per cycle,
for the satker) and a scorecard per supplier. Each is JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from contracts.api.fulfilment import SavingsReport, SavingsRow, ScorecardReport, SupplierScore
from contracts.errors import NotFound
from services.app.purchase_orders import PAID_LINE_COLUMNS
from services.db.tx import Tx
from services.domain.purchase_order import delivered_value_idr

RATE = Decimal("0.001")


async def _timezone(raw: Any, satker_id: int) -> str:
    tz = await raw.fetchval("SELECT timezone FROM satker WHERE id = $1", satker_id)
    if tz is None:
        raise NotFound(f"satker {satker_id} not found")
    return tz


def _sum_rows(rows: Iterable[SavingsRow], cycle_id: int) -> SavingsRow:
    rows = list(rows)
    return SavingsRow(
        cycle_id=cycle_id,
        warung_id=None,
        warung_name="",
        paid_idr=sum(r.paid_idr for r in rows),
        market_value_idr=sum(r.market_value_idr for r in rows),
        savings_idr=sum(r.savings_idr for r in rows),
        customer_savings_idr=sum(r.customer_savings_idr for r in rows),
    )


async def savings(tx: Tx, satker_id: int, cycle_id: int | None = None) -> SavingsReport:
    """What warungs paid against the market reference, and what their customers save at the
    suggested retail price; the satker's own stock is left out."""
    raw = await tx.raw()
    tz = await _timezone(raw, satker_id)
    found = await raw.fetch(
        """
        SELECT i.cycle_id, i.warung_id, w.name AS warung_name, i.total_idr AS paid_idr,
               i.market_value_idr, i.savings_idr, i.customer_savings_idr
        FROM invoice i JOIN warung w ON w.satker_id = i.satker_id AND w.id = i.warung_id
        WHERE i.satker_id = $1 AND ($2::bigint IS NULL OR i.cycle_id = $2)
        ORDER BY i.cycle_id, i.warung_id
        """,
        satker_id,
        cycle_id,
    )
    rows = [SavingsRow(**dict(r)) for r in found]
    by_cycle: dict[int, list[SavingsRow]] = defaultdict(list)
    for r in rows:
        by_cycle[r.cycle_id].append(r)
    return SavingsReport(
        satker_id=satker_id,
        timezone=tz,
        rows=rows,
        cycles=[_sum_rows(group, c) for c, group in sorted(by_cycle.items())],
        total=_sum_rows(rows, 0),
    )


def _rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(RATE) if whole else None


async def scorecard(tx: Tx, satker_id: int) -> ScorecardReport:
    """Per supplier over the satker's sent orders: fill rate (what was delivered, valued at
    the ordered price, ÷ the ordered value: a price change shows in the price variance, not as
    a fuller delivery), on-time rate (delivered on or before the delivery date, in the
    satker's time zone), mean lead time from sending to delivery, price variance of what was
    paid against the quoted order price, and the warung receipts that came short or damaged."""
    raw = await tx.raw()
    tz = await _timezone(raw, satker_id)
    orders = await raw.fetch(
        """
        SELECT p.id, p.supplier_id, s.name AS supplier_name, p.status, p.delivery_date,
               p.sent_at,
               (SELECT min((e.payload->>'occurred_at')::timestamptz) FROM supplier_event e
                 WHERE e.satker_id = p.satker_id AND e.purchase_order_id = p.id
                   AND e.event_type = 'order.delivered') AS delivered_at
        FROM purchase_order p JOIN supplier s ON s.id = p.supplier_id
        WHERE p.satker_id = $1 AND p.status NOT IN ('draft', 'cancelled')
        ORDER BY p.supplier_id, p.id
        """,
        satker_id,
    )
    lines = await raw.fetch(
        f"""
        SELECT {PAID_LINE_COLUMNS}
        FROM purchase_order_line l JOIN purchase_order p
          ON p.satker_id = l.satker_id AND p.id = l.purchase_order_id
        WHERE l.satker_id = $1 AND p.status NOT IN ('draft', 'cancelled')
        """,
        satker_id,
    )
    discrepancies = dict(
        await raw.fetch(
            "SELECT supplier_id, count(*) FROM warung_delivery WHERE satker_id = $1"
            " AND receipt IN ('short', 'damaged') GROUP BY supplier_id",
            satker_id,
        )
    )
    lines_of: dict[int, list[Any]] = defaultdict(list)
    for ln in lines:
        lines_of[ln["purchase_order_id"]].append(ln)
    by_supplier: dict[int, list[Any]] = defaultdict(list)
    for o in orders:
        by_supplier[o["supplier_id"]].append(o)
    zone = ZoneInfo(tz)
    scores = []
    for supplier_id, group in sorted(by_supplier.items()):
        ordered = delivered = quoted = 0
        on_time = dated = 0
        lead_hours: list[Decimal] = []
        for o in group:
            for ln in lines_of[o["id"]]:
                ordered += ln["packs"] * ln["price_per_pack_idr"]
                units = (ln["delivered"], ln["units_per_pack"])
                delivered += delivered_value_idr(*units, ln["paid_per_pack"])
                quoted += delivered_value_idr(*units, ln["price_per_pack_idr"])
            if o["delivered_at"] is None:
                continue
            if o["delivery_date"] is not None:
                dated += 1
                on_time += o["delivered_at"].astimezone(zone).date() <= o["delivery_date"]
            if o["sent_at"] is not None:
                seconds = (o["delivered_at"] - o["sent_at"]).total_seconds()
                lead_hours.append(Decimal(str(seconds)) / 3600)
        mean_lead = (
            (sum(lead_hours, Decimal(0)) / len(lead_hours)).quantize(Decimal("0.1"))
            if lead_hours
            else None
        )
        scores.append(
            SupplierScore(
                supplier_id=supplier_id,
                supplier_name=group[0]["supplier_name"],
                purchase_orders=len(group),
                ordered_value_idr=ordered,
                delivered_value_idr=delivered,
                fill_rate=_rate(quoted, ordered),
                on_time_rate=_rate(on_time, dated),
                mean_lead_time_hours=mean_lead,
                price_variance=_rate(delivered - quoted, quoted),
                discrepancies=discrepancies.get(supplier_id, 0),
            )
        )
    return ScorecardReport(satker_id=satker_id, timezone=tz, suppliers=scores)


def as_csv(rows: Sequence[msgspec.Struct]) -> str:
    """Rows of one struct type as CSV, a header of its field names; empty cells for nulls."""
    out = io.StringIO()
    if not rows:
        return ""
    fields = type(rows[0]).__struct_fields__
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if getattr(row, f) is None else getattr(row, f) for f in fields])
    return out.getvalue()
