"""A runnable simulator of a Ralali-like B2B marketplace, for the demo and the tests.

Catalogue with all-units tier prices, MOQ and stock; quotes; orders that are idempotent by
our reference (the same reference never makes a second order); status and cancel; and signed
webhooks (confirmed, despatched, delivered) sent back to kulakan after configurable delays.
Fault knobs, set at start or at run time through ``POST /_admin/faults``: latency, a 5xx
rate, 429 bursts with Retry-After, hangs longer than a client's time-out, failing the first
N order attempts, partial fills, and duplicate or out-of-order webhooks.
"""

from __future__ import annotations

import asyncio
import csv
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import httpx
import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State

from adapters import simulator_faults
from adapters.signing import signed_headers
from contracts.events import (
    DeliveredLine,
    LineConfirmation,
    LineOutcome,
    OrderConfirmed,
    OrderDelivered,
    OrderDespatched,
)


class Faults(simulator_faults.Faults, kw_only=True):
    duplicate_webhooks: bool = False


class SimulatorConfig(msgspec.Struct, kw_only=True):
    callback_url: str = ""  # e.g. http://127.0.0.1:8000/v1/suppliers/1/webhooks
    webhook_secret: str = ""
    webhook_delay_seconds: float = 0.5
    delivery_fee_idr: int = 75_000
    min_order_value_idr: int = 1_000_000
    catalogue_path: str = ""  # a CSV like catalogue.csv; empty: the shipped one
    seed: int = 7
    faults: Faults = msgspec.field(default_factory=Faults)


class Tier(msgspec.Struct):
    min_packs: int
    price_per_pack_idr: int


class Item(msgspec.Struct):
    sku: str
    pack_name: str
    units_per_pack: Decimal
    moq_packs: int
    stock_packs: int
    lead_days: int
    tiers: list[Tier]


class QuoteIn(msgspec.Struct):
    items: list[dict[str, Any]]
    reference: str = ""


class OrderLineIn(msgspec.Struct):
    line_no: int
    sku: str
    packs: int
    price_per_pack_idr: int


class OrderIn(msgspec.Struct):
    reference: str
    lines: list[OrderLineIn]
    delivery_fee_idr: int = 0


CATALOGUE_COLUMNS = (
    "sku",
    "pack_name",
    "units_per_pack",
    "min_packs",
    "price_per_pack_idr",
    "moq_packs",
    "stock_packs",
    "lead_days",
)


class CatalogueError(ValueError):
    """A catalogue file the simulator cannot sell from; the message names line and column."""


def _cell(row: dict[str, str], line: int, column: str, kind: type) -> Any:
    number = CATALOGUE_COLUMNS.index(column) + 1
    raw = (row.get(column) or "").strip()
    try:
        value = kind(raw)
    except (ArithmeticError, ValueError):
        problem = f"line {line}, column {number} ({column}): {raw!r} is not a number"
        raise CatalogueError(problem) from None
    if value < (1 if column in ("units_per_pack", "min_packs", "moq_packs") else 0):
        raise CatalogueError(f"line {line}, column {number} ({column}): {raw!r} is too small")
    return value


def parse_catalogue(text: str) -> dict[str, Item]:
    """Items with their tier prices (one row per tier) from the catalogue's CSV; one pack per
    SKU. Raises CatalogueError naming the first bad line and column."""
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in CATALOGUE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogueError(f"line 1: missing columns {', '.join(missing)}")
    items: dict[str, Item] = {}
    for line, row in enumerate(reader, start=2):
        sku = (row.get("sku") or "").strip()
        if not sku:
            raise CatalogueError(f"line {line}, column 1 (sku): empty")
        item = items.setdefault(
            sku,
            Item(
                sku=sku,
                pack_name=row["pack_name"].strip(),
                units_per_pack=_cell(row, line, "units_per_pack", Decimal),
                moq_packs=_cell(row, line, "moq_packs", int),
                stock_packs=_cell(row, line, "stock_packs", int),
                lead_days=_cell(row, line, "lead_days", int),
                tiers=[],
            ),
        )
        tier = Tier(_cell(row, line, "min_packs", int), _cell(row, line, "price_per_pack_idr", int))
        if any(t.min_packs == tier.min_packs for t in item.tiers):
            raise CatalogueError(f"line {line}, column 4 (min_packs): {sku} has this tier twice")
        item.tiers.append(tier)
    if not items:
        raise CatalogueError("the catalogue has no items")
    for item in items.values():
        item.tiers.sort(key=lambda t: t.min_packs)
    return items


