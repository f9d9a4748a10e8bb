"""``kulakan serve``: the API in N processes behind one port, under Granian.

Granian was chosen by measurement (benchmarks/restock_api/RESULTS.md): on this service's
restock POST and on the raw floor it served more requests per second than uvicorn at the same
worker count, since it parses HTTP in Rust threads, outside the GIL. Each worker process
builds its own app, engine and connection pool (:func:`proxied_app` as a factory). What the
processes must share is settled before any starts: the database URL (an embedded server is
started once, by this process), the console's secret key file (made by ``kulakan serve``), and
the folder where every process writes its Prometheus counts (:mod:`services.api.metrics`).
"""

from __future__ import annotations

import asyncio
import gc
import os
import shutil
from typing import Any

from services.api.metrics import MULTIPROC_DIR, prepare_shared_metrics

APP_FACTORY = "services.api.server:proxied_app"
# how long a stopping worker may take to finish (a worker stuck past it is killed)
WORKER_STOP_SECONDS = 10


def proxied_app() -> Any:
    """The app as each worker serves it: ``X-Forwarded-Proto`` and ``X-Forwarded-For`` are
    trusted from 127.0.0.1 (a TLS proxy on the same host), so cookies know the scheme."""
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    from services.api.app import create_app

    app = wrap_asgi_with_proxy_headers(create_app(), "127.0.0.1")
    # what start-up made (modules, routes, schemas) lives as long as the process: leave it out
    # of the garbage collector's later passes, which then only walk what requests make
    gc.collect()
    gc.freeze()
    return app


def default_workers() -> int:
    """One process per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def serve(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels

    from services.bootstrap import resolve_database_url
    from services.settings import Settings

    settings = Settings.from_env()
    url = resolve_database_url(settings)
    asyncio.run(_check_schema(url))  # once, with a clear message, before any worker starts
    os.environ["KULAKAN_DATABASE_URL"] = url
    owned_metrics = MULTIPROC_DIR not in os.environ
    metrics = prepare_shared_metrics()
    try:
        Granian(
            APP_FACTORY,
            factory=True,
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            loop=Loops.uvloop,
            workers=workers,
            respawn_failed_workers=True,
            workers_kill_timeout=WORKER_STOP_SECONDS,
            log_access=False,
            log_level=LogLevels.warning,
        ).serve()
    finally:
        if owned_metrics:
            shutil.rmtree(metrics, ignore_errors=True)


async def _check_schema(url: str) -> None:
    from services.db.engine import make_engine
    from services.db.migrate import ensure_schema_current

    engine = make_engine(url, null_pool=True)
    try:
        await ensure_schema_current(engine)
    finally:
        await engine.dispose()
