"""The outbox: the rows that make the worker send (or cancel) a purchase order, written in
the same transaction as the change that calls for them.

Row life: ``pending → sending → done | retry (due_at) → dead``. The worker claims and sends
(:mod:`services.worker.outbox`); use cases queue, stop and requeue rows here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.db.tx import Tx


async def queue(raw: Any, satker_id: int, kind: str, po_id: int, now: datetime) -> None:
    """A row asking the worker to ``place_order`` or ``cancel_order`` now."""
    await raw.execute(
        "INSERT INTO outbox (satker_id, kind, purchase_order_id, due_at) VALUES ($1, $2, $3, $4)",
        satker_id,
        kind,
        po_id,
        now,
    )


async def mark_done(raw: Any, satker_id: int, outbox_id: int, now: datetime) -> None:
    await raw.execute(
        "UPDATE outbox SET status = 'done', done_at = $3, claimed_until = NULL,"
        " last_error = NULL WHERE satker_id = $1 AND id = $2",
        satker_id,
        outbox_id,
        now,
    )


async def stop_sending(raw: Any, satker_id: int, po_id: int, now: datetime) -> None:
    """An order cancelled before it was sent: its pending send is done with."""
    await raw.execute(
        "UPDATE outbox SET status = 'done', done_at = $3 WHERE satker_id = $1"
        " AND purchase_order_id = $2 AND kind = 'place_order' AND status <> 'done'",
        satker_id,
        po_id,
        now,
    )


async def requeue(tx: Tx, satker_id: int, outbox_id: int, now: datetime) -> bool:
    """Give a dead row another go (admin); False if there is no such dead row."""
    raw = await tx.raw()
    status = await raw.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, due_at = $3, last_error = NULL"
        " WHERE satker_id = $1 AND id = $2 AND status = 'dead'",
        satker_id,
        outbox_id,
        now,
    )
    return status == "UPDATE 1"


_DUE = (
    "((status IN ('pending', 'retry') AND due_at <= $1)"
    " OR (status = 'sending' AND claimed_until < $1))"
)


async def claim_due(
    raw: Any, worker_id: str, now: datetime, lease: timedelta, limit: int
) -> list[Any]:
    """Claim up to ``limit`` due rows (a row whose lease ran out is due again), marking them
    ``sending`` for ``lease``: the satkers whose rows are due longest first, then each
    satker's rows by :func:`claim_for_satker`. Rows another worker holds are skipped."""
    satkers = await raw.fetch(
        f"SELECT satker_id FROM outbox WHERE {_DUE}"
        " GROUP BY satker_id ORDER BY min(due_at), satker_id LIMIT $2",
        now,
        limit,
    )
    claimed: list[Any] = []
    for row in satkers:
        if len(claimed) >= limit:
            break
        claimed += await claim_for_satker(
            raw, row["satker_id"], worker_id, now, lease, limit - len(claimed)
        )
    return claimed


async def claim_for_satker(
    raw: Any, satker_id: int, worker_id: str, now: datetime, lease: timedelta, limit: int
) -> list[Any]:
    """Claim up to ``limit`` of one satker's due rows, oldest first, in one statement
    filtered by ``satker_id`` (on Citus: on that satker's shard alone, where ``FOR UPDATE
    SKIP LOCKED`` works)."""
    return list(
        await raw.fetch(
            f"""
            WITH due AS MATERIALIZED (
                SELECT id FROM outbox
                WHERE satker_id = $2 AND {_DUE}
                ORDER BY due_at
                LIMIT $5
                FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox o SET status = 'sending', claimed_by = $3,
                claimed_until = $1::timestamptz + $4::interval, attempts = o.attempts + 1
            FROM due
            WHERE o.satker_id = $2 AND o.id = due.id
            RETURNING o.satker_id, o.id, o.kind, o.purchase_order_id, o.attempts
            """,
            now,
            satker_id,
            worker_id,
            lease,
            limit,
        )
    )
