"""A runnable simulator of a supplier system that speaks UBL 2.1, for the demo and the tests.

It takes signed Orders (idempotent by the Order's ID: the same PO number never makes a second
sales order) and OrderCancellations, each validated against the OASIS schema, and answers
with signed documents posted to kulakan's ``/v1/suppliers/{id}/documents``: an
OrderResponse, a DespatchAdvice and an Invoice. With ``auto`` it sends all three after a
delay; otherwise a test drives it through ``POST /_admin/orders/{po}/{document}``.
Fault knobs as the marketplace simulator's: latency, a 5xx rate, 429 bursts, hangs, failing
the first N order attempts, partial fills, duplicate and out-of-order documents.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import httpx
import msgspec
from litestar import Litestar, Request, Response, get, post

from adapters import simulator_faults
from adapters.signing import signed_headers, verify
from adapters.ubl import supplier_side, xml
from adapters.ubl.adapter import SUPPLIER_REF_HEADER
from contracts.errors import InvalidInput, Unauthorized


class Faults(simulator_faults.Faults, kw_only=True):
    duplicate_documents: bool = False


class SimulatorConfig(msgspec.Struct, kw_only=True):
    callback_url: str = ""  # e.g. http://127.0.0.1:8000/v1/suppliers/4/documents
    webhook_secret: str = ""  # signs the documents it sends and checks the Orders it takes
    auto: bool = True  # send OrderResponse, DespatchAdvice and Invoice by itself
    document_delay_seconds: float = 0.5
    price_change_pct: float = 0.0  # the OrderResponse changes the first line's price by this
    tempo_days: int = 14
    seed: int = 7
    faults: Faults = msgspec.field(default_factory=Faults)


class DocumentOptions(msgspec.Struct, kw_only=True):
    """What a test asks the simulator to answer with (line numbers as keys)."""

    prices: dict[int, int] = {}
    packs: dict[int, Decimal] = {}  # OrderResponse: new pack counts; DespatchAdvice: sent packs
    rejected: list[int] = []
    reject_all: bool = False
    version: str = "1"


class Sent(msgspec.Struct, kw_only=True):
    kind: str
    status: int
    body: Any


class SupplierSystem:
    """The simulator's state: orders by PO number, what each line was confirmed and
    despatched at, counters and faults."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.faults = config.faults
        self.orders: dict[str, supplier_side.ReceivedOrder] = {}
        self.status: dict[str, str] = {}
        self.prices: dict[str, dict[int, int]] = {}
        self.despatched: dict[str, dict[int, Decimal]] = {}
        self.attempts: dict[str, int] = defaultdict(int)
        self.created: dict[str, int] = defaultdict(int)
        self.sent: dict[str, list[Sent]] = defaultdict(list)
        self.issued: dict[tuple[str, str, str], datetime] = {}
        self.documents_sent = 0
        self.rnd = random.Random(config.seed)
        self.tasks: set[asyncio.Task[None]] = set()
        self.http_factory = lambda: httpx.AsyncClient(timeout=httpx.Timeout(10.0))

    async def gate(self) -> Response[Any] | None:
        refusal = await simulator_faults.gate(self.faults, self.rnd)
        if refusal is None:
            return None
        return Response(refusal.message, status_code=refusal.status_code, headers=refusal.headers)

    def sales_order_id(self, po_number: str) -> str:
        return f"SO-{po_number}"

    def document(self, po_number: str, kind: str, options: DocumentOptions) -> bytes:
        """The next document of ``kind`` for an order, remembering what it states."""
        order = self.orders[po_number]
        # a document keeps its issue time: sent again, it is byte for byte the same document
        at = self.issued.setdefault((po_number, kind, options.version), datetime.now(UTC))
        ref = self.sales_order_id(po_number)
        if kind == "order-response":
            self.prices[po_number] = {
                line.line_no: options.prices.get(line.line_no, line.price_per_pack_idr)
                for line in order.lines
            }
            return supplier_side.order_response_xml(
                order,
                sales_order_id=ref,
                at=at,
                prices=options.prices,
                packs={n: int(p) for n, p in options.packs.items()},
                rejected=frozenset(options.rejected),
                reject_all=options.reject_all,
                version=options.version,
            )
        if kind == "despatch-advice":
            share = Decimal(str(self.faults.partial_fill))
            sent = {
                line.line_no: options.packs.get(
                    line.line_no, (line.packs * share).quantize(Decimal(1), rounding=ROUND_FLOOR)
                )
                for line in order.lines
            }
            self.despatched[po_number] = sent
            return supplier_side.despatch_advice_xml(
                order, sales_order_id=ref, at=at, packs=sent, version=options.version
            )
        if kind == "invoice":
            sent = self.despatched.get(po_number, {})
            prices = self.prices.get(po_number, {})
            amounts = {
                line.line_no: int(
                    sent.get(line.line_no, Decimal(0))
                    * prices.get(line.line_no, line.price_per_pack_idr)
                )
                for line in order.lines
            }
            return supplier_side.supplier_invoice_xml(
                order,
                sales_order_id=ref,
                at=at,
                amounts=amounts,
                quantities=sent,
                delivery_fee_idr=order.delivery_fee_idr,
                tempo_days=self.config.tempo_days,
                version=options.version,
            )
        raise KeyError(kind)

    async def send(self, po_number: str, kind: str, body: bytes) -> Sent:
        """Post one signed document to kulakan (retrying its 5xx a few times)."""
        outcome = Sent(kind=kind, status=0, body=None)
        async with self.http_factory() as client:
            for _ in range(3):
                try:
                    response = await client.post(
                        self.config.callback_url,
                        content=body,
                        headers={
                            "content-type": "application/xml",
                            **signed_headers(self.config.webhook_secret, body, datetime.now(UTC)),
                        },
                    )
                except httpx.HTTPError as exc:
                    outcome = Sent(kind=kind, status=0, body=str(exc))
                    await asyncio.sleep(0.2)
                    continue
                try:
                    answer = response.json()
                except ValueError:
                    answer = response.text
                outcome = Sent(kind=kind, status=response.status_code, body=answer)
                if response.status_code < 500:
                    self.documents_sent += 1
                    break
                await asyncio.sleep(0.2)
        self.sent[po_number].append(outcome)
        return outcome

    async def play(self, po_number: str) -> None:
        """Auto mode: confirm (changing the first line's price if asked), despatch, invoice."""
        await asyncio.sleep(self.config.document_delay_seconds)
        order = self.orders[po_number]
        prices = {}
        if self.config.price_change_pct and order.lines:
            first = order.lines[0]
            factor = Decimal(1) + Decimal(str(self.config.price_change_pct)) / 100
            prices[first.line_no] = int(first.price_per_pack_idr * factor)
        kinds = ["order-response", "despatch-advice", "invoice"]
        bodies = [
            (kind, self.document(po_number, kind, DocumentOptions(prices=prices))) for kind in kinds
        ]
        if self.faults.out_of_order:
            bodies.reverse()
        if self.faults.duplicate_documents:
            bodies = [pair for pair in bodies for pair in (pair, pair)]
        for kind, body in bodies:
            await self.send(po_number, kind, body)
        self.status[po_number] = "invoiced"


