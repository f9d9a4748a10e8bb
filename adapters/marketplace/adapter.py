"""The marketplace adapter: quotes, idempotent orders, status, cancel and signed webhooks over
HTTP, with retries and a circuit breaker."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import msgspec

from adapters.resilience import CircuitBreaker, ResilientCaller
from adapters.signing import verify
from contracts.adapter import (
    AdapterContext,
    Capability,
    InboundRequest,
    OrderAck,
    OrderStatusReport,
    PackOffer,
    PurchaseOrderRequest,
    QuoteRequest,
    RemoteOrderStatus,
    SupplierQuote,
    TierPrice,
)
from contracts.errors import FieldError, InvalidInput, SupplierError
from contracts.events import SupplierEvent, supplier_events_decoder

CAPABILITIES = frozenset(
    {
        Capability.QUOTE,
        Capability.PLACE_ORDER,
        Capability.CANCEL_ORDER,
        Capability.ORDER_STATUS,
        Capability.INBOUND,
    }
)


class MarketplaceConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    base_url: str
    api_key: str = ""
    timeout_seconds: float = 10.0
    max_attempts: int = 4
    breaker_failures: int = 5
    breaker_cool_down_seconds: float = 30.0
    sku_map: dict[str, str] = {}  # our SKU -> the marketplace's


class _Tier(msgspec.Struct):
    min_packs: int
    price_per_pack_idr: int


class _Offer(msgspec.Struct):  # tolerant: only the fields we read
    sku: str
    pack_name: str
    units_per_pack: Decimal
    tiers: list[_Tier]
    moq_packs: int = 1
    stock_packs: int | None = None
    lead_days: int = 1


class _Quote(msgspec.Struct):
    quote_ref: str
    valid_until: datetime
    offers: list[_Offer]
    delivery_fee_idr: int = 0
    min_order_value_idr: int = 0
    unavailable: list[str] = []


class _Order(msgspec.Struct):
    order_id: str
    status: str = "received"
    duplicate: bool = False
    accepted_at: datetime | None = None


def parse_config(config: Mapping[str, Any]) -> MarketplaceConfig:
    try:
        parsed = msgspec.convert(dict(config), MarketplaceConfig, strict=False)
    except msgspec.ValidationError as exc:
        path = str(exc).rsplit("$.", 1)[-1].rstrip("`") if "$." in str(exc) else ""
        field = path.split(".")[0].split("[")[0] or ("base_url" if "base_url" in str(exc) else "")
        raise InvalidInput(
            "invalid marketplace config",
            errors=[FieldError(f"/adapter_config/{field}".rstrip("/"), str(exc).split(" - at")[0])],
        ) from exc
    if not parsed.base_url.startswith(("http://", "https://")):
        raise InvalidInput(
            "invalid marketplace config",
            errors=[FieldError("/adapter_config/base_url", "must be an http(s) URL")],
        )
    return parsed


class MarketplaceAdapter:
    key = "marketplace"
    capabilities = CAPABILITIES

    def __init__(
        self,
        config: MarketplaceConfig,
        context: AdapterContext,
        *,
        caller: ResilientCaller | None = None,
    ) -> None:
        self.config = config
        self.context = context
        self._own_client = context.http_client is None
        self.http: httpx.AsyncClient = context.http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout_seconds, connect=5.0)
        )
        self.caller = caller or ResilientCaller(
            attempts=config.max_attempts,
            breaker=CircuitBreaker(config.breaker_failures, config.breaker_cool_down_seconds),
        )
        self._their_sku = config.sku_map
        self._our_sku = {v: k for k, v in config.sku_map.items()}

    def _url(self, path: str) -> str:
        return self.config.base_url.rstrip("/") + path

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        return {**headers, **(extra or {})}

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        timeout = httpx.Timeout(self.config.timeout_seconds, connect=5.0)

        async def send() -> httpx.Response:
            return await self.http.request(method, self._url(path), timeout=timeout, **kwargs)

        response = await self.caller.call(send)
        if response.status_code >= 400 and response.status_code != 409:
            raise SupplierError(
                f"marketplace refused: {response.status_code} {response.text[:200]}",
                retryable=False,
            )
        return response

    async def quote(self, request: QuoteRequest) -> SupplierQuote:
        body = {
            "reference": request.reference,
            "items": [
                {"sku": self._their_sku.get(i.sku, i.sku), "quantity": str(i.quantity)}
                for i in request.items
            ],
        }
        response = await self._request("POST", "/quotes", json=body, headers=self._headers())
        try:
            answer = msgspec.json.decode(response.content, type=_Quote)
        except msgspec.DecodeError as exc:
            raise SupplierError(f"unreadable quote: {exc}", retryable=False) from exc
        return SupplierQuote(
            supplier_id=self.context.supplier_id,
            quote_ref=answer.quote_ref,
            valid_until=answer.valid_until,
            delivery_fee_idr=answer.delivery_fee_idr,
            min_order_value_idr=answer.min_order_value_idr,
            unavailable_skus=tuple(self._our_sku.get(s, s) for s in answer.unavailable),
            offers=tuple(
                PackOffer(
                    sku=self._our_sku.get(o.sku, o.sku),
                    supplier_sku=o.sku,
                    pack_name=o.pack_name,
                    units_per_pack=o.units_per_pack,
                    tiers=tuple(
                        TierPrice(min_packs=t.min_packs, price_per_pack_idr=t.price_per_pack_idr)
                        for t in o.tiers
                    ),
                    moq_packs=o.moq_packs,
                    available_packs=o.stock_packs,
                    lead_days=o.lead_days,
                )
                for o in answer.offers
            ),
        )

    async def place_order(self, order: PurchaseOrderRequest) -> OrderAck:
        body = {
            "reference": order.po_number,
            "delivery_fee_idr": order.delivery_fee_idr,
            "lines": [
                {
                    "line_no": line.line_no,
                    "sku": line.supplier_sku or self._their_sku.get(line.sku, line.sku),
                    "packs": line.packs,
                    "price_per_pack_idr": line.price_per_pack_idr,
                }
                for line in order.lines
            ],
        }
        response = await self._request(
            "POST",
            "/orders",
            json=body,
            headers=self._headers({"Idempotency-Key": order.po_number}),
        )
        answer = msgspec.json.decode(response.content, type=_Order)
        return OrderAck(
            supplier_ref=answer.order_id,
            accepted_at=answer.accepted_at or datetime.now(UTC),
            duplicate=answer.duplicate or response.status_code in (200, 409),
        )

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None:
        await self._request("POST", f"/orders/{po_number}/cancel", headers=self._headers())

    async def order_status(self, po_number: str, supplier_ref: str | None) -> OrderStatusReport:
        response = await self._request("GET", f"/orders/{po_number}", headers=self._headers())
        answer = msgspec.json.decode(response.content, type=_Order)
        try:
            status = RemoteOrderStatus(answer.status)
        except ValueError:
            status = RemoteOrderStatus.UNKNOWN
        return OrderStatusReport(supplier_ref=answer.order_id, status=status)

    async def aclose(self) -> None:
        """Close the HTTP client this adapter made (a client handed in is its owner's)."""
        if self._own_client:
            await self.http.aclose()

    def parse_inbound(self, request: InboundRequest) -> list[SupplierEvent]:
        verify(self.context.webhook_secret, request.headers, request.body, request.received_at)
        try:
            return supplier_events_decoder.decode(request.body)
        except msgspec.DecodeError as exc:
            raise InvalidInput(f"unreadable webhook body: {exc}") from exc


class MarketplaceAdapterFactoryType:
    key = "marketplace"
    capabilities = CAPABILITIES

    def validate_config(self, config: Mapping[str, Any]) -> None:
        parse_config(config)

    def create(self, config: Mapping[str, Any], context: AdapterContext) -> MarketplaceAdapter:
        return MarketplaceAdapter(parse_config(config), context)

    def simulated_skus(self) -> frozenset[str]:
        """The SKUs the simulator's catalogue sells."""
        from adapters.marketplace.simulator import load_catalogue

        return frozenset(load_catalogue())

    def check_catalogue(self, path: str) -> str | None:
        from adapters.marketplace.simulator import CatalogueError, load_catalogue

        try:
            load_catalogue(path)
        except OSError as exc:
            return exc.strerror or str(exc)
        except UnicodeDecodeError as exc:
            return f"not UTF-8 text ({exc.reason})"
        except CatalogueError as exc:
            return str(exc)
        return None

    def run_simulator(self, host: str, port: int, options: Mapping[str, Any]) -> None:
        """Serve the simulator; ``options`` are a SimulatorConfig (faults included)."""
        from adapters.marketplace.simulator import SimulatorConfig, run_simulator

        run_simulator(host, port, msgspec.convert(dict(options), SimulatorConfig))
