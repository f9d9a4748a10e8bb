"""One adapter per supplier, kept by the registry: quotes in a row share its circuit breaker, a
config change builds a new one, shutdown closes them; and a third-party package, found through
its own entry point, is a price-board supplier through the API."""

from __future__ import annotations

import sys
import textwrap
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
import respx

from contracts.adapter import QuoteItem, QuoteRequest
from services.api.app import create_app
from services.app import supplier_adapters
from services.app.bulk_buy_quotes import quote_suppliers
from services.clock import FixedClock
from services.db.tx import Tx
from services.registry import AdapterRegistry
from tests.support import bearer, new_key

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
MARKETPLACE = "http://marketplace.test"
REQUEST = QuoteRequest(
    reference="BB-1",
    region="Kota Palembang",
    items=(QuoteItem(sku="LELE", quantity=Decimal(20), retail_unit="kg"),),
)


async def api_for(container):
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(container)), base_url="http://kulakan.test"
    )


async def quote_as_a_bulk_buy_does(container, supplier_id):
    """What building a bulk buy does for one supplier: read its row and board, then ask in
    the same quote round (``quote_suppliers``), which takes the kept adapter."""
    async with Tx(container.engine) as tx:
        raw = await tx.raw()
        row = await supplier_adapters.supplier_row(raw, supplier_id)
        boards = await supplier_adapters.latest_board_rows(raw, [supplier_id])
    [(status, error, quote)] = (await quote_suppliers(container, [row], REQUEST, boards)).values()
    return status, error, quote


@pytest.fixture
async def marketplace(engine, make_container):
    container = make_container(clock=FixedClock(NOW))
    admin = bearer(await new_key(engine, "admin"))
    async with await api_for(container) as api:
        made = await api.post(
            "/v1/suppliers",
            json={
                "name": "Grosir Daring",
                "adapter_key": "marketplace",
                "adapter_config": {
                    "base_url": MARKETPLACE,
                    "max_attempts": 1,
                    "breaker_failures": 1,
                    "breaker_cool_down_seconds": 600,
                },
            },
            headers=admin,
        )
        assert made.status_code == 201, made.text
        yield container, api, admin, made.json()["id"]
    await container.adapters.aclose()


async def test_two_quotes_in_a_row_see_the_same_breaker(marketplace):
    container, _, _, supplier = marketplace
    with respx.mock(assert_all_called=True) as mock:
        quotes = mock.post(f"{MARKETPLACE}/quotes").mock(return_value=httpx.Response(503))
        status, error, _ = await quote_as_a_bulk_buy_does(container, supplier)
        assert status == "failed" and "503" in error
        status, error, _ = await quote_as_a_bulk_buy_does(container, supplier)
        assert status == "failed" and "circuit open" in error
        assert quotes.call_count == 1  # the second quote failed fast, without a request
    async with Tx(container.engine) as tx:
        row = await supplier_adapters.supplier_row(await tx.raw(), supplier)
    first = supplier_adapters.build_adapter(container, row)
    assert first is supplier_adapters.build_adapter(container, row)
    assert first.caller.breaker.state == "open"


