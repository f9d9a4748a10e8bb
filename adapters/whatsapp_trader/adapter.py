"""The WhatsApp-trader adapter: a market trader or small producer with no system.

Orders go out as a WhatsApp message with a signed, expiring link to a confirmation page.
Outside the trader's ordering window the message waits for the next window.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from adapters.local_time import (
    DailyHours,
    Session,
    local_moment,
    parse_hhmm,
    session_for,
    zone,
    zone_abbreviation,
)
from adapters.whatsapp_trader.link import (
    LinkPayload,
    read_confirmation_token,
    sign_confirmation_token,
    verify_confirmation_token,
)
from adapters.whatsapp_trader.message import normalise_phone, render_whatsapp_message, wa_me_link
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
from contracts.events import SupplierEvent
from contracts.money import Rupiah

KEY = "whatsapp_trader"
CONFIRMATION_PATH = "/konfirmasi/{token}"
_CONFIG_POINTER = "/adapter_config"
_PATH = re.compile(r"- at `\$(?P<path>[^`]*)`")

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]


class WindowConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    open: str = "06:00"
    close: str = "12:00"


class PriceListEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A price the trader told us, for quotes."""

    sku: Annotated[str, msgspec.Meta(min_length=1)]
    pack_name: Annotated[str, msgspec.Meta(min_length=1)]
    units_per_pack: Decimal
    price_per_pack_idr: PositiveInt
    moq_packs: PositiveInt = 1
    available_packs: Annotated[int, msgspec.Meta(ge=0)] | None = None
    lead_days: Annotated[int, msgspec.Meta(ge=0)] = 0
    grade: str | None = None


class WhatsAppTraderConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A supplier's ``adapter_config``."""

    phone: str  # the trader's WhatsApp number
    trader_name: str = ""  # how the message greets them, e.g. "Bu Siti"
    buyer_name: str = ""  # who orders, e.g. "Satker Kalidoni"
    timezone: str = "Asia/Jakarta"
    ordering_window: WindowConfig = msgspec.field(default_factory=WindowConfig)
    link_ttl_hours: Annotated[int, msgspec.Meta(ge=1, le=168)] = 24
    link_secret: str = ""  # default: the supplier's webhook secret
    confirmation_path: str = CONFIRMATION_PATH
    price_list: tuple[PriceListEntry, ...] = ()
    delivery_fee_idr: Rupiah = 0  # the usual ongkir, for quotes
    quote_valid_hours: PositiveInt = 24

    @property
    def window(self) -> DailyHours:
        return DailyHours(
            opens=parse_hhmm(self.ordering_window.open),
            closes=parse_hhmm(self.ordering_window.close),
            timezone=self.timezone,
        )


def _pointer(message: str) -> str:
    match = _PATH.search(message)
    if match is None:
        if "unknown field" in message or "missing required field" in message:
            return f"{_CONFIG_POINTER}/{message.split('`')[1]}"
        return _CONFIG_POINTER
    parts = [p for p in re.split(r"\.|\[|\]", match.group("path").replace("[...]", "")) if p]
    return _CONFIG_POINTER + "".join(f"/{part}" for part in parts)


