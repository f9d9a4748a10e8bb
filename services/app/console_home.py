"""What the console's Beranda shows a coordinator: the satker's open cycles, and which of its
warungs have sent a restock request in the nearest one."""

from __future__ import annotations

from datetime import date, datetime

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


class Home(msgspec.Struct, frozen=True, kw_only=True):
    satker: SatkerHeader
    open_cycles: list[CycleSummary]
    cycle: CycleSummary | None  # the one shown: the chosen, or the nearest cut-off
    next_cycle: CycleSummary | None  # when none is open: the next scheduled
    warungs: list[WarungStatus]

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
                     WHERE l.satker_id = q.satker_id AND l.request_id = q.id) AS lines
            FROM restock_request q
            WHERE q.satker_id = w.satker_id AND q.warung_id = w.id AND q.cycle_id = $2
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
    )
