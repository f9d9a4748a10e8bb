"""Scheduled jobs of order cycles: open and close cycles on time, and materialise upcoming
instances from the templates.

Both are idempotent and safe on several workers at once: each cycle is claimed with
``FOR UPDATE SKIP LOCKED`` and handled in its own transaction, and a cut-off missed while no
worker ran is applied on the next run (the job looks for every cycle past its cut-off, not
for the ones due "now"). Which cycles are due is decided by ``services.domain.cycle``.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from services.app import order_cycles
from services.app.container import Container
from services.db.tx import Tx

log = structlog.get_logger(__name__)


async def close_due_cycles(container: Container) -> int:
    """Close every open cycle past its cut-off and lock its submitted requests; returns how
    many cycles this call closed. Cycles that open by now are marked open on the way."""
    engine = container.engine
    now = container.clock()
    async with Tx(engine) as tx:
        await order_cycles.open_due_cycles(await tx.raw(), now)
    closed = 0
    while True:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            row = await order_cycles.claim_cycle_due_to_close(raw, now)
            if row is None:
                break
            await order_cycles.lock_cycle(raw, row["satker_id"], row["id"], now, "schedule")
        closed += 1
        log.info(
            "cycle_closed",
            satker_id=row["satker_id"],
            cycle_id=row["id"],
            cutoff_at=row["cutoff_at"].isoformat(),
            late_by_s=round((now - row["cutoff_at"]).total_seconds()),
        )
    return closed


async def materialise_cycles(container: Container, horizon: timedelta | None = None) -> int:
    """Create the cycle instances of every satker's active templates whose cut-off falls
    within ``horizon`` (default 8 days); returns how many were created."""
    engine = container.engine
    now = container.clock()
    async with Tx(engine) as tx:
        raw = await tx.raw()
        satkers = await raw.fetch(
            "SELECT DISTINCT satker_id FROM cycle_template WHERE active ORDER BY satker_id"
        )
    created = 0
    for row in satkers:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            created += await order_cycles.materialise_satker(
                raw, row["satker_id"], now, horizon or order_cycles.MATERIALISE_HORIZON
            )
    return created


async def run_cycle_jobs(container: Container) -> tuple[int, int]:
    """One tick for the worker: materialise, then close what is due. (created, closed)."""
    created = await materialise_cycles(container)
    closed = await close_due_cycles(container)
    return created, closed
