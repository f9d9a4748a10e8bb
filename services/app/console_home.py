"""What the console's Beranda shows a coordinator: the satker's open cycles, which of its
warungs have sent a restock request in the nearest one, the purchase orders in flight, and
what needs the coordinator now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from contracts.errors import NotFound
from services.auth import Principal, Role
from services.db.tx import Tx

# a request counts as sent once submitted; a draft is not yet in the cycle
SENT = ("submitted", "locked", "consolidated", "ordered", "delivered", "received")


class SatkerHeader(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    kecamatan: str
    kota: str
    timezone: str


class CycleSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    status: str
    categories: list[str]
    opens_at: datetime
    cutoff_at: datetime
    delivery_date: date


class WarungStatus(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    owner_name: str
    phone: str
    request_id: int | None
    request_status: str | None  # None: nothing in this cycle
    lines: int

    @property
    def sent(self) -> bool:
        return self.request_status in SENT


# purchase orders that are out with a supplier and not yet delivered or ended
IN_FLIGHT = ("draft", "sent", "confirmed", "changed", "despatched")


class OrderInFlight(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    po_number: str
    supplier_name: str
    status: str
    total_idr: int
    delivery_date: date | None


class Attention(msgspec.Struct, frozen=True, kw_only=True):
    """What waits for the coordinator, each with where it is handled."""

    held_prices: int  # purchase-order lines whose price rise is held
    held_order_id: int | None  # the order of the oldest one
    receipt_issues: int  # warung receipts reported short or damaged
    dead_letters: int  # outbox rows that gave up sending to a supplier
    dead_order_id: int | None  # the order of the oldest one
    overdue_invoices: int
    overdue_idr: int

    @property
    def anything(self) -> bool:
        return bool(
            self.held_prices or self.receipt_issues or self.dead_letters or self.overdue_invoices
        )


class Home(msgspec.Struct, frozen=True, kw_only=True):
    satker: SatkerHeader
    open_cycles: list[CycleSummary]
    cycle: CycleSummary | None  # the one shown: the chosen, or the nearest cut-off
    next_cycle: CycleSummary | None  # when none is open: the next scheduled
    warungs: list[WarungStatus]
    in_flight: list[OrderInFlight] = []
    attention: Attention | None = None

    @property
    def sent_count(self) -> int:
        return sum(1 for w in self.warungs if w.sent)


async def satker_header(tx: Tx, principal: Principal, satker_id: int) -> SatkerHeader:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    row = await raw.fetchrow(
        "SELECT id, name, kecamatan, kota, timezone FROM satker WHERE id = $1", satker_id
    )
    if row is None:
        raise NotFound(f"satker {satker_id} not found")
    return SatkerHeader(**dict(row))


async def list_satkers(tx: Tx, principal: Principal) -> list[SatkerHeader]:
    """The satkers this person may open: all for an admin, their own for a coordinator."""
    principal.require(Role.ADMIN, Role.COORDINATOR)
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT id, name, kecamatan, kota, timezone FROM satker"
        " WHERE $1::bigint IS NULL OR id = $1 ORDER BY name",
        None if principal.role == Role.ADMIN else principal.satker_id,
    )
    return [SatkerHeader(**dict(r)) for r in rows]


async def console_home(
    tx: Tx, principal: Principal, satker_id: int, now: datetime, cycle_id: int | None = None
) -> Home:
    satker = await satker_header(tx, principal, satker_id)
    raw = await tx.raw()
    cycles = [
        CycleSummary(**dict(r))
        for r in await raw.fetch(
            "SELECT id, name, status, categories, opens_at, cutoff_at, delivery_date"
            " FROM order_cycle WHERE satker_id = $1 AND status = 'open' ORDER BY cutoff_at, id",
            satker_id,
        )
    ]
    chosen = next((c for c in cycles if c.id == cycle_id), cycles[0] if cycles else None)
    if cycle_id is not None and (chosen is None or chosen.id != cycle_id):
        raise NotFound(f"open cycle {cycle_id} not found")
    upcoming = None
    if chosen is None:
        row = await raw.fetchrow(
            "SELECT id, name, status, categories, opens_at, cutoff_at, delivery_date"
            " FROM order_cycle WHERE satker_id = $1 AND status = 'scheduled' AND cutoff_at > $2"
            " ORDER BY opens_at, id LIMIT 1",
            satker_id,
            now,
        )
        upcoming = CycleSummary(**dict(row)) if row else None
    rows = await raw.fetch(
        """
        SELECT w.id, w.name, w.owner_name, w.phone, r.id AS request_id,
               r.status AS request_status, coalesce(r.lines, 0) AS lines
        FROM warung w
        LEFT JOIN LATERAL (
            SELECT q.id, q.status,
                   (SELECT count(*) FROM restock_line l
                     WHERE l.satker_id = $1 AND l.request_id = q.id) AS lines
            FROM restock_request q
            WHERE q.satker_id = $1 AND q.warung_id = w.id AND q.cycle_id = $2
              AND q.status <> 'cancelled'
            ORDER BY q.id DESC LIMIT 1
        ) r ON true
        WHERE w.satker_id = $1 AND w.active
        ORDER BY w.name
        """,
        satker_id,
        chosen.id if chosen else None,
    )
    return Home(
        satker=satker,
        open_cycles=cycles,
        cycle=chosen,
        next_cycle=upcoming,
        warungs=[WarungStatus(**dict(r)) for r in rows],
        in_flight=await orders_in_flight(raw, satker_id),
        attention=await attention(raw, satker_id, now.astimezone(ZoneInfo(satker.timezone)).date()),
    )


async def orders_in_flight(raw: Any, satker_id: int, limit: int = 20) -> list[OrderInFlight]:
    rows = await raw.fetch(
        "SELECT p.id, p.po_number, s.name AS supplier_name, p.status,"
        " p.goods_idr + p.delivery_fee_idr AS total_idr, p.delivery_date"
        " FROM purchase_order p JOIN supplier s ON s.id = p.supplier_id"
        " WHERE p.satker_id = $1 AND p.status = ANY($2::text[])"
        " ORDER BY p.delivery_date NULLS LAST, p.id LIMIT $3",
        satker_id,
        list(IN_FLIGHT),
        limit,
    )
    return [OrderInFlight(**dict(r)) for r in rows]


async def attention(raw: Any, satker_id: int, today: date) -> Attention:
    """Counts of what needs the coordinator; a warung's invoice is overdue by
    :func:`services.domain.settlement.is_overdue` (open, due before today)."""
    row = await raw.fetchrow(
        """
        SELECT
          (SELECT count(*) FROM purchase_order_line
            WHERE satker_id = $1 AND status = 'pending_approval') AS held_prices,
          (SELECT min(purchase_order_id) FROM purchase_order_line
            WHERE satker_id = $1 AND status = 'pending_approval') AS held_order_id,
          (SELECT count(*) FROM warung_delivery
            WHERE satker_id = $1 AND receipt IN ('short', 'damaged')) AS receipt_issues,
          (SELECT count(*) FROM outbox WHERE satker_id = $1 AND status = 'dead') AS dead_letters,
          (SELECT min(purchase_order_id) FROM outbox
            WHERE satker_id = $1 AND status = 'dead') AS dead_order_id,
          (SELECT count(*) FROM invoice
            WHERE satker_id = $1 AND warung_id IS NOT NULL AND status = 'open' AND due_on < $2)
            AS overdue_invoices,
          (SELECT coalesce(sum(total_idr), 0) FROM invoice
            WHERE satker_id = $1 AND warung_id IS NOT NULL AND status = 'open'
            AND due_on < $2)::bigint AS overdue_idr
        """,
        satker_id,
        today,
    )
    return Attention(**dict(row))
