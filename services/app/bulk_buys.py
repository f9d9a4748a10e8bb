"""Building a bulk buy from a closed cycle: consolidate the warungs' lines, ask every supplier
for a quote at once, split, price, and store the proposal for the coordinator's review.

Suppliers may take up to ``quote_deadline_seconds`` to answer, so a build never holds a
connection or a row lock while they do. It goes in three steps:

1. **claim** (a short transaction of its own): lock the cycle and its bulk buy, check both
   may be quoted, mark the bulk buy ``draft`` (quoting) with a new version, and read every
   input (demand lines, suppliers and their price boards, market prices, HET, margins);
2. **propose** with no connection held: the quotes, concurrently; the consolidation, the
   split (HiGHS releases the GIL while it solves) and the pricing in a worker thread, so the
   event loop keeps serving other requests;
3. **store** (in the caller's transaction): lock the cycle and the bulk buy again and write
   only if neither changed since the claim; otherwise a 409 and the other change stands.

A proposal that fails before it is stored gives the claim back (the bulk buy returns to the
state it was claimed from). The rules are in :mod:`services.domain.bulk_buy`.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
import structlog

from contracts.adapter import QuoteItem, QuoteRequest
from contracts.api.bulk_buy import BulkBuyOut
from contracts.errors import Conflict, NotFound
from services.app.bulk_buy_proposal import (
    Inputs,
    Proposal,
    consolidate_lines,
    read_inputs,
    split_and_price,
)
from services.app.bulk_buy_quotes import Answer, quote_suppliers
from services.app.bulk_buy_review import mark_dropped_lines
from services.app.bulk_buy_views import get_bulk_buy
from services.app.container import Container
from services.db.tx import Tx
from services.domain.bulk_buy import (
    Action,
    BulkBuyStatus,
    ClaimedVersions,
    check_claim_held,
    check_cycle_quotable,
    move,
    stale_claims_before,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Claim:
    satker_id: int
    cycle_id: int
    bulk_buy_id: int
    versions: ClaimedVersions
    previous_status: str | None  # None: the claim created the bulk buy
    pins: dict[str, int]
    inputs: Inputs


async def build_bulk_buy(
    tx: Tx,
    container: Container,
    satker_id: int,
    cycle_id: int,
    now: datetime,
    pins: dict[str, int] | None = None,
) -> BulkBuyOut:
    """Build (or quote again) the bulk buy of a closed cycle. The claim runs in a transaction
    of its own; ``tx`` is used only to store the result, after every supplier has answered."""
    async with Tx(container.engine) as claiming:
        claimed = await claim_for_quoting(claiming, satker_id, cycle_id, now, pins or {})
    return await complete(tx, container, claimed, now)


async def build_closed_cycles(container: Container, now: datetime) -> int:
    """Build the bulk buy of every cycle that closed without one (or whose build died
    mid-way); a cycle another process is claiming or quoting is left to it."""
    built = 0
    while True:
        async with Tx(container.engine) as tx:
            raw = await tx.raw()
            cycle = await _claim_closed_cycle(
                raw, stale_claims_before(now, container.settings.quote_deadline_seconds)
            )
            if cycle is None:
                return built
            taken = await claim_for_quoting(tx, cycle["satker_id"], cycle["id"], now, {})
        try:
            async with Tx(container.engine) as tx:
                await complete(tx, container, taken, now)
        except Conflict as exc:  # another build claimed it meanwhile; its result stands
            log.info("bulk_buy_superseded", cycle=taken.cycle_id, detail=exc.detail)
            continue
        built += 1


_UNBUILT = """
    c.status = 'closed' AND NOT EXISTS (
        SELECT 1 FROM bulk_buy b WHERE b.satker_id = c.satker_id AND b.cycle_id = c.id
          AND NOT (b.status = 'draft' AND b.updated_at < $1))
"""


async def _claim_closed_cycle(raw: Any, stale_before: datetime) -> Any:
    """Row-lock the closed cycle without a bulk buy with the earliest cut-off that no other
    worker holds. Candidates are read unlocked and locked one by one by key, so each lock
    is taken on one satker's shard (Citus locks no rows across shards)."""
    candidates = await raw.fetch(
        f"SELECT c.satker_id, c.id FROM order_cycle c WHERE {_UNBUILT}"
        " ORDER BY c.cutoff_at, c.satker_id, c.id LIMIT 50",
        stale_before,
    )
    for candidate in candidates:
        cycle = await raw.fetchrow(
            f"SELECT c.satker_id, c.id FROM order_cycle c"
            f" WHERE c.satker_id = $2 AND c.id = $3 AND {_UNBUILT} FOR UPDATE OF c SKIP LOCKED",
            stale_before,
            candidate["satker_id"],
            candidate["id"],
        )
        if cycle is not None:
            return cycle
    return None


