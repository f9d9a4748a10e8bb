"""The outbox dispatcher: sends purchase orders to suppliers through their adapters.

1. Claim a batch of due rows in a short transaction (``FOR UPDATE SKIP LOCKED``, one satker at
   a time: :func:`services.app.outbox.claim_due`), marking them ``sending`` with a lease; a
   row whose lease ran out (its worker died) is due again.
2. Read the batch's orders in one transaction, then send them through their suppliers'
   adapters outside any transaction, several at a time (each supplier's adapter keeps one
   HTTP client, whose connections stay open between orders).
3. Record the attempts and results: the orders sent in one transaction for the whole batch
   (``done``; the PO is ``sent``, with the supplier's reference), a failure in its own
   (``retry`` with exponential back-off and jitter, or ``dead`` with the reason after
   ``outbox_max_attempts`` or a refusal that retrying cannot fix). Should the batch's
   transaction fail, each sent order is recorded in a transaction of its own instead.

Each order carries our PO number as the supplier's idempotency reference, so sending again
after a crash between 2 and 3 never makes a second order.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import msgspec
import structlog

from contracts.adapter import OrderAck, PurchaseOrderRequest
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


class Sent(NamedTuple):
    """An order the supplier took (``ack`` None: a cancellation it took), to record."""

    item: Claimed
    started: datetime
    ack: OrderAck | None
    po_number: str


Prepared = tuple[PurchaseOrderRequest, Any, str | None]


class Dispatcher:
    def __init__(
        self,
        container: Container,
        *,
        worker_id: str | None = None,
        batch: int = 100,
        concurrency: int = 16,
    ) -> None:
        self.container = container
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.batch = batch
        self.concurrency = concurrency

    async def claim(self, now: datetime) -> list[Claimed]:
        async with Tx(self.container.engine) as tx:
            raw = await tx.raw()
            rows = await outbox.claim_due(raw, self.worker_id, now, LEASE, self.batch)
        return [msgspec.convert(dict(r), Claimed) for r in rows]

    async def run_once(self) -> int:
        """Claim and send one batch; returns how many were handled."""
        claimed = await self.claim(self.container.clock())
        if not claimed:
            return 0
        prepared = await self._prepare_batch(claimed)
        gate = asyncio.Semaphore(self.concurrency)

        async def send(item: Claimed) -> Sent | str:
            async with gate:
                return await self._send(item, prepared.get(item.id))

        results = await asyncio.gather(*(send(item) for item in claimed))
        await self._record_sent([r for r in results if isinstance(r, Sent)])
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
        """Send one claimed row and record the outcome."""
        sent = await self._send(item, (await self._prepare_batch([item])).get(item.id))
        if isinstance(sent, str):
            return sent
        await self._record_sent([sent])
        return "done"

    async def _send(self, item: Claimed, prepared: Prepared | BaseException | None) -> Sent | str:
        """Send (or cancel) through the adapter; a failure is recorded here, and its outcome
        (``retry`` or ``dead``) returned."""
        started = self.container.clock()
        try:
            if prepared is None:  # not read with the batch: read on its own
                prepared = (await self._prepare_batch([item]))[item.id]
            if isinstance(prepared, BaseException):
                raise prepared
            request, adapter, supplier_ref = prepared
            if item.kind == "cancel_order":
                await adapter.cancel_order(request.po_number, supplier_ref)
                return Sent(item, started, None, request.po_number)
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
        return Sent(item, started, ack, request.po_number)

    async def _record_sent(self, sent: list[Sent]) -> None:
        """The batch's sent orders in one transaction; each in its own if that one fails."""
        if not sent:
            return
        try:
            async with Tx(self.container.engine) as tx:
                raw = await tx.raw()
                for one in sent:
                    await self._record_one(raw, one)
        except Exception:
            if len(sent) == 1:
                raise
            log.warning("outbox_batch_record_failed", orders=len(sent), exc_info=True)
            for one in sent:
                try:
                    async with Tx(self.container.engine) as tx:
                        await self._record_one(await tx.raw(), one)
                except Exception:  # the lease runs out and it is sent again, same reference
                    log.exception("outbox_record_failed", outbox_id=one.item.id)
        for one in sent:
            if one.ack is not None:
                log.info(
                    "order_sent",
                    po=one.po_number,
                    supplier_ref=one.ack.supplier_ref,
                    duplicate=one.ack.duplicate,
                )

    async def _record_one(self, raw: Any, one: Sent) -> None:
        item, ack, now = one.item, one.ack, self.container.clock()
        if ack is not None:
            stored = await purchase_orders.load(
                raw, item.satker_id, item.purchase_order_id, lock=True
            )
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
        await self._record(raw, item, one.started, now, "sent", None)
        await outbox.mark_done(raw, item.satker_id, item.id, now)

    async def _prepare_batch(self, items: list[Claimed]) -> dict[int, Prepared | BaseException]:
        """Each row's order as its adapter takes it, read in one transaction; a row whose order
        cannot be read gets the error instead."""
        ready: dict[int, Prepared | BaseException] = {}
        suppliers: dict[int, Any] = {}
        try:
            async with Tx(self.container.engine) as tx:
                raw = await tx.raw()
                for item in items:
                    try:
                        request, stored = await supplier_adapters.order_request(
                            raw, item.satker_id, item.purchase_order_id
                        )
                        supplier_id = stored.po.supplier_id
                        if supplier_id not in suppliers:
                            row = await supplier_adapters.supplier_row(raw, supplier_id)
                            suppliers[supplier_id] = supplier_adapters.build_adapter(
                                self.container, row
                            )
                    except KulakanError as exc:
                        ready[item.id] = exc
                        continue
                    ready[item.id] = (request, suppliers[supplier_id], stored.po.supplier_ref)
        except Exception:
            if len(items) == 1:
                raise
            log.warning("outbox_batch_read_failed", orders=len(items), exc_info=True)
            return {}  # each is read on its own when it is sent
        return ready

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
