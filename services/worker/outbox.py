"""The outbox dispatcher: sends purchase orders to suppliers through their adapters.

1. Claim due rows in a short transaction (``FOR UPDATE SKIP LOCKED``, one satker at a
   time: :func:`services.app.outbox.claim_due`), marking them ``sending`` with a lease; a
   row whose lease ran out (its worker died) is due again.
2. Send through the supplier's adapter outside any transaction.
3. Record the attempt and the result: ``done`` (the PO is ``sent``, with the supplier's
   reference), ``retry`` with exponential back-off and jitter, or ``dead`` with the reason
   after ``outbox_max_attempts`` or a refusal that retrying cannot fix.

Each order carries our PO number as the supplier's idempotency reference, so sending again
after a crash between 2 and 3 never makes a second order.
"""

from __future__ import annotations

import os
import random
import socket
from datetime import datetime, timedelta
from typing import Any

import msgspec
import structlog

from contracts.adapter import PurchaseOrderRequest
from contracts.errors import KulakanError, SupplierError
from services.app import outbox, purchase_orders, supplier_adapters
from services.app.container import Container
from services.db.tx import Tx
from services.domain import purchase_order as po_domain

log = structlog.get_logger("kulakan.outbox")

LEASE = timedelta(seconds=60)
FAULT_KILL_AFTER_SEND = "KULAKAN_FAULT_KILL_AFTER_SEND"  # test-only fault injection


def backoff(attempts: int, rnd: random.Random | None = None) -> timedelta:
    """2 s, 4 s, 8 s … capped at 10 minutes, with ±25 % jitter."""
    base = min(2**attempts, 600)
    jitter = (rnd or random).uniform(0.75, 1.25)
    return timedelta(seconds=base * jitter)


class Claimed(msgspec.Struct, frozen=True, kw_only=True):
    satker_id: int
    id: int
    kind: str
    purchase_order_id: int
    attempts: int


class Dispatcher:
    def __init__(
        self,
        container: Container,
        *,
        worker_id: str | None = None,
        batch: int = 20,
    ) -> None:
        self.container = container
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.batch = batch

    async def claim(self, now: datetime) -> list[Claimed]:
        async with Tx(self.container.engine) as tx:
            raw = await tx.raw()
            rows = await outbox.claim_due(raw, self.worker_id, now, LEASE, self.batch)
        return [msgspec.convert(dict(r), Claimed) for r in rows]

    async def run_once(self) -> int:
        """Claim and send one batch; returns how many were handled."""
        claimed = await self.claim(self.container.clock())
        for item in claimed:
            await self.dispatch(item)
        return len(claimed)

    async def drain(self, limit: int = 1000) -> int:
        """Send batches until nothing is due (or ``limit`` rows were handled)."""
        handled = 0
        while handled < limit:
            done = await self.run_once()
            if not done:
                break
            handled += done
        return handled

    async def dispatch(self, item: Claimed) -> str:
        started = self.container.clock()
        try:
            request, adapter, supplier_ref = await self._prepare(item)
            if item.kind == "cancel_order":
                await adapter.cancel_order(request.po_number, supplier_ref)
                return await self._cancelled(item, started)
            ack = await adapter.place_order(request)
        except SupplierError as exc:
            return await self._failed(item, started, exc, retryable=exc.retryable)
        except KulakanError as exc:
            return await self._failed(item, started, exc, retryable=False)
        except Exception as exc:  # an adapter bug: keep the row, try again later
            log.exception("dispatch_crashed", outbox_id=item.id)
            return await self._failed(item, started, exc, retryable=True)
        if os.environ.get(FAULT_KILL_AFTER_SEND) == "1":
            os._exit(137)  # the supplier has the order; we never record it
        async with Tx(self.container.engine) as tx:
            raw = await tx.raw()
            stored = await purchase_orders.load(
                raw, item.satker_id, item.purchase_order_id, lock=True
            )
            now = self.container.clock()
            sent = po_domain.mark_sent(stored.po, ack.supplier_ref)
            await purchase_orders.store(raw, stored, sent, now)
            if ack.confirmation_url:
                await raw.execute(
                    "UPDATE purchase_order SET confirmation_url = $3"
                    " WHERE satker_id = $1 AND id = $2",
                    item.satker_id,
                    item.purchase_order_id,
                    ack.confirmation_url,
                )
            await self._record(raw, item, started, now, "sent", None)
            await outbox.mark_done(raw, item.satker_id, item.id, now)
        log.info(
            "order_sent",
            po=request.po_number,
            supplier_ref=ack.supplier_ref,
            duplicate=ack.duplicate,
        )
        return "done"

    async def _cancelled(self, item: Claimed, started: datetime) -> str:
        now = self.container.clock()
        async with Tx(self.container.engine) as tx:
            raw = await tx.raw()
            await self._record(raw, item, started, now, "sent", None)
            await outbox.mark_done(raw, item.satker_id, item.id, now)
        return "done"

    async def _prepare(self, item: Claimed) -> tuple[PurchaseOrderRequest, Any, str | None]:
        async with Tx(self.container.engine) as tx:
            raw = await tx.raw()
            request, stored = await supplier_adapters.order_request(
                raw, item.satker_id, item.purchase_order_id
            )
            supplier = await supplier_adapters.supplier_row(raw, stored.po.supplier_id)
        adapter = supplier_adapters.build_adapter(self.container, supplier)
        return request, adapter, stored.po.supplier_ref

    async def _failed(
        self, item: Claimed, started: datetime, exc: Exception, *, retryable: bool
    ) -> str:
        now = self.container.clock()
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        dead = not retryable or item.attempts >= self.container.settings.outbox_max_attempts
        async with Tx(self.container.engine) as tx:
            raw = await tx.raw()
            await self._record(raw, item, started, now, "failed" if dead else "retryable", reason)
            await raw.execute(
                "UPDATE outbox SET status = $3, due_at = $4, last_error = $5, claimed_until = NULL"
                " WHERE satker_id = $1 AND id = $2",
                item.satker_id,
                item.id,
                "dead" if dead else "retry",
                now if dead else now + backoff(item.attempts),
                reason,
            )
        log.warning(
            "dispatch_failed", outbox_id=item.id, attempts=item.attempts, dead=dead, error=reason
        )
        return "dead" if dead else "retry"

    async def _record(
        self,
        raw: Any,
        item: Claimed,
        started: datetime,
        finished: datetime,
        outcome: str,
        error: str | None,
    ) -> None:
        await raw.execute(
            "INSERT INTO outbox_attempt (satker_id, outbox_id, worker, started_at, finished_at,"
            " outcome, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            item.satker_id,
            item.id,
            self.worker_id,
            started,
            finished,
            outcome,
            error,
        )