def parse_config(config: Mapping[str, Any]) -> WhatsAppTraderConfig:
    """Validate ``config``; raise InvalidInput with ``/adapter_config/...`` pointers."""
    try:
        parsed = msgspec.convert(dict(config), WhatsAppTraderConfig)
    except msgspec.ValidationError as exc:
        raise InvalidInput(
            "invalid WhatsApp trader config", errors=[FieldError(_pointer(str(exc)), str(exc))]
        ) from exc
    errors: list[FieldError] = []
    try:
        normalise_phone(parsed.phone)
    except ValueError as exc:
        errors.append(FieldError(f"{_CONFIG_POINTER}/phone", str(exc)))
    times = {}
    for name in ("open", "close"):
        try:
            times[name] = parse_hhmm(getattr(parsed.ordering_window, name))
        except ValueError as exc:
            errors.append(FieldError(f"{_CONFIG_POINTER}/ordering_window/{name}", str(exc)))
    if len(times) == 2 and times["open"] == times["close"]:
        errors.append(
            FieldError(f"{_CONFIG_POINTER}/ordering_window", "open and close must differ")
        )
    try:
        zone(parsed.timezone)
    except ValueError as exc:
        errors.append(FieldError(f"{_CONFIG_POINTER}/timezone", str(exc)))
    if "{token}" not in parsed.confirmation_path or not parsed.confirmation_path.startswith("/"):
        errors.append(
            FieldError(
                f"{_CONFIG_POINTER}/confirmation_path", "must start with / and contain {token}"
            )
        )
    for index, entry in enumerate(parsed.price_list):
        if not entry.units_per_pack.is_finite() or entry.units_per_pack <= 0:
            errors.append(
                FieldError(
                    f"{_CONFIG_POINTER}/price_list/{index}/units_per_pack", "must be above 0"
                )
            )
    if errors:
        raise InvalidInput("invalid WhatsApp trader config", errors=errors)
    return parsed