async def test_a_config_change_builds_a_new_adapter_and_shutdown_closes_every_one(marketplace):
    container, api, admin, supplier = marketplace

    async def current():
        async with Tx(container.engine) as tx:
            row = await supplier_adapters.supplier_row(await tx.raw(), supplier)
        return supplier_adapters.build_adapter(container, row)

    before = await current()
    assert await current() is before
    got = await api.get(f"/v1/suppliers/{supplier}", headers=admin)
    changed = await api.patch(
        f"/v1/suppliers/{supplier}",
        json={"adapter_config": {"base_url": MARKETPLACE, "timeout_seconds": 3}},
        headers={**admin, "If-Match": got.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    after = await current()
    assert after is not before and after.config.timeout_seconds == 3
    assert after.caller.breaker is not before.caller.breaker
    assert not before.http.is_closed  # a call may still be using it until shutdown
    await container.adapters.aclose()
    assert before.http.is_closed and after.http.is_closed


# ---------------------------------------------------------------- a third-party package

FISHPOND = '''
"""A fish-pond co-operative that posts the day's prices per kg: a package outside the core."""

from datetime import UTC, date, datetime
from decimal import Decimal

import msgspec

from contracts.adapter import (
    Capability, OrderStatusReport, PackOffer, RemoteOrderStatus, SupplierQuote, TierPrice,
)
from contracts.capabilities import PriceBoardEntry
from contracts.errors import FieldError, InvalidInput, SupplierError


class Fish(msgspec.Struct, forbid_unknown_fields=True):
    sku: str
    name: str
    kg_price: int


class Sheet(msgspec.Struct, forbid_unknown_fields=True):
    day: date
    fish: list[Fish]


class FishpondAdapter:
    key = "fishpond"
    capabilities = frozenset({Capability.QUOTE, Capability.PRICE_BOARD})

    def __init__(self, context):
        self.context = context

    def parse_board(self, body, content_type):
        try:
            sheet = msgspec.json.decode(body, type=Sheet)
        except msgspec.DecodeError as exc:
            raise InvalidInput("not a pond sheet", errors=[FieldError("/fish", str(exc))]) from exc
        return tuple(
            PriceBoardEntry(date=sheet.day, sku=f.sku, product_name=f.name, grade="",
                            unit="kg", min_idr=f.kg_price, max_idr=f.kg_price)
            for f in sheet.fish
        )

    async def quote_from_board(self, request, board):
        prices = {entry.sku: entry.max_idr for entry in board}
        return SupplierQuote(
            supplier_id=self.context.supplier_id,
            quote_ref="pond-" + (str(board[0].date) if board else "none"),
            valid_until=datetime(2100, 1, 1, tzinfo=UTC),
            offers=tuple(
                PackOffer(sku=item.sku, pack_name="kg", units_per_pack=Decimal(1),
                          tiers=(TierPrice(min_packs=1, price_per_pack_idr=prices[item.sku]),))
                for item in request.items if item.sku in prices
            ),
            unavailable_skus=tuple(i.sku for i in request.items if i.sku not in prices),
        )

    async def quote(self, request):
        raise SupplierError("quotes come from the posted board", retryable=False)

    async def place_order(self, order):
        raise SupplierError("orders go by phone", retryable=False)

    async def cancel_order(self, po_number, supplier_ref):
        return None

    async def order_status(self, po_number, supplier_ref):
        return OrderStatusReport(supplier_ref=supplier_ref or "", status=RemoteOrderStatus.UNKNOWN)

    def parse_inbound(self, request):
        raise SupplierError("no webhooks", retryable=False)


class FishpondFactory:
    key = "fishpond"
    capabilities = FishpondAdapter.capabilities

    def validate_config(self, config):
        return None

    def create(self, config, context):
        return FishpondAdapter(context)


FACTORY = FishpondFactory()
'''


@pytest.fixture
def fishpond_package(tmp_path, monkeypatch):
    """``kulakan_fishpond`` installed as a distribution of its own, declaring its factory in
    the ``kulakan.adapters`` entry-point group."""
    (tmp_path / "kulakan_fishpond").mkdir()
    (tmp_path / "kulakan_fishpond" / "__init__.py").write_text(textwrap.dedent(FISHPOND))
    dist = tmp_path / "kulakan_fishpond-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kulakan-fishpond\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[kulakan.adapters]\nfishpond = kulakan_fishpond:FACTORY\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("kulakan_fishpond", None)


async def test_a_third_party_package_is_a_price_board_supplier(
    engine, make_container, fishpond_package
):
    registry = AdapterRegistry()  # from the installed entry points, the new package's included
    assert {"fishpond", "marketplace", "wholesale_market"} <= set(registry.keys)
    container = make_container(clock=FixedClock(NOW), adapters=registry)
    admin = bearer(await new_key(engine, "admin"))
    async with await api_for(container) as api:
        made = await api.post(
            "/v1/suppliers",
            json={"name": "Kolam Lele Kalidoni", "adapter_key": "fishpond"},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        pond = made.json()["id"]
        agent = bearer(await new_key(engine, "supplier", supplier_id=pond))
        url = f"/v1/suppliers/{pond}/price-board"
        sheet = {
            "day": "2026-11-24",
            "fish": [{"sku": "LELE", "name": "Ikan lele", "kg_price": 23500}],
        }
        posted = await api.post(url, json=sheet, headers=agent)
        assert posted.status_code == 201, posted.text
        assert posted.json()["entries"] == [
            {
                "date": "2026-11-24",
                "sku": "LELE",
                "product_name": "Ikan lele",
                "grade": "",
                "unit": "kg",
                "min_idr": 23500,
                "max_idr": 23500,
            }
        ]
        assert (await api.get(url, headers=admin)).json() == posted.json()
        bad = await api.post(url, json={"day": "2026-11-24", "ikan": []}, headers=agent)
        assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/fish"

    status, error, quote = await quote_as_a_bulk_buy_does(container, pond)
    assert status == "ok", error
    assert quote.quote_ref == "pond-2026-11-24" and quote.supplier_id == pond
    [offer] = quote.offers
    assert (offer.sku, offer.tiers[0].price_per_pack_idr) == ("LELE", 23500)
    await registry.aclose()
