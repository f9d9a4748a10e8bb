"""The worker process: periodic jobs (order-cycle opening and cut-offs, expired idempotency
records) run on a fixed tick, and more loops (the outbox dispatcher) can be added. Stops
cleanly on SIGTERM or SIGINT after the job in hand."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from services.app.container import Container
from services.db.tx import Tx

log = structlog.get_logger("kulakan.worker")

Job = Callable[[Container], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Job
    every_seconds: float


async def purge_idempotency_records(container: Container) -> int:
    async with Tx(container.engine) as tx:
        raw = await tx.raw()
        status = await raw.execute("DELETE FROM idempotency_record WHERE expires_at < now()")
    return int(status.split()[-1])


async def consolidate_closed_cycles(container: Container) -> int:
    """Build the bulk buy of every cycle that closed without one. Each is claimed in a short
    transaction, quoted with no connection held and stored in another; a cycle another
    worker is building is left to it."""
    from services.app.bulk_buys import build_closed_cycles

    return await build_closed_cycles(container, container.clock())


async def settle_delivered_bulk_buys(container: Container) -> int:
    """Allocate and invoice every ordered bulk buy whose orders are all done, each in its
    own transaction (one another worker is settling is skipped)."""
    from services.app.settlement import settle_ready

    settled = 0
    while True:
        async with Tx(container.engine) as tx:
            if not await settle_ready(tx, container.clock(), limit=1):
                return settled
        settled += 1


def default_jobs() -> list[PeriodicJob]:
    from services.worker.cycles import run_cycle_jobs

    return [
        PeriodicJob("order_cycles", run_cycle_jobs, every_seconds=5.0),
        PeriodicJob("consolidation", consolidate_closed_cycles, every_seconds=10.0),
        PeriodicJob("settlement", settle_delivered_bulk_buys, every_seconds=10.0),
        PeriodicJob("idempotency_purge", purge_idempotency_records, every_seconds=600.0),
    ]


class Worker:
    def __init__(self, container: Container, jobs: Sequence[PeriodicJob]) -> None:
        self.container = container
        self.jobs = list(jobs)
        self.stopping = asyncio.Event()

    async def run_once(self) -> dict[str, object]:
        """Run every job once (what a worker does first on start: catch up)."""
        results: dict[str, object] = {}
        for job in self.jobs:
            results[job.name] = await self._run(job)
        return results

    async def _run(self, job: PeriodicJob) -> object:
        try:
            result = await job.run(self.container)
        except Exception:  # a failing job must not stop the others; it runs again next tick
            log.exception("job_failed", job=job.name)
            return None
        log.info("job_done", job=job.name, result=result)
        return result

    async def _loop(self, job: PeriodicJob) -> None:
        while not self.stopping.is_set():
            await self._run(job)
            try:
                await asyncio.wait_for(self.stopping.wait(), timeout=job.every_seconds)
            except TimeoutError:
                continue

    async def run_forever(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        log.info("worker_started", jobs=[j.name for j in self.jobs])
        await asyncio.gather(*(self._loop(job) for job in self.jobs))
        log.info("worker_stopped")
