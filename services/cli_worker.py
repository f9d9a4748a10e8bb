"""``kulakan worker``: scheduled jobs and the outbox dispatcher."""

from __future__ import annotations

import argparse
import asyncio

from services.cli import Subcommands


def cmd_worker(args: argparse.Namespace) -> int:
    from services.bootstrap import bootstrap
    from services.logging import configure_logging
    from services.worker.outbox import Dispatcher
    from services.worker.runner import PeriodicJob, Worker, default_jobs

    async def main() -> None:
        container = bootstrap()
        configure_logging(json=container.settings.log_json, level=container.settings.log_level)
        from services.db.migrate import ensure_schema_current

        await ensure_schema_current(container.engine)
        dispatcher = Dispatcher(container)
        jobs = [
            *default_jobs(),
            PeriodicJob("outbox", lambda _: dispatcher.drain(), every_seconds=0.5),
        ]
        worker = Worker(container, jobs)
        try:
            if args.once:
                results = await worker.run_once()
                print(" ".join(f"{k}={v}" for k, v in results.items()), flush=True)
            else:
                await worker.run_forever()
        finally:
            await container.close()

    asyncio.run(main())
    return 0


def register(sub: Subcommands) -> None:
    worker = sub.add_parser("worker", help="run scheduled jobs and send purchase orders")
    worker.add_argument("--once", action="store_true", help="run every job once and exit")
    worker.set_defaults(func=cmd_worker)
