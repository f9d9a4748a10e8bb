"""The supplier adapter protocol and the data it speaks.

Every kind of supplier (B2B marketplace, wholesale market, WhatsApp trader, …) is one
adapter, found through the ``kulakan.adapters`` entry-point group. An entry point names an
:class:`AdapterFactory`; the core asks it to validate a supplier's config when the supplier
is saved and to build an adapter when one is needed.

Adapters that offer more than the protocol (price boards, buying lists, confirmation links)
declare it in ``capabilities`` and implement the matching protocol of
:mod:`contracts.capabilities`.

Quantities: ``QuoteItem.quantity`` and delivered quantities are in the product's *retail*
unit (kg, liter, pcs); offers and order lines are in *packs* of ``units_per_pack`` retail units.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Protocol, runtime_checkable

import msgspec

from contracts.events import SupplierEvent
from contracts.money import Rupiah

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]


class Capability(enum.StrEnum):
    QUOTE = "quote"
    PLACE_ORDER = "place_order"
    CANCEL_ORDER = "cancel_order"
    ORDER_STATUS = "order_status"
    INBOUND = "inbound"  # takes signed webhooks: turns inbound requests into events
    PRICE_BOARD = "price_board"  # prices from a posted daily board: see PriceBoards
    BUYING_LIST = "buying_list"  # orders bought by a runner from a list: see BuyingLists
    CONFIRMATION_LINK = "confirmation_link"  # a human confirms on a link: see ConfirmationLinks
    DOCUMENTS = "documents"  # business documents (UBL) in and out: see contracts.documents


class QuoteItem(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: Decimal  # retail units wanted
    retail_unit: str


class QuoteRequest(msgspec.Struct, frozen=True, kw_only=True):
    reference: str  # our bulk-buy reference, for the supplier's logs
    region: str  # the kota the goods go to
    items: tuple[QuoteItem, ...]
    delivery_date: date | None = None


class TierPrice(msgspec.Struct, frozen=True, kw_only=True):
    """All-units tier: buying at least ``min_packs`` packs prices *every* pack at this price."""

    min_packs: PositiveInt
    price_per_pack_idr: Rupiah


class PackOffer(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    pack_name: str  # e.g. "karung 25 kg", "dus 40 pcs"
    units_per_pack: Decimal  # retail units in one pack
    tiers: tuple[TierPrice, ...]  # ascending by min_packs; the first has min_packs == 1 or the MOQ
    moq_packs: PositiveInt = 1
    available_packs: NonNegativeInt | None = None  # None: no stated limit
    lead_days: NonNegativeInt = 1
    supplier_sku: str | None = None
    grade: str | None = None


class SupplierQuote(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    quote_ref: str
    valid_until: datetime
    offers: tuple[PackOffer, ...]
    delivery_fee_idr: Rupiah = 0  # paid once if anything is bought from this supplier
    min_order_value_idr: Rupiah = 0  # goods value below this is not accepted
    unavailable_skus: tuple[str, ...] = ()


class OrderLine(msgspec.Struct, frozen=True, kw_only=True):
    line_no: PositiveInt
    sku: str
    pack_name: str
    units_per_pack: Decimal
    packs: PositiveInt
    price_per_pack_idr: Rupiah
    supplier_sku: str | None = None
    product_name: str = ""
    retail_unit: str = ""


class PurchaseOrderRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What an adapter needs to place one purchase order. ``po_number`` is our number and the
    supplier's idempotency reference: placing the same number twice must not create two orders."""

    po_number: str
    supplier_id: int
    lines: tuple[OrderLine, ...]
    delivery_fee_idr: Rupiah = 0
    delivery_date: date | None = None
    delivery_window: str = ""  # e.g. "06:00–09:00 WIB"
    delivery_address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    notes: str = ""
    quote_ref: str | None = None
    buyer_id: int | None = None  # the satker that orders
    buyer_name: str = ""
    seller_name: str = ""  # the supplier, as kulakan knows it
    issued_at: datetime | None = None  # when the order was approved and written


class OrderAck(msgspec.Struct, frozen=True, kw_only=True):
    supplier_ref: str
    accepted_at: datetime
    duplicate: bool = False  # the supplier already had this po_number
    confirmation_url: str | None = None  # for suppliers confirmed by a human link
    scheduled_for: datetime | None = None  # outside trading hours: when the supplier acts on it
    notes: str = ""  # human-readable, e.g. when the buying happens


class RemoteOrderStatus(enum.StrEnum):
    RECEIVED = "received"
    CONFIRMED = "confirmed"
    DESPATCHED = "despatched"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


class OrderStatusReport(msgspec.Struct, frozen=True, kw_only=True):
    supplier_ref: str
    status: RemoteOrderStatus
    events: tuple[SupplierEvent, ...] = ()


class InboundRequest(msgspec.Struct, frozen=True, kw_only=True):
    """An HTTP request a supplier (or its human) sent us, as plain data."""

    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    received_at: datetime
    path: str = ""


class AdapterContext(msgspec.Struct, frozen=True, kw_only=True):
    """What the core hands a factory besides the supplier's own config."""

    supplier_id: int
    supplier_name: str
    webhook_secret: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    # an httpx.AsyncClient with time-outs, owned by the core (Any: contracts do not import httpx)
    http_client: Any = None
    clock: Callable[[], datetime] | None = None  # aware; None means the system clock (UTC)
    # async () -> the latest price-board entries, in a shape the adapter converts (markets)
    board_loader: Callable[[], Awaitable[Sequence[object]]] | None = None


@runtime_checkable
class SupplierAdapter(Protocol):
    key: str
    capabilities: frozenset[Capability]

    async def quote(self, request: QuoteRequest) -> SupplierQuote: ...

    async def place_order(self, order: PurchaseOrderRequest) -> OrderAck: ...

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None: ...

    async def order_status(self, po_number: str, supplier_ref: str | None) -> OrderStatusReport: ...

    def parse_inbound(self, request: InboundRequest) -> list[SupplierEvent]:
        """Verify and turn an inbound request into events; raise Unauthorized on a bad
        signature, InvalidInput on a malformed body."""
        ...


class AdapterFactory(Protocol):
    key: str
    capabilities: frozenset[Capability]

    def validate_config(self, config: Mapping[str, Any]) -> None:
        """Raise contracts.errors.InvalidInput naming the bad field."""
        ...

    def create(self, config: Mapping[str, Any], context: AdapterContext) -> SupplierAdapter: ...


__all__ = [
    "AdapterContext",
    "AdapterFactory",
    "Capability",
    "InboundRequest",
    "OrderAck",
    "OrderLine",
    "OrderStatusReport",
    "PackOffer",
    "PurchaseOrderRequest",
    "QuoteItem",
    "QuoteRequest",
    "RemoteOrderStatus",
    "SupplierAdapter",
    "SupplierQuote",
    "TierPrice",
]