class WhatsAppTraderAdapter:
    """One trader. Stateless; the core stores the order and the trader's answer."""

    key = KEY
    capabilities = frozenset({Capability.QUOTE, Capability.PLACE_ORDER, Capability.CANCEL_ORDER})

    def __init__(
        self, config: WhatsAppTraderConfig, context: AdapterContext, *, secret: str
    ) -> None:
        if not secret:
            raise ValueError("a WhatsApp trader needs a link secret")
        self.config = config
        self.context = context
        self.window = config.window
        self._secret = secret

    def now(self) -> datetime:
        clock = self.context.clock
        return clock() if clock is not None else datetime.now(UTC)

    def ordering_session(self, at: datetime | None = None) -> Session:
        """The ordering window ``at`` (default now) falls in, or the next one."""
        return session_for(self.window, at or self.now())

    async def quote(self, request: QuoteRequest) -> SupplierQuote:
        """Offers from the trader's price list in the config."""
        now = self.now()
        prices: dict[str, list[PriceListEntry]] = {}
        for entry in self.config.price_list:
            prices.setdefault(entry.sku, []).append(entry)
        wanted = list(dict.fromkeys(item.sku for item in request.items))
        offers = tuple(
            PackOffer(
                sku=entry.sku,
                pack_name=entry.pack_name,
                units_per_pack=entry.units_per_pack,
                tiers=(
                    TierPrice(
                        min_packs=entry.moq_packs, price_per_pack_idr=entry.price_per_pack_idr
                    ),
                ),
                moq_packs=entry.moq_packs,
                available_packs=entry.available_packs,
                lead_days=entry.lead_days,
                grade=entry.grade,
            )
            for sku in wanted
            for entry in prices.get(sku, ())
        )
        return SupplierQuote(
            supplier_id=self.context.supplier_id,
            quote_ref=f"{KEY}-{self.context.supplier_id}-{request.reference}",
            valid_until=now + timedelta(hours=self.config.quote_valid_hours),
            offers=offers,
            delivery_fee_idr=self.config.delivery_fee_idr,
            unavailable_skus=tuple(sku for sku in wanted if sku not in prices),
        )

    def supplier_ref(self, po_number: str) -> str:
        return f"WA-{po_number}"

    def confirmation_url(self, token: str) -> str:
        base = self.context.public_base_url.rstrip("/")
        return base + self.config.confirmation_path.format(token=token)

    async def place_order(self, order: PurchaseOrderRequest) -> OrderAck:
        """Make the confirmation link; inside the ordering window the message goes now,
        outside it at the next window (``scheduled_for``), and the link lasts
        ``link_ttl_hours`` from then."""
        now = self.now()
        session = self.ordering_session(now)
        send_at = now if session.open_now else session.starts_at
        token = sign_confirmation_token(
            po_number=order.po_number,
            supplier_id=order.supplier_id,
            secret=self._secret,
            expires_at=send_at + timedelta(hours=self.config.link_ttl_hours),
        )
        tz = self.config.timezone
        close = f"{session.ends_at:%H:%M} {zone_abbreviation(tz)}"
        if session.open_now:
            notes = f"Kirim pesan WhatsApp sekarang; jam pesan pedagang sampai {close}."
        else:
            opens = local_moment(session.starts_at, tz)
            notes = f"Di luar jam pesan pedagang; kirim pesan WhatsApp pada {opens} – {close}."
        return OrderAck(
            supplier_ref=self.supplier_ref(order.po_number),
            accepted_at=now,
            confirmation_url=self.confirmation_url(token),
            scheduled_for=None if session.open_now else session.starts_at,
            notes=notes,
        )

    def link_expiry(self, confirmation_url: str) -> datetime:
        """When the link in ``confirmation_url`` (made by place_order) stops working."""
        token = confirmation_url.rstrip("/").rsplit("/", 1)[-1]
        return read_confirmation_token(token, secret=self._secret).expires_at

    def whatsapp_message(
        self, order: PurchaseOrderRequest, confirmation_url: str, *, at: datetime | None = None
    ) -> str:
        """The message text for ``order`` (greeting by the local time ``at``, default now)."""
        return render_whatsapp_message(
            order,
            confirmation_url=confirmation_url,
            now=at or self.now(),
            trader_name=self.config.trader_name,
            buyer_name=self.config.buyer_name,
            link_expires_at=self.link_expiry(confirmation_url),
            timezone=self.config.timezone,
        )

    def whatsapp_link(
        self, order: PurchaseOrderRequest, confirmation_url: str, *, at: datetime | None = None
    ) -> str:
        """A wa.me link that opens WhatsApp with the message to the trader."""
        return wa_me_link(self.config.phone, self.whatsapp_message(order, confirmation_url, at=at))

    def verify_link(self, token: str, *, at: datetime | None = None) -> LinkPayload:
        """The link's payload; raise LinkTampered or LinkExpired."""
        return verify_confirmation_token(
            token, secret=self._secret, now=at or self.now(), supplier_id=self.context.supplier_id
        )

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None:
        """Nothing to call: the core stops accepting the link and tells the trader itself."""

    async def order_status(self, po_number: str, supplier_ref: str | None) -> OrderStatusReport:
        return OrderStatusReport(
            supplier_ref=supplier_ref or self.supplier_ref(po_number),
            status=RemoteOrderStatus.UNKNOWN,
        )

    def parse_inbound(self, request: InboundRequest) -> list[SupplierEvent]:
        """Not used: the confirmation page needs the stored order, so its route verifies the
        link and calls ``parse_confirmation_form(form, po, submitted_at=...)``."""
        raise SupplierError(
            "WhatsApp traders answer through the confirmation page", retryable=False
        )


class WhatsAppTraderFactory:
    key = KEY
    capabilities = WhatsAppTraderAdapter.capabilities

    def validate_config(self, config: Mapping[str, Any]) -> None:
        parse_config(config)

    def create(self, config: Mapping[str, Any], context: AdapterContext) -> WhatsAppTraderAdapter:
        parsed = parse_config(config)
        secret = parsed.link_secret or context.webhook_secret
        if not secret:
            raise InvalidInput(
                "a WhatsApp trader needs a secret for its confirmation links",
                errors=[
                    FieldError(
                        f"{_CONFIG_POINTER}/link_secret",
                        "set link_secret or the supplier's webhook secret",
                    )
                ],
            )
        return WhatsAppTraderAdapter(parsed, context, secret=secret)


WhatsAppTraderAdapterFactory = WhatsAppTraderFactory()
