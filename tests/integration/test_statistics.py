"""Planner statistics after a burst of writes: a table that grew by more than a tenth since
its last analysis is analysed, one that did not is left alone."""

from __future__ import annotations

import uuid

from services.db.statistics import analyse_if_changed
from services.db.tx import Tx


async def test_a_table_that_grew_in_a_burst_is_analysed_once(engine):
    table = f"burst_{uuid.uuid4().hex[:8]}"
    async with Tx(engine) as tx:
        raw = await tx.raw()
        await raw.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, cycle_id bigint)")
    try:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            await raw.execute(f"INSERT INTO {table} SELECT g, 7 FROM generate_series(1, 5000) g")
            # the counts reach the shared statistics as the transaction ends, not a second later
            await raw.execute("SELECT pg_stat_force_next_flush()")
        async with Tx(engine) as tx:
            raw = await tx.raw()
            assert await analyse_if_changed(raw, [table, "warung"]) == [table]
        async with Tx(engine) as tx:
            raw = await tx.raw()
            estimated = await raw.fetchval(
                "SELECT reltuples FROM pg_class WHERE relname = $1", table
            )
            assert estimated == 5000
            assert await analyse_if_changed(raw, [table]) == []
    finally:
        async with Tx(engine) as tx:
            raw = await tx.raw()
            await raw.execute(f"DROP TABLE {table}")