def load_catalogue(path: str = "") -> dict[str, Item]:
    """The catalogue in ``path``, or the one shipped with the simulator."""
    if path:
        with open(path, encoding="utf-8") as fh:
            return parse_catalogue(fh.read())
    return parse_catalogue(
        resources.files("adapters.marketplace").joinpath("catalogue.csv").read_text()
    )


class Market:
    """The simulator's state: catalogue, orders by reference, counters, faults."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.faults = config.faults
        self.catalogue = load_catalogue(config.catalogue_path)
        self.orders: dict[str, dict[str, Any]] = {}
        self.created: dict[str, int] = defaultdict(int)  # orders made per reference
        self.attempts: dict[str, int] = defaultdict(int)  # placement attempts per reference
        self.webhooks_sent = 0
        # order ids (and so webhook event ids) never repeat across simulator restarts
        self.instance = uuid.uuid4().hex[:6].upper()
        self.rnd = random.Random(config.seed)
        self.tasks: set[asyncio.Task[None]] = set()
        # how webhooks reach kulakan; tests swap in an in-process transport
        self.http_factory = lambda: httpx.AsyncClient(timeout=httpx.Timeout(5.0))

    def price(self, item: Item, packs: int) -> int:
        return max(
            (t for t in item.tiers if packs >= t.min_packs), key=lambda t: t.min_packs
        ).price_per_pack_idr

    async def gate(self) -> Response | None:
        """Apply latency and random or burst faults to one request."""
        refusal = await simulator_faults.gate(self.faults, self.rnd)
        if refusal is None:
            return None
        return Response(
            {"error": refusal.message},
            status_code=refusal.status_code,
            headers=refusal.headers,
        )


def create_simulator_app(config: SimulatorConfig | None = None) -> Litestar:
    market = Market(config or SimulatorConfig())

    @get("/catalogue")
    async def catalogue() -> list[Item]:
        return list(market.catalogue.values())

    @post("/quotes", status_code=200)
    async def quote(data: QuoteIn) -> Response:
        fault = await market.gate()
        if fault:
            return fault
        offers, unavailable = [], []
        for wanted in data.items:
            item = market.catalogue.get(str(wanted.get("sku")))
            if item is None or item.stock_packs < item.moq_packs:
                unavailable.append(wanted.get("sku"))
                continue
            offers.append(msgspec.to_builtins(item))
        return Response(
            {
                "quote_ref": f"MPQ-{uuid.uuid4().hex[:10]}",
                "valid_until": (datetime.now(UTC) + timedelta(hours=12)).isoformat(),
                "delivery_fee_idr": market.config.delivery_fee_idr,
                "min_order_value_idr": market.config.min_order_value_idr,
                "offers": offers,
                "unavailable": unavailable,
            }
        )

    @post("/orders", status_code=201)
    async def place(request: Request, data: OrderIn) -> Response:
        reference = request.headers.get("idempotency-key") or data.reference
        market.attempts[reference] += 1
        fault = await market.gate()
        if fault:
            return fault
        if market.faults.fail_first > 0:
            market.faults.fail_first -= 1
            return Response({"error": "temporarily unavailable"}, status_code=503)
        if market.faults.hang_ms:
            await asyncio.sleep(market.faults.hang_ms / 1000)
        existing = market.orders.get(reference)
        if existing is not None:
            return Response({**existing, "duplicate": True}, status_code=200)
        for line in data.lines:
            if line.sku not in market.catalogue:
                return Response({"error": f"unknown sku {line.sku}"}, status_code=422)
        order = {
            "order_id": f"MP-{market.instance}-{len(market.orders) + 1:06d}",
            "reference": reference,
            "status": "received",
            "accepted_at": datetime.now(UTC).isoformat(),
            "lines": [msgspec.to_builtins(line) for line in data.lines],
        }
        market.orders[reference] = order
        market.created[reference] += 1
        if market.config.callback_url:
            task = asyncio.create_task(_send_webhooks(market, order))
            market.tasks.add(task)
            task.add_done_callback(market.tasks.discard)
        return Response({**order, "duplicate": False}, status_code=201)

    @get("/orders/{reference:str}")
    async def status(reference: str) -> Response:
        order = market.orders.get(reference)
        if order is None:
            return Response({"error": "no such order"}, status_code=404)
        return Response(order)

    @post("/orders/{reference:str}/cancel", status_code=200)
    async def cancel(reference: str) -> Response:
        order = market.orders.get(reference)
        if order is None:
            return Response({"error": "no such order"}, status_code=404)
        if order["status"] in ("despatched", "delivered"):
            return Response({"error": f"order is {order['status']}"}, status_code=409)
        order["status"] = "cancelled"
        return Response(order)

    @get("/_admin/counters")
    async def counters() -> dict[str, Any]:
        return {
            "orders": dict(market.created),
            "attempts": dict(market.attempts),
            "webhooks_sent": market.webhooks_sent,
        }

    @post("/_admin/faults", status_code=200)
    async def set_faults(data: Faults) -> Faults:
        market.faults = data
        return data

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(
        route_handlers=[catalogue, quote, place, status, cancel, counters, set_faults, health],
        state=State({"market": market}),
    )


async def _send_webhooks(market: Market, order: dict[str, Any]) -> None:
    config = market.config
    await asyncio.sleep(config.webhook_delay_seconds)
    now = datetime.now(UTC)
    ref, po = order["order_id"], order["reference"]
    share = Decimal(str(market.faults.partial_fill))
    catalogue = market.catalogue
    events: list[Any] = [
        OrderConfirmed(
            event_id=f"{ref}:confirmed",
            po_number=po,
            occurred_at=now,
            supplier_ref=ref,
            lines=tuple(
                LineConfirmation(line_no=ln["line_no"], outcome=LineOutcome.ACCEPTED)
                for ln in order["lines"]
            ),
        ),
        OrderDespatched(
            event_id=f"{ref}:despatched", po_number=po, occurred_at=now, supplier_ref=ref
        ),
        OrderDelivered(
            event_id=f"{ref}:delivered",
            po_number=po,
            occurred_at=now,
            supplier_ref=ref,
            lines=tuple(
                DeliveredLine(
                    line_no=ln["line_no"],
                    quantity=(ln["packs"] * catalogue[ln["sku"]].units_per_pack * share).quantize(
                        Decimal("0.001")
                    ),
                )
                for ln in order["lines"]
            ),
        ),
    ]
    if market.faults.out_of_order:
        events.reverse()
    if market.faults.duplicate_webhooks:
        events = [e for event in events for e in (event, event)]
    order["status"] = "delivered"
    async with market.http_factory() as client:
        for event in events:
            body = msgspec.json.encode([event])
            for _ in range(3):
                try:
                    response = await client.post(
                        config.callback_url,
                        content=body,
                        headers={
                            "content-type": "application/json",
                            **signed_headers(config.webhook_secret, body, datetime.now(UTC)),
                        },
                    )
                    if response.status_code < 500:
                        market.webhooks_sent += 1
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)


def run_simulator(host: str, port: int, config: SimulatorConfig) -> None:
    import uvicorn

    uvicorn.run(create_simulator_app(config), host=host, port=port, log_level="warning")
