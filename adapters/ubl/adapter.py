"""The UBL adapter: a supplier whose system (an ERP such as Odoo with the OCA UBL modules)
speaks UBL 2.1. Orders go out as a signed Order (cancellations as an OrderCancellation);
the supplier answers by posting OrderResponse, DespatchAdvice and Invoice documents to
``POST /v1/suppliers/{id}/documents``. Quotes come from the price list agreed with the
supplier (its ``price_list`` in the config), as ordering under Peppol BIS 3 assumes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import httpx
import msgspec

from adapters.field import one_price_offer
from adapters.resilience import CircuitBreaker, ResilientCaller
from adapters.signing import signed_headers, verify
from adapters.ubl import reading, writing, xml
from contracts.adapter import (
    AdapterContext,
    Capability,
    InboundRequest,
    OrderAck,
    OrderStatusReport,
    PurchaseOrderRequest,
    QuoteRequest,
    RemoteOrderStatus,
    SupplierQuote,
    TierPrice,
)
from contracts.documents import InboundDocument
from contracts.errors import FieldError, InvalidInput, SupplierError
from contracts.events import SupplierEvent

KEY = "ubl"
ORDER_PATH = "/ubl/orders"
CANCELLATION_PATH = "/ubl/order-cancellations"
SUPPLIER_REF_HEADER = "x-sales-order-id"
CAPABILITIES = frozenset(
    {Capability.QUOTE, Capability.PLACE_ORDER, Capability.CANCEL_ORDER, Capability.DOCUMENTS}
)
INBOUND_KINDS = ("OrderResponse", "DespatchAdvice", "Invoice")
PositiveInt = Annotated[int, msgspec.Meta(ge=1)]


class VolumePrice(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    min_packs: PositiveInt
    price_per_pack_idr: PositiveInt


class PriceListEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One agreed price: our SKU, the supplier's item id (its ``SellersItemIdentification``)."""

    sku: Annotated[str, msgspec.Meta(min_length=1)]
    item_id: str = ""  # default: our SKU
    pack_name: Annotated[str, msgspec.Meta(min_length=1)]
    units_per_pack: Decimal
    price_per_pack_idr: PositiveInt
    moq_packs: PositiveInt = 1
    available_packs: Annotated[int, msgspec.Meta(ge=0)] | None = None
    lead_days: Annotated[int, msgspec.Meta(ge=0)] = 1
    tiers: tuple[VolumePrice, ...] = ()


class UblConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    base_url: str  # the supplier's system; Orders go to base_url + order_path
    order_path: str = ORDER_PATH
    cancellation_path: str = CANCELLATION_PATH
    api_key: str = ""  # sent when the supplier's system wants one
    api_key_header: str = "authorization"  # "authorization": as a bearer token; else as is
    timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=120)] = 10.0
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 4
    breaker_failures: PositiveInt = 5
    breaker_cool_down_seconds: Annotated[float, msgspec.Meta(ge=0)] = 30.0
    price_list: tuple[PriceListEntry, ...] = ()
    delivery_fee_idr: Annotated[int, msgspec.Meta(ge=0)] = 0
    min_order_value_idr: Annotated[int, msgspec.Meta(ge=0)] = 0
    quote_valid_hours: PositiveInt = 24


def parse_config(config: Mapping[str, Any]) -> UblConfig:
    try:
        parsed = msgspec.convert(dict(config), UblConfig)
    except msgspec.ValidationError as exc:
        message = str(exc)
        path = message.rsplit("$.", 1)[-1].rstrip("`") if "$." in message else ""
        parts = [p for p in path.replace("[", ".").replace("]", "").split(".") if p]
        if not parts and "`" in message:
            parts = [message.split("`")[1]]
        pointer = "/adapter_config" + "".join(f"/{p}" for p in parts)
        raise InvalidInput(
            "invalid UBL supplier config", errors=[FieldError(pointer, message)]
        ) from exc
    errors = [
        FieldError(f"/adapter_config/price_list/{n}/units_per_pack", "must be above 0")
        for n, entry in enumerate(parsed.price_list)
        if not entry.units_per_pack.is_finite() or entry.units_per_pack <= 0
    ]
    for name in ("order_path", "cancellation_path"):
        if not getattr(parsed, name).startswith("/"):
            errors.append(FieldError(f"/adapter_config/{name}", "must start with /"))
    if not parsed.base_url.startswith(("http://", "https://")):
        errors.append(FieldError("/adapter_config/base_url", "must be an http(s) URL"))
    if errors:
        raise InvalidInput("invalid UBL supplier config", errors=errors)
    return parsed


def read_document(body: bytes) -> InboundDocument:
    """Parse safely, validate against the schema, map: a supplier document's events."""
    root = xml.parse(body)
    kind = xml.validated(root, INBOUND_KINDS)
    return reading.read(root, kind, xml.digest(body))


