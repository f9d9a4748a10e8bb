"""What a warung owner's phone pages read: Beranda (the open cycle, this warung's request in
it, deliveries on the way, unpaid invoices, savings), and the restock form (the catalogue of a
cycle, the request already in it, how full the satker's next carton of each product is, and the
last known cost and suggested retail price). Every read is scoped by the warung's principal.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from contracts.api.demand import SuggestionLineOut
from contracts.errors import NotFound
from services.app.console_home import CycleSummary
from services.app.container import Container
from services.app.tenancy import resolve_warung
from services.auth import Principal
from services.db.tx import Tx
from services.domain.pack_fill import PackFill, pack_fill

# a request counts in the satker's demand once submitted; a draft is not yet in the cycle
SENT = ("submitted", "locked", "consolidated", "ordered", "delivered", "received")
_CYCLE_COLUMNS = "id, name, status, categories, opens_at, cutoff_at, delivery_date"


CycleView = CycleSummary
"""A cycle as the owner's pages show it: the same as the console's."""


class RequestState(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    cycle_id: int
    status: str
    version: int
    lines: int


class OpenCycle(msgspec.Struct, frozen=True, kw_only=True):
    cycle: CycleView
    request: RequestState | None


class WarungHome(msgspec.Struct, frozen=True, kw_only=True):
    cycles: list[OpenCycle]  # open cycles, nearest cut-off first
    next_cycle: CycleView | None  # when none is open: the next scheduled
    on_the_way: int  # requests ordered from suppliers, not yet delivered
    to_receive: int  # delivered lines waiting for this warung's receipt
    unpaid_count: int
    unpaid_idr: int
    next_due: date | None
    savings_idr: int  # against the market, over every invoice so far


async def cycles_where(raw: Any, satker_id: int, where: str, *args: Any) -> list[CycleView]:
    rows = await raw.fetch(
        f"SELECT {_CYCLE_COLUMNS} FROM order_cycle WHERE satker_id = $1 AND {where}",
        satker_id,
        *args,
    )
    return [CycleView(**dict(r)) for r in rows]


async def _requests(raw: Any, satker_id: int, warung_id: int, cycle_ids: list[int]) -> Any:
    rows = await raw.fetch(
        """
        SELECT DISTINCT ON (r.cycle_id) r.id, r.cycle_id, r.status, r.version,
            (SELECT count(*) FROM restock_line l
              WHERE l.satker_id = r.satker_id AND l.request_id = r.id) AS lines
        FROM restock_request r
        WHERE r.satker_id = $1 AND r.warung_id = $2 AND r.cycle_id = ANY($3::bigint[])
          AND r.status <> 'cancelled'
        ORDER BY r.cycle_id, r.id DESC
        """,
        satker_id,
        warung_id,
        cycle_ids,
    )
    return {r["cycle_id"]: RequestState(**dict(r)) for r in rows}


async def warung_home(tx: Tx, principal: Principal, warung_id: int, now: datetime) -> WarungHome:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    cycles = await cycles_where(raw, satker_id, "status = 'open' ORDER BY cutoff_at, id")
    upcoming = None
    if not cycles:
        found = await cycles_where(
            raw,
            satker_id,
            "status = 'scheduled' AND cutoff_at > $2 ORDER BY opens_at, id LIMIT 1",
            now,
        )
        upcoming = found[0] if found else None
    mine = await _requests(raw, satker_id, warung_id, [c.id for c in cycles])
    counts = await raw.fetchrow(
        """
        SELECT
          (SELECT count(*) FROM restock_request WHERE satker_id = $1 AND warung_id = $2
             AND status IN ('locked', 'consolidated', 'ordered')) AS on_the_way,
          (SELECT count(*) FROM warung_delivery WHERE satker_id = $1 AND warung_id = $2
             AND receipt = 'pending') AS to_receive,
          (SELECT count(*) FROM invoice WHERE satker_id = $1 AND warung_id = $2
             AND status <> 'paid') AS unpaid_count,
          (SELECT coalesce(sum(total_idr), 0) FROM invoice WHERE satker_id = $1
             AND warung_id = $2 AND status <> 'paid') AS unpaid_idr,
          (SELECT min(due_on) FROM invoice WHERE satker_id = $1 AND warung_id = $2
             AND status <> 'paid') AS next_due,
          (SELECT coalesce(sum(savings_idr), 0) FROM invoice WHERE satker_id = $1
             AND warung_id = $2) AS savings_idr
        """,
        satker_id,
        warung_id,
    )
    return WarungHome(
        cycles=[OpenCycle(cycle=c, request=mine.get(c.id)) for c in cycles],
        next_cycle=upcoming,
        **{k: counts[k] for k in counts.keys()},
    )


class OrderRow(msgspec.Struct, frozen=True, kw_only=True):
    """One product on the restock form."""

    product_id: int
    name: str
    retail_unit: str
    fractional: bool
    category: str
    quantity: Decimal  # in the request, else the suggestion, else 0
    suggested: Decimal | None  # the suggestion's quantity, and what it comes from:
    on_hand: Decimal | None
    minimum: Decimal | None
    preorder_quantity: Decimal | None
    for_preorder: bool
    unit_cost_idr: int | None  # the last bulk buy's landed unit cost
    suggested_retail_idr: int | None
    pack_name: str | None
    fill: PackFill | None  # the satker's next pack of it, from the cycle's submitted demand


class OrderForm(msgspec.Struct, frozen=True, kw_only=True):
    cycle: CycleView
    request: RequestState | None
    rows: list[OrderRow]


async def order_cycle(
    tx: Tx, principal: Principal, warung_id: int, cycle_id: int | None
) -> tuple[list[CycleView], CycleView | None]:
    """The satker's open cycles and the one the form is for (the chosen, or the nearest)."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    cycles = await cycles_where(raw, satker_id, "status = 'open' ORDER BY cutoff_at, id")
    if cycle_id is None:
        return cycles, cycles[0] if cycles else None
    chosen = await cycles_where(raw, satker_id, "id = $2", cycle_id)
    if not chosen:
        raise NotFound(f"order cycle {cycle_id} not found")
    return cycles, chosen[0]


