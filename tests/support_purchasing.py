"""Fakes and helpers for purchase-order tests: a supplier system that keeps one order per
reference, and an adapter factory over it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pytest

from contracts.adapter import Capability, OrderAck
from contracts.api.catalogue import SupplierCreate
from contracts.errors import SupplierError, Unauthorized
from contracts.events import supplier_events_decoder
from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
from services.app.suppliers import create_supplier
from services.clock import FixedClock
from services.db.tx import Tx
from services.registry import AdapterRegistry
from tests.support import new_satker

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


class FakeSupplierSystem:
    """A supplier that keeps one order per reference, like a real marketplace does."""

    def __init__(self) -> None:
        self.orders: dict[str, int] = {}  # po_number -> times placed
        self.fail_first = 0
        self.refuse = False
        self.cancelled: list[str] = []

    def place(self, po_number: str) -> OrderAck:
        if self.refuse:
            raise SupplierError("sku not sold here", retryable=False)
        if self.fail_first > 0:
            self.fail_first -= 1
            raise SupplierError("503 from supplier", retryable=True)
        duplicate = po_number in self.orders
        self.orders[po_number] = self.orders.get(po_number, 0) + 1
        return OrderAck(supplier_ref=f"MP-{po_number}", accepted_at=NOW, duplicate=duplicate)


class FakeAdapter:
    key = "fake"
    capabilities = frozenset({Capability.PLACE_ORDER, Capability.INBOUND})  # signed webhooks

    def __init__(self, system: FakeSupplierSystem, secret: str = "") -> None:
        self.system = system
        self.secret = secret

    async def place_order(self, order):
        await asyncio.sleep(0)
        return self.system.place(order.po_number)

    async def cancel_order(self, po_number, supplier_ref):
        self.system.cancelled.append(po_number)

    def parse_inbound(self, request):
        signature = hmac.new(self.secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("x-signature", ""), signature):
            raise Unauthorized("bad signature")
        return supplier_events_decoder.decode(request.body)


class FakeFactory:
    key = "fake"
    capabilities = FakeAdapter.capabilities

    def __init__(self, system: FakeSupplierSystem) -> None:
        self.system = system

    def validate_config(self, config):
        return None

    def create(self, config, context):
        return FakeAdapter(self.system, context.webhook_secret)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode_events(*events) -> bytes:
    return msgspec.json.encode(list(events))


async def make_orders(engine, satker, supplier, product, n=1):
    order = NewPurchaseOrder(
        supplier_id=supplier,
        delivery_fee_idr=75_000,
        lines=(
            NewLine(
                product_id=product,
                sku="MIE-GRG",
                pack_name="dus 40 pcs",
                units_per_pack=Decimal(40),
                packs=10,
                price_per_pack_idr=118_000,
            ),
        ),
    )
    async with Tx(engine) as tx:
        return await create_purchase_orders(tx, satker, [order] * n, NOW)


@pytest.fixture
def system():
    return FakeSupplierSystem()


@pytest.fixture
async def world(engine, make_container, system):
    clock = FixedClock(NOW)
    container = make_container(clock=clock, adapters=AdapterRegistry({"fake": FakeFactory(system)}))
    satker = await new_satker(engine)
    async with Tx(engine) as tx:
        supplier = await create_supplier(
            tx,
            SupplierCreate(name="Grosir Uji", adapter_key="fake"),
            container.adapters,
        )
        raw = await tx.raw()
        product = await raw.fetchval(
            "INSERT INTO product (sku, name, category, retail_unit) VALUES"
            " ('MIE-GRG', 'Mie instan goreng', 'sembako', 'pcs') RETURNING id"
        )
    return container, clock, satker, supplier.id, product
