"""Purchase orders through the outbox: exactly once at the supplier, retries with back-off,
dead letters and re-queue, a worker that died mid-send, two workers side by side, and
supplier events applied once each."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import text

from contracts.events import DeliveredLine, OrderConfirmed, OrderDelivered, OrderDespatched
from services.app.outbox import requeue
from services.app.purchase_orders import (
    apply_supplier_event,
)
from services.db.tx import Tx
from services.worker.outbox import Dispatcher
from tests.support_purchasing import NOW, make_orders


async def scalar(engine, sql, **params):
    async with engine.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def test_an_order_and_its_outbox_row_are_written_together_and_sent_once(
    engine, world, system
):
    container, _, satker, supplier, product = world
    [(po_id, number)] = await make_orders(engine, satker, supplier, product)
    assert number == f"PO-{satker}-20261124-{po_id}"
    assert await scalar(engine, "SELECT status FROM outbox") == "pending"
    dispatcher = Dispatcher(container, worker_id="w1")
    assert await dispatcher.drain() == 1
    assert system.orders == {number: 1}
    assert await scalar(engine, "SELECT status FROM purchase_order") == "sent"
    assert await scalar(engine, "SELECT supplier_ref FROM purchase_order") == f"MP-{number}"
    assert await scalar(engine, "SELECT status FROM outbox") == "done"
    assert await scalar(engine, "SELECT count(*) FROM outbox_attempt WHERE outcome = 'sent'") == 1
    assert await dispatcher.drain() == 0


async def test_failures_back_off_then_the_order_is_placed_exactly_once(engine, world, system):
    container, clock, satker, supplier, product = world
    [(_, number)] = await make_orders(engine, satker, supplier, product)
    system.fail_first = 3
    dispatcher = Dispatcher(container, worker_id="w1")
    for _ in range(3):
        assert await dispatcher.run_once() == 1
        assert await scalar(engine, "SELECT status FROM outbox") == "retry"
        assert await dispatcher.run_once() == 0  # not due yet: backing off
        clock.advance(minutes=1)
    assert await dispatcher.run_once() == 1
    assert system.orders == {number: 1}
    outcomes = await scalar(
        engine, "SELECT string_agg(outcome, ',' ORDER BY id) FROM outbox_attempt"
    )
    assert outcomes == "retryable,retryable,retryable,sent"


async def test_a_refusal_goes_to_dead_letters_and_can_be_requeued(engine, world, system):
    container, _, satker, supplier, product = world
    await make_orders(engine, satker, supplier, product)
    system.refuse = True
    dispatcher = Dispatcher(container, worker_id="w1")
    await dispatcher.run_once()
    assert await scalar(engine, "SELECT status FROM outbox") == "dead"
    assert "sku not sold here" in await scalar(engine, "SELECT last_error FROM outbox")
    outbox_id = await scalar(engine, "SELECT id FROM outbox")
    system.refuse = False
    async with Tx(engine) as tx:
        assert await requeue(tx, satker, outbox_id, container.clock())
    await dispatcher.run_once()
    assert await scalar(engine, "SELECT status FROM outbox") == "done"


async def test_retries_run_out_into_dead_letters(engine, world, system):
    container, clock, satker, supplier, product = world
    await make_orders(engine, satker, supplier, product)
    system.fail_first = 100
    dispatcher = Dispatcher(container, worker_id="w1")
    for _ in range(container.settings.outbox_max_attempts):
        await dispatcher.run_once()
        clock.advance(hours=1)
    assert await scalar(engine, "SELECT status FROM outbox") == "dead"
    assert (
        await scalar(engine, "SELECT attempts FROM outbox")
        == container.settings.outbox_max_attempts
    )


async def test_a_worker_that_died_mid_send_leaves_one_order_at_the_supplier(engine, world, system):
    container, clock, satker, supplier, product = world
    [(_, number)] = await make_orders(engine, satker, supplier, product)
    dead_worker = Dispatcher(container, worker_id="dead")
    [claimed] = await dead_worker.claim(clock())
    system.place(number)  # the supplier accepted; the worker died before recording it
    other = Dispatcher(container, worker_id="w2")
    assert await other.run_once() == 0  # the lease still holds
    clock.advance(minutes=2)
    assert await other.run_once() == 1
    assert system.orders == {number: 2}  # asked twice, with the same reference
    assert await scalar(engine, "SELECT status FROM purchase_order") == "sent"
    assert claimed.attempts == 1 and await scalar(engine, "SELECT attempts FROM outbox") == 2


async def test_two_workers_send_each_order_once(engine, world, system):
    container, _, satker, supplier, product = world
    await make_orders(engine, satker, supplier, product, n=60)
    a, b = (
        Dispatcher(container, worker_id="a", batch=5),
        Dispatcher(container, worker_id="b", batch=5),
    )
    handled = await asyncio.gather(a.drain(), b.drain())
    assert sum(handled) == 60
    assert len(system.orders) == 60 and set(system.orders.values()) == {1}
    assert await scalar(engine, "SELECT count(DISTINCT worker) FROM outbox_attempt") == 2
    assert await scalar(engine, "SELECT count(*) FROM outbox WHERE status <> 'done'") == 0


async def test_supplier_events_apply_once_and_in_any_order(engine, world, system):
    container, _, satker, supplier, product = world
    [(_, number)] = await make_orders(engine, satker, supplier, product)
    await Dispatcher(container, worker_id="w1").drain()
    delivered = OrderDelivered(
        event_id="e3",
        po_number=number,
        occurred_at=NOW,
        lines=(DeliveredLine(line_no=1, quantity=Decimal(360)),),
    )
    events = [
        delivered,
        OrderConfirmed(event_id="e1", po_number=number, occurred_at=NOW),
        delivered,
        OrderDespatched(event_id="e2", po_number=number, occurred_at=NOW),
    ]
    outcomes = []
    for event in events:
        async with Tx(engine) as tx:
            outcomes.append(await apply_supplier_event(tx, supplier, event, NOW))
    assert [o.duplicate for o in outcomes] == [False, False, True, False]
    assert outcomes[0].status == "delivered"
    assert await scalar(engine, "SELECT status FROM purchase_order") == "delivered"
    assert await scalar(engine, "SELECT delivered_quantity FROM purchase_order_line") == 360
    assert await scalar(engine, "SELECT count(*) FROM supplier_event") == 3
