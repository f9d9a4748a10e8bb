"""Planner statistics kept in step with tables that grow in bursts.

A cycle's requests arrive in a rush (75,000 restock lines in an hour for 2,500 warungs) and
the cycle closes right after: its tables have just grown by far more than their statistics
know, and the first queries over the closed cycle (the bulk buy's build) would be planned on
estimates of a handful of rows. Autovacuum analyses such a table only on its next round, if
it runs at all, so the close refreshes them itself when they changed a lot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# as autovacuum's defaults: 10 % of the rows, and not for a few rows
CHANGED_FRACTION = 0.1
CHANGED_AT_LEAST = 1_000


async def analyse_if_changed(raw: Any, tables: Sequence[str]) -> list[str]:
    """``ANALYZE`` each of ``tables`` whose rows changed by more than a tenth (and at least
    1,000) since its last analysis; returns the tables analysed. In the caller's transaction,
    so the new statistics are there for whatever runs after it commits; a table the role
    does not own is skipped with PostgreSQL's warning."""
    rows = await raw.fetch(
        "SELECT relname, n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables"
        " WHERE schemaname = current_schema() AND relname = ANY($1::text[])",
        list(tables),
    )
    stale = [
        r["relname"]
        for r in rows
        if r["n_mod_since_analyze"]
        >= max(CHANGED_AT_LEAST, CHANGED_FRACTION * max(r["n_live_tup"], 0))
    ]
    for table in sorted(stale):
        await raw.execute(f'ANALYZE "{table}"')
    return sorted(stale)
