"""The marketplace adapter's failure modes (respx) and its behaviour against the simulator
run in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import msgspec
import pytest
import respx

from adapters.marketplace import MarketplaceAdapterFactory
from adapters.marketplace.adapter import MarketplaceAdapter, parse_config
from adapters.marketplace.simulator import Faults, SimulatorConfig, create_simulator_app
from adapters.resilience import CircuitBreaker, ResilientCaller
from adapters.signing import signed_headers
from contracts.adapter import (
    AdapterContext,
    InboundRequest,
    OrderLine,
    PurchaseOrderRequest,
    QuoteItem,
    QuoteRequest,
)
from contracts.errors import InvalidInput, SupplierError, Unauthorized
from contracts.events import OrderConfirmed

BASE = "http://marketplace.test"
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
ORDER = PurchaseOrderRequest(
    po_number="PO-1-20261124-7",
    supplier_id=1,
    lines=(
        OrderLine(
            line_no=1,
            sku="MIE-GRG",
            pack_name="dus 40 pcs",
            units_per_pack=Decimal(40),
            packs=12,
            price_per_pack_idr=116_000,
        ),
    ),
)


async def no_sleep(_seconds: float) -> None:
    return None


def adapter(
    client: httpx.AsyncClient | None = None, *, attempts=4, breaker=None, secret="s3cret"
) -> MarketplaceAdapter:
    config = parse_config({"base_url": BASE, "api_key": "k"})
    context = AdapterContext(
        supplier_id=1,
        supplier_name="Grosir Online",
        webhook_secret=secret,
        http_client=client or httpx.AsyncClient(),
    )
    caller = ResilientCaller(
        attempts=attempts, breaker=breaker or CircuitBreaker(), wait=lambda _: 0.0, sleep=no_sleep
    )
    return MarketplaceAdapter(config, context, caller=caller)


ACK = {
    "order_id": "MP-000001",
    "reference": ORDER.po_number,
    "status": "received",
    "accepted_at": NOW.isoformat(),
    "duplicate": False,
}


@respx.mock
async def test_429_waits_as_long_as_retry_after_says():
    route = respx.post(f"{BASE}/orders").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(201, json=ACK),
        ]
    )
    a = adapter()
    ack = await a.place_order(ORDER)
    assert ack.supplier_ref == "MP-000001" and route.call_count == 2
    assert a.caller.waits == [7.0]


@respx.mock
async def test_5xx_and_timeouts_are_retried_with_the_same_idempotency_key():
    route = respx.post(f"{BASE}/orders").mock(
        side_effect=[httpx.Response(503), httpx.ReadTimeout("slow"), httpx.Response(201, json=ACK)]
    )
    await adapter().place_order(ORDER)
    keys = {call.request.headers["idempotency-key"] for call in route.calls}
    assert route.call_count == 3 and keys == {ORDER.po_number}
    assert all(
        msgspec.json.decode(c.request.content)["reference"] == ORDER.po_number for c in route.calls
    )


@respx.mock
async def test_other_4xx_are_not_retried():
    route = respx.post(f"{BASE}/orders").mock(
        return_value=httpx.Response(422, json={"error": "unknown sku"})
    )
    with pytest.raises(SupplierError) as caught:
        await adapter().place_order(ORDER)
    assert route.call_count == 1 and caught.value.retryable is False


@respx.mock
async def test_giving_up_is_a_retryable_supplier_error():
    respx.post(f"{BASE}/orders").mock(return_value=httpx.Response(502))
    with pytest.raises(SupplierError) as caught:
        await adapter(attempts=3).place_order(ORDER)
    assert caught.value.retryable is True


@respx.mock
async def test_the_breaker_opens_fails_fast_then_lets_one_call_through():
    now = [0.0]
    breaker = CircuitBreaker(failures=2, cool_down=30, clock=lambda: now[0])
    route = respx.post(f"{BASE}/orders").mock(return_value=httpx.Response(503))
    a = adapter(attempts=1, breaker=breaker)
    for _ in range(2):
        with pytest.raises(SupplierError):
            await a.place_order(ORDER)
    assert breaker.state == "open"
    with pytest.raises(SupplierError, match="circuit open"):
        await a.place_order(ORDER)
    assert route.call_count == 2  # failed fast, nothing sent
    now[0] = 31
    route.mock(return_value=httpx.Response(201, json=ACK))
    assert (await a.place_order(ORDER)).supplier_ref == "MP-000001"
    assert breaker.state == "closed"


@respx.mock
async def test_an_order_the_marketplace_already_has_is_a_duplicate_ack():
    respx.post(f"{BASE}/orders").mock(
        return_value=httpx.Response(200, json={**ACK, "duplicate": True})
    )
    assert (await adapter().place_order(ORDER)).duplicate is True


def webhook(body: bytes, headers: dict[str, str], at: datetime = NOW) -> InboundRequest:
    return InboundRequest(headers=headers, body=body, received_at=at)


def test_webhooks_need_a_fresh_valid_signature():
    a = adapter()
    body = msgspec.json.encode(
        [OrderConfirmed(event_id="e1", po_number=ORDER.po_number, occurred_at=NOW)]
    )
    good = signed_headers("s3cret", body, NOW)
    [event] = a.parse_inbound(webhook(body, good))
    assert event.event_id == "e1"
    with pytest.raises(Unauthorized):
        a.parse_inbound(webhook(body, signed_headers("other", body, NOW)))
    with pytest.raises(Unauthorized):
        a.parse_inbound(webhook(body + b" ", good))
    with pytest.raises(Unauthorized, match="5 minutes"):
        a.parse_inbound(webhook(body, good, NOW + timedelta(minutes=6)))
    with pytest.raises(Unauthorized):
        a.parse_inbound(webhook(body, {}))
    with pytest.raises(InvalidInput):
        a.parse_inbound(webhook(b"{", signed_headers("s3cret", b"{", NOW)))


def test_config_is_validated_with_field_pointers():
    MarketplaceAdapterFactory.validate_config(
        {"base_url": "http://127.0.0.1:8701", "api_key": "demo-marketplace-key"}
    )
    with pytest.raises(InvalidInput) as missing:
        MarketplaceAdapterFactory.validate_config({})
    assert missing.value.errors[0].pointer == "/adapter_config/base_url"
    with pytest.raises(InvalidInput) as bad:
        MarketplaceAdapterFactory.validate_config({"base_url": "ftp://x"})
    assert bad.value.errors[0].pointer == "/adapter_config/base_url"


# ------------------------------------------------------------- against the simulator


def simulated(config: SimulatorConfig | None = None) -> tuple[MarketplaceAdapter, object]:
    app = create_simulator_app(config or SimulatorConfig())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
    return adapter(client), app


async def test_quotes_carry_the_catalogues_tiers():
    a, _ = simulated()
    quote = await a.quote(
        QuoteRequest(
            reference="BB-1-1",
            region="Kota Palembang",
            items=(
                QuoteItem(sku="TERIGU", quantity=Decimal(250), retail_unit="kg"),
                QuoteItem(sku="NOPE", quantity=Decimal(1), retail_unit="pcs"),
            ),
        )
    )
    [terigu] = quote.offers
    assert terigu.units_per_pack == 25 and terigu.moq_packs == 5
    assert [(t.min_packs, t.price_per_pack_idr) for t in terigu.tiers] == [
        (1, 215_000),
        (10, 210_000),
        (200, 200_000),
    ]
    assert quote.unavailable_skus == ("NOPE",) and quote.delivery_fee_idr == 75_000


async def test_the_same_po_number_never_makes_a_second_order():
    a, app = simulated()
    first = await a.place_order(ORDER)
    again = await a.place_order(ORDER)
    assert first.supplier_ref == again.supplier_ref and again.duplicate
    market = app.state.market
    assert market.created == {ORDER.po_number: 1} and market.attempts[ORDER.po_number] == 2


async def test_three_failures_then_exactly_one_order():
    a, app = simulated(SimulatorConfig(faults=Faults(fail_first=3)))
    ack = await a.place_order(ORDER)
    market = app.state.market
    assert ack.supplier_ref.startswith("MP-")
    assert market.attempts[ORDER.po_number] == 4 and market.created[ORDER.po_number] == 1


async def test_webhooks_from_the_simulator_verify_and_parse():
    received: list[httpx.Request] = []

    async def kulakan(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, json=[])

    config = SimulatorConfig(
        callback_url="http://kulakan.test/v1/suppliers/1/webhooks",
        webhook_secret="s3cret",
        webhook_delay_seconds=0,
        faults=Faults(partial_fill=0.75),
    )
    app = create_simulator_app(config)
    market = app.state.market
    market.http_factory = lambda: httpx.AsyncClient(transport=httpx.MockTransport(kulakan))
    a = adapter(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE))
    await a.place_order(ORDER)
    for task in list(market.tasks):
        await task
    events = [
        e
        for r in received
        for e in a.parse_inbound(
            InboundRequest(headers=dict(r.headers), body=r.content, received_at=datetime.now(UTC))
        )
    ]
    assert [e.event_id.split(":")[1] for e in events] == ["confirmed", "despatched", "delivered"]
    assert events[2].lines[0].quantity == Decimal(360)  # 75 % of 12 × 40 pcs


CUSTOM = """sku,pack_name,units_per_pack,min_packs,price_per_pack_idr,moq_packs,stock_packs,lead_days
LELE,keranjang 10 kg,10,1,240000,2,30,1
LELE,keranjang 10 kg,10,5,230000,2,30,1
"""


async def test_a_catalogue_of_our_own_sets_tiers_packs_moq_fee_and_minimum(tmp_path):
    path = tmp_path / "catalogue.csv"
    path.write_text(CUSTOM)
    a, _ = simulated(
        SimulatorConfig(
            catalogue_path=str(path), delivery_fee_idr=20_000, min_order_value_idr=300_000
        )
    )
    quote = await a.quote(
        QuoteRequest(
            reference="BB-1-2",
            region="Kota Palembang",
            items=(
                QuoteItem(sku="LELE", quantity=Decimal(60), retail_unit="kg"),
                QuoteItem(sku="TERIGU", quantity=Decimal(25), retail_unit="kg"),
            ),
        )
    )
    [lele] = quote.offers
    assert (lele.pack_name, lele.units_per_pack, lele.moq_packs) == ("keranjang 10 kg", 10, 2)
    assert [(t.min_packs, t.price_per_pack_idr) for t in lele.tiers] == [
        (1, 240_000),
        (5, 230_000),
    ]
    assert quote.unavailable_skus == ("TERIGU",)  # not in this catalogue
    assert (quote.delivery_fee_idr, quote.min_order_value_idr) == (20_000, 300_000)


def test_a_bad_catalogue_is_refused_naming_line_and_column(tmp_path):
    from adapters.marketplace import MarketplaceAdapterFactory

    factory = MarketplaceAdapterFactory
    path = tmp_path / "catalogue.csv"
    path.write_text(CUSTOM.replace("230000", "murah"))
    assert factory.check_catalogue(str(path)) == (
        "line 3, column 5 (price_per_pack_idr): 'murah' is not a number"
    )
    path.write_text("sku,pack_name\nLELE,keranjang\n")
    assert "missing columns units_per_pack" in factory.check_catalogue(str(path))
    assert factory.check_catalogue(str(tmp_path / "none.csv")) == "No such file or directory"
    path.write_text(CUSTOM)
    assert factory.check_catalogue(str(path)) is None