class UblAdapter:
    key = KEY
    capabilities = CAPABILITIES

    def __init__(self, config: UblConfig, context: AdapterContext) -> None:
        self.config = config
        self.context = context
        self._own_client = context.http_client is None
        self.http: httpx.AsyncClient = context.http_client or httpx.AsyncClient(
            timeout=httpx.Timeout(config.timeout_seconds, connect=5.0)
        )
        self.caller = ResilientCaller(
            attempts=config.max_attempts,
            breaker=CircuitBreaker(config.breaker_failures, config.breaker_cool_down_seconds),
        )

    def now(self) -> datetime:
        return self.context.clock() if self.context.clock is not None else datetime.now(UTC)

    async def quote(self, request: QuoteRequest) -> SupplierQuote:
        prices = {entry.sku: entry for entry in self.config.price_list}
        wanted = [item.sku for item in request.items]
        return SupplierQuote(
            supplier_id=self.context.supplier_id,
            quote_ref=f"UBL-PL-{request.reference}",
            valid_until=self.now() + timedelta(hours=self.config.quote_valid_hours),
            delivery_fee_idr=self.config.delivery_fee_idr,
            min_order_value_idr=self.config.min_order_value_idr,
            unavailable_skus=tuple(sku for sku in wanted if sku not in prices),
            offers=tuple(
                one_price_offer(
                    sku=entry.sku,
                    supplier_sku=entry.item_id or entry.sku,
                    pack_name=entry.pack_name,
                    units_per_pack=entry.units_per_pack,
                    price_per_pack_idr=entry.price_per_pack_idr,
                    moq_packs=entry.moq_packs,
                    available_packs=entry.available_packs,
                    lead_days=entry.lead_days,
                    volume_tiers=tuple(
                        TierPrice(min_packs=t.min_packs, price_per_pack_idr=t.price_per_pack_idr)
                        for t in entry.tiers
                    ),
                )
                for sku in wanted
                if (entry := prices.get(sku)) is not None
            ),
        )

    def _with_items(self, order: PurchaseOrderRequest) -> PurchaseOrderRequest:
        items = {entry.sku: entry.item_id for entry in self.config.price_list if entry.item_id}
        return msgspec.structs.replace(
            order,
            seller_name=order.seller_name or self.context.supplier_name,
            lines=tuple(
                msgspec.structs.replace(line, supplier_sku=line.supplier_sku or items.get(line.sku))
                for line in order.lines
            ),
        )

    async def _post(self, path: str, body: bytes, idempotency_key: str) -> httpx.Response:
        headers = {
            "content-type": "application/xml",
            "idempotency-key": idempotency_key,
            **signed_headers(self.context.webhook_secret, body, self.now()),
        }
        if self.config.api_key:
            name = self.config.api_key_header.lower()
            key = self.config.api_key
            headers[name] = f"Bearer {key}" if name == "authorization" else key
        url = self.config.base_url.rstrip("/") + path
        timeout = httpx.Timeout(self.config.timeout_seconds, connect=5.0)

        async def send() -> httpx.Response:
            return await self.http.post(url, content=body, headers=headers, timeout=timeout)

        response = await self.caller.call(send)
        if response.status_code >= 400 and response.status_code != 409:
            raise SupplierError(
                f"UBL supplier refused: {response.status_code} {response.text[:200]}",
                retryable=False,
            )
        return response

    def order_document(self, order: PurchaseOrderRequest) -> bytes:
        return writing.order_xml(self._with_items(order), order.issued_at or self.now())

    async def place_order(self, order: PurchaseOrderRequest) -> OrderAck:
        body = self.order_document(order)
        response = await self._post(self.config.order_path, body, order.po_number)
        return OrderAck(
            supplier_ref=response.headers.get(SUPPLIER_REF_HEADER) or f"UBL-{order.po_number}",
            accepted_at=self.now(),
            duplicate=response.status_code in (200, 409),
        )

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None:
        order = PurchaseOrderRequest(
            po_number=po_number, supplier_id=self.context.supplier_id, lines=()
        )
        body = writing.order_cancellation_xml(self._with_items(order), self.now())
        await self._post(self.config.cancellation_path, body, f"{po_number}-C")

    async def order_status(self, po_number: str, supplier_ref: str | None) -> OrderStatusReport:
        # UBL ordering pushes documents; there is nothing to ask
        return OrderStatusReport(
            supplier_ref=supplier_ref or f"UBL-{po_number}", status=RemoteOrderStatus.UNKNOWN
        )

    def parse_inbound(self, request: InboundRequest) -> list[SupplierEvent]:
        return list(self.read_document(request, signed=True).events)

    def read_document(self, request: InboundRequest, *, signed: bool) -> InboundDocument:
        if signed:
            verify(self.context.webhook_secret, request.headers, request.body, request.received_at)
        return read_document(request.body)

    async def aclose(self) -> None:
        if self._own_client:
            await self.http.aclose()