async def products_info(
    raw: Any, satker_id: int, cycle_id: int, product_ids: list[int]
) -> dict[int, dict[str, Any]]:
    """Per product: name, unit, the largest pack, the cycle's submitted demand across the
    satker, and the latest bulk buy's landed cost and suggested retail."""
    rows = await raw.fetch(
        """
        SELECT p.id, p.name, p.retail_unit, p.fractional, p.category,
            pk.pack_name, pk.units_per_pack,
            (SELECT coalesce(sum(l.quantity), 0) FROM restock_line l
               JOIN restock_request r ON r.satker_id = l.satker_id AND r.id = l.request_id
              WHERE r.satker_id = $1 AND r.cycle_id = $2 AND l.product_id = p.id
                AND r.status = ANY($4::varchar[])) AS demand,
            bl.unit_cost_idr, bl.suggested_retail_idr
        FROM product p
        LEFT JOIN LATERAL (
            SELECT pack_name, units_per_pack FROM product_pack
            WHERE product_id = p.id AND units_per_pack > 1
            ORDER BY units_per_pack DESC, id LIMIT 1
        ) pk ON true
        LEFT JOIN LATERAL (
            SELECT unit_cost_idr, suggested_retail_idr FROM bulk_buy_line
            WHERE satker_id = $1 AND product_id = p.id AND unit_cost_idr IS NOT NULL
            ORDER BY bulk_buy_id DESC LIMIT 1
        ) bl ON true
        WHERE p.id = ANY($3::bigint[])
        """,
        satker_id,
        cycle_id,
        product_ids,
        list(SENT),
    )
    return {r["id"]: dict(r) for r in rows}


def order_row(
    info: dict[str, Any],
    *,
    quantity: Decimal,
    hint: SuggestionLineOut | None = None,
    for_preorder: bool = False,
) -> OrderRow:
    per_pack = info["units_per_pack"]
    return OrderRow(
        product_id=info["id"],
        name=info["name"],
        retail_unit=info["retail_unit"],
        fractional=info["fractional"],
        category=info["category"],
        quantity=quantity,
        suggested=hint.quantity if hint else None,
        on_hand=hint.on_hand if hint else None,
        minimum=hint.minimum if hint else None,
        preorder_quantity=hint.preorder_quantity if hint else None,
        for_preorder=for_preorder,
        unit_cost_idr=info["unit_cost_idr"],
        suggested_retail_idr=info["suggested_retail_idr"],
        pack_name=info["pack_name"],
        fill=pack_fill(info["demand"], per_pack) if per_pack is not None else None,
    )