# ---------------------------------------------------------------- 1. claim


async def claim_for_quoting(
    tx: Tx, satker_id: int, cycle_id: int, now: datetime, pins: dict[str, int]
) -> Claim:
    """Mark the cycle's bulk buy as being quoted (creating it the first time) and read what
    its proposal needs; the versions seen are what the store checks."""
    raw = await tx.raw()
    satker = await raw.fetchrow("SELECT * FROM satker WHERE id = $1", satker_id)
    cycle = await raw.fetchrow(
        "SELECT * FROM order_cycle WHERE satker_id = $1 AND id = $2 FOR UPDATE", satker_id, cycle_id
    )
    if satker is None or cycle is None:
        raise NotFound(f"cycle {cycle_id} not found")
    check_cycle_quotable(cycle["status"])
    existing = await raw.fetchrow(
        "SELECT id, status FROM bulk_buy WHERE satker_id = $1 AND cycle_id = $2 FOR UPDATE",
        satker_id,
        cycle_id,
    )
    if existing is None:
        bb = await raw.fetchrow(
            "INSERT INTO bulk_buy (satker_id, cycle_id, status, pack_policy, updated_at)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id, version",
            satker_id,
            cycle_id,
            str(BulkBuyStatus.DRAFT),
            satker["pack_policy"],
            now,
        )
    else:
        bb = await raw.fetchrow(
            "UPDATE bulk_buy SET status = $3, version = version + 1, updated_at = $4"
            " WHERE satker_id = $1 AND id = $2 RETURNING id, version",
            satker_id,
            existing["id"],
            str(move(existing["status"], Action.QUOTE)),
            now,
        )
    return Claim(
        satker_id=satker_id,
        cycle_id=cycle_id,
        bulk_buy_id=bb["id"],
        versions=ClaimedVersions(bulk_buy_version=bb["version"], cycle_version=cycle["version"]),
        previous_status=existing["status"] if existing is not None else None,
        pins=pins,
        inputs=await read_inputs(raw, satker, cycle, now),
    )


# ---------------------------------------------------------------- 2. propose


async def complete(tx: Tx, container: Container, claim: Claim, now: datetime) -> BulkBuyOut:
    """Quote, split and price a claimed bulk buy with no connection held, then store it in
    ``tx``; a failure before the store gives the claim back."""
    try:
        proposal = await _propose(container, claim)
    except BaseException:
        await _give_back(container.engine, claim, now)
        raise
    return await _store(tx, claim, proposal, now)


async def _propose(container: Container, claim: Claim) -> Proposal:
    inputs = claim.inputs
    demand, units = await asyncio.to_thread(consolidate_lines, inputs.lines)
    answers: dict[int, Answer] = {}
    if demand:
        request = QuoteRequest(
            reference=f"BB-{claim.satker_id}-{claim.cycle_id}",
            region=inputs.region,
            items=tuple(
                QuoteItem(sku=d.sku, quantity=d.quantity, retail_unit=units[d.sku]) for d in demand
            ),
            delivery_date=inputs.delivery_date,
        )
        answers = await quote_suppliers(container, inputs.suppliers, request, inputs.boards)
    # the split is up to a second of CPU: HiGHS releases the GIL while it solves
    return await asyncio.to_thread(split_and_price, inputs, demand, answers, claim.pins)


async def _give_back(engine: Any, claim: Claim, now: datetime) -> None:
    """Undo a claim whose proposal failed, unless another build has claimed it since."""
    try:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            if claim.previous_status is None:
                await raw.execute(
                    "DELETE FROM bulk_buy WHERE satker_id = $1 AND id = $2 AND version = $3",
                    claim.satker_id,
                    claim.bulk_buy_id,
                    claim.versions.bulk_buy_version,
                )
            else:
                await raw.execute(
                    "UPDATE bulk_buy SET status = $4, version = version + 1, updated_at = $5"
                    " WHERE satker_id = $1 AND id = $2 AND version = $3",
                    claim.satker_id,
                    claim.bulk_buy_id,
                    claim.versions.bulk_buy_version,
                    claim.previous_status,
                    now,
                )
    except Exception:  # the failure being raised matters more; a stale draft is taken over
        log.exception("bulk_buy_claim_not_given_back", bulk_buy=claim.bulk_buy_id)


# ---------------------------------------------------------------- 3. store


