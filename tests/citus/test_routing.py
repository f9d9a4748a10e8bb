"""On Citus, every statement a satker's own work runs is routed to one shard.

A whole cycle of one satker goes through the HTTP API (template, restock requests, cut-off,
bulk buy, override, approval, delivery, settlement, invoices, receipts' lists) and the
outbox claim, on an engine that records every statement. Each recorded statement that
touches a distributed table is then EXPLAINed with its own arguments: its plan must say
``Task Count: 1``. Statements that only the operator's or a supplier's requests run (across
satkers) are not in this flow.
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.app import outbox
from services.db.tx import Tx
from tests.integration.test_bulk_buys import MORNING, setup  # noqa: F401  (the fixture)
from tests.integration.test_fulfilment import deliver, ordered_bulk_buy

EXPLAINABLE = re.compile(r"^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
TASK_COUNT = re.compile(r"Task Count: (\d+)")


def _copied_to_one_shard(plan: str, args: tuple[Any, ...]) -> bool:
    """A multi-row INSERT from arrays (``INSERT … SELECT … FROM unnest(…)``): Citus computes
    the rows on the coordinator and copies each to its shard; with one satker in the
    statement's first column (``satker_id``, a value or an array of one value) that is
    one shard written."""
    if "INSERT/SELECT method: pull to coordinator" not in plan or "Task Count" in plan:
        return False
    first = args[0] if args else None
    satkers = set(first) if isinstance(first, list) else {first}
    return len(satkers) == 1 and isinstance(next(iter(satkers)), int)


async def _plans(engine: AsyncEngine, recorded: list[Any]) -> tuple[int, list[tuple[str, str]]]:
    """How many distinct recorded statements Citus plans, and (statement, plan) of those
    it plans on more than one shard."""
    checked = 0
    out: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        for record in recorded:
            query, args = record.query, tuple(record.args or ())
            if not EXPLAINABLE.match(query) or record.exception is not None:
                continue
            key = (query, repr(args))
            if key in seen:
                continue
            seen.add(key)
            if args and all(isinstance(a, tuple) for a in args):
                args = args[0]  # executemany: the rows share one plan
            plan = "\n".join(r[0] for r in await raw.fetch("EXPLAIN " + query, *args))
            if "Citus" not in plan:
                continue  # a local table on the coordinator
            checked += 1
            tasks = [int(n) for n in TASK_COUNT.findall(plan)]
            one_shard = bool(tasks) and set(tasks) == {1}
            if not one_shard and not _copied_to_one_shard(plan, args):
                out.append((query, plan))
    return checked, out


async def test_a_satkers_whole_cycle_runs_on_one_shard(engine, setup, statements):  # noqa: F811
    recording, recorded = statements
    client, tenant, cycle_id, _, _ = setup
    base = f"/v1/satkers/{tenant.satker_id}"
    bb_id = await ordered_bulk_buy(client, tenant, cycle_id)
    async with Tx(recording) as tx:
        claimed = await outbox.claim_for_satker(
            await tx.raw(), tenant.satker_id, "routing", MORNING, timedelta(seconds=60), 10
        )
    assert len(claimed) == 1  # the one purchase order's send
    await deliver(engine, cabai_kg="8")
    settled = await client.post(f"{base}/bulk-buys/{bb_id}/settle", headers=tenant.coordinator)
    assert settled.status_code == 200, settled.text
    for path in (
        f"{base}/deliveries?bulk_buy_id={bb_id}",
        f"{base}/invoices?bulk_buy_id={bb_id}",
        f"{base}/purchase-orders",
        f"{base}/bulk-buys",
        f"{base}/cycles",
        f"{base}/warungs",
    ):
        listed = await client.get(path, headers=tenant.coordinator)
        assert listed.status_code == 200, (path, listed.text)
    mine = await client.get("/v1/restock-requests", headers=tenant.warung_keys[0])
    assert mine.status_code == 200

    checked, spread = await _plans(engine, recorded)
    assert checked >= 40, f"only {checked} distributed statements recorded"
    sys.stdout.write(f"{checked} distinct distributed statements EXPLAINed, {len(spread)} spread\n")
    assert spread == [], "statements not routed to one shard:\n\n" + "\n\n".join(
        f"{q}\n{p}" for q, p in spread
    )
