"""Building a bulk buy in the background: the request that asks for it claims the bulk buy
(``draft``) in a short transaction of its own and returns at once; the quotes, the split and
the store run in an asyncio task of the same process, which the caller watches through the
bulk buy's status (``draft`` → ``proposed``).

The task goes through exactly the steps of :func:`services.app.bulk_buys.build_bulk_buy`
(claim, propose with no connection held, store if unchanged). If the process stops mid-way,
the claim is left as a stale ``draft`` that the worker's consolidation job takes over after
the quote deadline (:func:`services.domain.bulk_buy.stale_claims_before`), so nothing is
lost; a failure gives the claim back, as a foreground build does.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import structlog

from contracts.api.bulk_buy import BulkBuyOut
from contracts.errors import KulakanError
from services.app.bulk_buy_views import get_bulk_buy
from services.app.bulk_buys import claim_for_quoting, complete
from services.db.tx import Tx

log = structlog.get_logger(__name__)

# (satker, bulk buy) -> the task building it; held here so it is neither collected nor lost
_RUNNING: dict[tuple[int, int], asyncio.Task[None]] = {}


async def start_build(
    container: Any,
    satker_id: int,
    cycle_id: int,
    now: datetime,
    pins: dict[str, int] | None = None,
) -> BulkBuyOut:
    """Claim the cycle's bulk buy for quoting and build it in the background; returns the
    claimed (``draft``) bulk buy at once. A cycle that cannot be quoted is refused here."""
    async with Tx(container.engine) as claiming:
        claim = await claim_for_quoting(claiming, satker_id, cycle_id, now, pins or {})
    key = (satker_id, claim.bulk_buy_id)

    async def run() -> None:
        try:
            async with Tx(container.engine) as tx:
                await complete(tx, container, claim, now)
        except KulakanError as exc:  # e.g. the cycle changed meanwhile: the other change stands
            log.info("bulk_buy_background_refused", bulk_buy=claim.bulk_buy_id, detail=exc.detail)
        except Exception:
            log.exception("bulk_buy_background_failed", bulk_buy=claim.bulk_buy_id)
        finally:
            _RUNNING.pop(key, None)

    _RUNNING[key] = asyncio.create_task(run(), name=f"bulk-buy-{claim.bulk_buy_id}")
    async with Tx(container.engine) as tx:
        return await get_bulk_buy(tx, satker_id, claim.bulk_buy_id)


def is_building(satker_id: int, bulk_buy_id: int) -> bool:
    return (satker_id, bulk_buy_id) in _RUNNING


async def wait_for_build(satker_id: int, bulk_buy_id: int) -> None:
    """Until this process's build of the bulk buy (if any) has finished."""
    task = _RUNNING.get((satker_id, bulk_buy_id))
    if task is not None:
        await asyncio.shield(task)


async def stop_builds() -> None:
    """At shutdown: cancel the builds still running (each gives its claim back)."""
    tasks = list(_RUNNING.values())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