async def _store(tx: Tx, claim: Claim, proposal: Proposal, now: datetime) -> BulkBuyOut:
    raw = await tx.raw()
    satker_id, bb_id = claim.satker_id, claim.bulk_buy_id
    cycle_version = await raw.fetchval(
        "SELECT version FROM order_cycle WHERE satker_id = $1 AND id = $2 FOR UPDATE",
        satker_id,
        claim.cycle_id,
    )
    bb = await raw.fetchrow(
        "SELECT status, version FROM bulk_buy WHERE satker_id = $1 AND id = $2 FOR UPDATE",
        satker_id,
        bb_id,
    )
    if bb is None:
        raise Conflict(f"bulk buy {bb_id} was removed while its quotes were gathered")
    check_claim_held(claim.versions, bb["status"], bb["version"], cycle_version)
    status = move(bb["status"], Action.PROPOSE)
    if claim.previous_status is not None:
        for table in ("bulk_buy_line", "bulk_buy_allocation", "bulk_buy_quote"):
            await raw.execute(
                f"DELETE FROM {table} WHERE satker_id = $1 AND bulk_buy_id = $2", satker_id, bb_id
            )
        await mark_dropped_lines(raw, satker_id, claim.cycle_id, None, None)
    await _insert_rows(raw, claim, proposal)
    plan = proposal.plan
    await raw.execute(
        """
        UPDATE bulk_buy SET status = $13, solver = $3, solver_status = $4, mip_gap = $5,
            solve_ms = $6, goods_idr = $7, fees_idr = $8, total_idr = $9, market_value_idr = $10,
            approvals = '[]', pins = $11, version = version + 1, updated_at = $12
        WHERE satker_id = $1 AND id = $2
        """,
        satker_id,
        bb_id,
        plan.solver,
        plan.status,
        plan.mip_gap,
        plan.solve_ms,
        plan.goods_idr,
        plan.fees_idr,
        plan.total_idr,
        proposal.market_value_idr,
        json.dumps(claim.pins),
        now,
        str(status),
    )
    await raw.execute(
        "UPDATE restock_request SET status = 'consolidated', version = version + 1, updated_at = $3"
        " WHERE satker_id = $1 AND cycle_id = $2 AND status = 'locked'",
        satker_id,
        claim.cycle_id,
        now,
    )
    await raw.execute(
        "UPDATE order_cycle SET status = 'consolidated', version = version + 1"
        " WHERE satker_id = $1 AND id = $2 AND status = 'closed'",
        satker_id,
        claim.cycle_id,
    )
    log.info(
        "bulk_buy_built",
        satker=satker_id,
        cycle=claim.cycle_id,
        total=plan.total_idr,
        solver=plan.solver,
    )
    return await get_bulk_buy(tx, satker_id, bb_id)


async def _insert_rows(raw: Any, claim: Claim, proposal: Proposal) -> None:
    satker_id, bb_id = claim.satker_id, claim.bulk_buy_id
    inputs = claim.inputs
    await raw.executemany(
        """
        INSERT INTO bulk_buy_line (satker_id, bulk_buy_id, product_id, sku, demand,
            preorder_quantity, warungs, covered, surplus, backorder, unit_cost_idr,
            suggested_retail_idr, market_ref_idr, het_idr, flags, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        """,
        [
            (
                satker_id,
                bb_id,
                ln.demand.product_id,
                ln.demand.sku,
                ln.demand.quantity,
                ln.demand.preorder_quantity,
                ln.demand.warungs,
                ln.covered,
                ln.surplus,
                ln.backorder,
                ln.unit_cost_idr,
                ln.suggested_retail_idr,
                inputs.market.get(ln.demand.product_id),
                inputs.het.get(ln.demand.product_id),
                ln.flags,
                ln.reason,
            )
            for ln in proposal.lines
        ],
    )
    product_of = {ln.demand.sku: ln.demand.product_id for ln in proposal.lines}
    await raw.executemany(
        """
        INSERT INTO bulk_buy_allocation (satker_id, bulk_buy_id, product_id, supplier_id,
            pack_name, units_per_pack, packs, price_per_pack_idr, goods_idr)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        [
            (
                satker_id,
                bb_id,
                product_of[a.sku],
                a.supplier_id,
                a.pack_name,
                a.units_per_pack,
                a.packs,
                a.price_per_pack_idr,
                a.goods_idr,
            )
            for a in proposal.plan.allocations
        ],
    )
    await raw.executemany(
        """
        INSERT INTO bulk_buy_quote (satker_id, bulk_buy_id, supplier_id, status, quote_ref,
            valid_until, delivery_fee_idr, quote, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        [
            (
                satker_id,
                bb_id,
                supplier_id,
                status,
                quote.quote_ref if quote else None,
                quote.valid_until if quote else None,
                quote.delivery_fee_idr if quote else 0,
                _encode_quote(quote),
                error,
            )
            for supplier_id, (status, error, quote) in proposal.answers.items()
        ],
    )


def _encode_quote(quote: Any) -> str | None:
    return msgspec.json.encode(quote).decode() if quote is not None else None
