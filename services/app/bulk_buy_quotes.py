"""Asking every eligible supplier for a quote at once, with a time-out per supplier and a
deadline for all. Nothing here touches the database: the caller reads the supplier rows and
their price boards beforehand and holds no connection while the suppliers answer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from contracts.adapter import QuoteRequest, SupplierQuote
from services.app.container import Container
from services.app.supplier_adapters import build_adapter

# per supplier: ("ok" | "failed" | "timeout", error, the quote when ok)
Answer = tuple[str, str | None, SupplierQuote | None]


async def quote_suppliers(
    container: Container,
    suppliers: Sequence[Mapping[str, Any]],
    request: QuoteRequest,
    boards: Mapping[int, list[dict[str, Any]]],
) -> dict[int, Answer]:
    """Every supplier's answer; one that fails or is too slow is recorded and left out."""
    settings = container.settings
    results: dict[int, Answer] = {}

    async def ask(row: Mapping[str, Any]) -> None:
        try:
            adapter = build_adapter(container, row, board=boards.get(row["id"]))
            quote = await asyncio.wait_for(
                adapter.quote(request), timeout=settings.supplier_timeout_seconds
            )
            # what the quote states wins; the supplier's registered terms fill the gaps
            quote = msgspec.structs.replace(
                quote,
                supplier_id=row["id"],
                delivery_fee_idr=quote.delivery_fee_idr or row["delivery_fee_idr"],
                min_order_value_idr=quote.min_order_value_idr or row["min_order_value_idr"],
            )
            results[row["id"]] = ("ok", None, quote)
        except TimeoutError:
            results[row["id"]] = ("timeout", "no answer in time", None)
        except Exception as exc:  # any supplier failure is recorded; the others go on
            results[row["id"]] = ("failed", f"{type(exc).__name__}: {exc}"[:1000], None)

    tasks = [asyncio.create_task(ask(row)) for row in suppliers]
    try:
        if tasks:
            await asyncio.wait(tasks, timeout=settings.quote_deadline_seconds)
    finally:  # past the deadline, or the build itself was cancelled
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    for row in suppliers:
        results.setdefault(row["id"], ("timeout", "past the overall quote deadline", None))
    return results


def answered(answers: Mapping[int, Answer]) -> list[SupplierQuote]:
    return [q for status, _, q in answers.values() if status == "ok" and q is not None]
