"""The outbox: the rows that make the worker send (or cancel) a purchase order, written in
the same transaction as the change that calls for them.

Row life: ``pending → sending → done | retry (due_at) → dead``. The worker claims and sends
(:mod:`services.worker.outbox`); use cases queue, stop and requeue rows here.
"""

from __future__ import annotations

from datetime import datetime
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