def _checked(system: SupplierSystem, request_headers: Any, body: bytes, kind: str) -> Any:
    if system.config.webhook_secret:
        verify(
            system.config.webhook_secret,
            {k.lower(): v for k, v in request_headers.items()},
            body,
            datetime.now(UTC),
        )
    root = xml.parse(body)
    xml.validated(root, (kind,))
    return root


def _refusal(exc: InvalidInput | Unauthorized) -> Response[Any]:
    status = 401 if isinstance(exc, Unauthorized) else 400
    errors = [{"pointer": e.pointer, "detail": e.detail} for e in exc.errors]
    return Response({"detail": exc.detail, "errors": errors}, status_code=status)


def create_simulator_app(config: SimulatorConfig | None = None) -> Litestar:
    system = SupplierSystem(config or SimulatorConfig())

    @post("/ubl/orders", status_code=201)
    async def take_order(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await request.body()
        try:
            root = _checked(system, request.headers, body, "Order")
        except (InvalidInput, Unauthorized) as exc:
            return _refusal(exc)
        order = supplier_side.received_order(root)
        system.attempts[order.po_number] += 1
        fault = await system.gate()
        if fault:
            return fault
        if system.faults.fail_first > 0:
            system.faults.fail_first -= 1
            return Response("temporarily unavailable", status_code=503)
        if system.faults.hang_ms:
            await asyncio.sleep(system.faults.hang_ms / 1000)
        headers = {SUPPLIER_REF_HEADER: system.sales_order_id(order.po_number)}
        if order.po_number in system.orders:
            return Response({"duplicate": True}, status_code=200, headers=headers)
        system.orders[order.po_number] = order
        system.status[order.po_number] = "received"
        system.created[order.po_number] += 1
        if system.config.auto and system.config.callback_url:
            task = asyncio.create_task(system.play(order.po_number))
            system.tasks.add(task)
            task.add_done_callback(system.tasks.discard)
        return Response({"duplicate": False}, status_code=201, headers=headers)

    @post("/ubl/order-cancellations", status_code=200)
    async def cancel_order(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await request.body()
        try:
            root = _checked(system, request.headers, body, "OrderCancellation")
        except (InvalidInput, Unauthorized) as exc:
            return _refusal(exc)
        refs = root.xpath("cac:OrderReference/cbc:ID/text()", namespaces=supplier_side.NS)
        po_number = str(refs[0]).strip() if isinstance(refs, list) and refs else ""
        if po_number not in system.orders:
            return Response({"detail": "no such order"}, status_code=404)
        system.status[po_number] = "cancelled"
        return Response({"cancelled": po_number})

    @post("/_admin/orders/{po_number:str}/{kind:str}", status_code=200)
    async def send_document(po_number: str, kind: str, data: DocumentOptions) -> Response[Any]:
        if po_number not in system.orders:
            return Response({"detail": "no such order"}, status_code=404)
        try:
            body = system.document(po_number, kind, data)
        except KeyError:
            return Response({"detail": f"unknown document {kind}"}, status_code=404)
        sent = await system.send(po_number, kind, body)
        return Response({**msgspec.to_builtins(sent), "document": body.decode()})

    @get("/_admin/orders/{po_number:str}")
    async def order_state(po_number: str) -> Response[Any]:
        if po_number not in system.orders:
            return Response({"detail": "no such order"}, status_code=404)
        return Response(
            {
                "order": msgspec.to_builtins(system.orders[po_number]),
                "status": system.status[po_number],
                "sent": msgspec.to_builtins(system.sent[po_number]),
            }
        )

    @get("/_admin/counters")
    async def counters() -> dict[str, Any]:
        return {
            "orders": dict(system.created),
            "attempts": dict(system.attempts),
            "documents_sent": system.documents_sent,
        }

    @post("/_admin/faults", status_code=200)
    async def set_faults(data: Faults) -> Faults:
        system.faults = data
        return data

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(
        route_handlers=[
            take_order,
            cancel_order,
            send_document,
            order_state,
            counters,
            set_faults,
            health,
        ]
    )


def run_simulator(host: str, port: int, config: SimulatorConfig) -> None:
    import uvicorn

    uvicorn.run(create_simulator_app(config), host=host, port=port, log_level="warning")