async def search_catalogue(
    tx: Tx,
    principal: Principal,
    warung_id: int,
    cycle: CycleView,
    text: str,
    exclude: set[int],
    limit: int = 20,
) -> list[OrderRow]:
    """Active products of the cycle's categories whose name contains ``text``."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    ids = [
        r["id"]
        for r in await raw.fetch(
            "SELECT id FROM product WHERE active AND category = ANY($1::varchar[])"
            " AND name ILIKE $2 AND NOT (id = ANY($3::bigint[])) ORDER BY name LIMIT $4",
            cycle.categories,
            pattern,
            list(exclude),
            limit,
        )
    ]
    info = await products_info(raw, satker_id, cycle.id, ids)
    rows = [order_row(info[i], quantity=Decimal(0)) for i in ids if i in info]
    return rows


async def request_in(
    tx: Tx, principal: Principal, warung_id: int, cycle_id: int
) -> RequestState | None:
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    return (await _requests(raw, satker_id, warung_id, [cycle_id])).get(cycle_id)


async def order_form(
    tx: Tx, container: Container, principal: Principal, warung_id: int, cycle: CycleView
) -> OrderForm:
    """The restock form of a cycle: the warung's request in it (its quantities), else the
    suggestion pre-filled; suggestion lines outside the request are offered at 0."""
    from services.app import restock, restock_suggestion

    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    request = await request_in(tx, principal, warung_id, cycle.id)
    in_request: dict[int, tuple[Decimal, bool]] = {}
    if request is not None:
        full = await restock.get_request(tx, principal, request.id)
        in_request = {ln.product_id: (ln.quantity, ln.for_preorder) for ln in full.lines}
    hint = await restock_suggestion.restock_suggestion(tx, container, principal, warung_id)
    suggested = {ln.product_id: ln for ln in hint.lines}
    info = await products_info(raw, satker_id, cycle.id, [*in_request, *suggested])
    rows: list[OrderRow] = []
    for pid in [*in_request, *(p for p in suggested if p not in in_request)]:
        if pid not in info or info[pid]["category"] not in cycle.categories:
            continue
        s = suggested.get(pid)
        quantity, for_preorder = in_request.get(
            pid,
            (
                s.quantity if (s is not None and request is None) else Decimal(0),
                bool(s is not None and s.preorder_quantity > 0),
            ),
        )
        rows.append(
            order_row(
                info[pid],
                quantity=quantity,
                hint=s,
                for_preorder=for_preorder,
            )
        )
    return OrderForm(cycle=cycle, request=request, rows=rows)


class ProductLabel(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    retail_unit: str
    fractional: bool


async def product_labels(tx: Tx, ids: list[int]) -> dict[int, ProductLabel]:
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT id, name, retail_unit, fractional FROM product WHERE id = ANY($1::bigint[])",
        ids,
    )
    return {r["id"]: ProductLabel(**dict(r)) for r in rows}


async def sold_products(tx: Tx, limit: int = 500) -> list[ProductLabel]:
    """The active catalogue, by name: what a customer may pre-order."""
    raw = await tx.raw()
    rows = await raw.fetch(
        "SELECT id, name, retail_unit, fractional FROM product WHERE active ORDER BY name LIMIT $1",
        limit,
    )
    return [ProductLabel(**dict(r)) for r in rows]


async def next_cutoff(
    tx: Tx, principal: Principal, warung_id: int, categories: list[str] | None, now: datetime
) -> datetime | None:
    """The next cut-off (by the cut-off rule) of a cycle taking ``categories`` (any, if None)."""
    from services.domain import cycle as cycle_rules

    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    rows = await raw.fetch(
        "SELECT status, opens_at, cutoff_at, categories FROM order_cycle"
        " WHERE satker_id = $1 AND status = ANY($2::varchar[]) AND cutoff_at > $3",
        satker_id,
        list(cycle_rules.ACCEPTING),
        now,
    )
    states = [
        cycle_rules.CycleState(
            status=r["status"],
            opens_at=r["opens_at"],
            cutoff_at=r["cutoff_at"],
            categories=tuple(r["categories"]),
        )
        for r in rows
    ]
    return cycle_rules.next_cutoff(states, categories or [], now)
