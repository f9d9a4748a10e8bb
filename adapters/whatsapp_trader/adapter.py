"""The WhatsApp-trader adapter: a market trader or small producer with no system.

Orders go out as a WhatsApp message with a signed, expiring link to a confirmation page.
Outside the trader's ordering window the message waits for the next window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from adapters.field import FieldAdapter, one_price_offer
from adapters.local_time import (
    Session,
    local_moment,
    session_for,
    zone_abbreviation,
)
from adapters.whatsapp_trader.config import (
    CONFIG_POINTER,
    CONFIRMATION_PATH,
    KEY,
    PriceListEntry,
    WhatsAppTraderConfig,
    WindowConfig,
    parse_config,
)
from adapters.whatsapp_trader.link import (
    LinkExpired,
    LinkPayload,
    LinkTampered,
    claimed_supplier_id,
    read_confirmation_token,
    sign_confirmation_token,
    verify_confirmation_token,
)
from adapters.whatsapp_trader.message import render_whatsapp_message, wa_me_link
from adapters.whatsapp_trader.pages import (
    parse_confirmation_form,
    render_confirmation_page,
    render_error_page,
    render_submitted_page,
    response_event_id,
)
from contracts.adapter import (
    AdapterContext,
    Capability,
    InboundRequest,
    OrderAck,
    PurchaseOrderRequest,
    QuoteRequest,
    SupplierQuote,
    TierPrice,
)
from contracts.capabilities import ConfirmationMessage, LinkCheck, LinkErrorKind, LinkState
from contracts.errors import FieldError, InvalidInput, SupplierError
from contracts.events import OrderConfirmed, OrderRejected, SupplierEvent

__all__ = [
    "CONFIRMATION_PATH",
    "KEY",
    "PriceListEntry",
    "WhatsAppTraderAdapter",
    "WhatsAppTraderAdapterFactory",
    "WhatsAppTraderConfig",
    "WhatsAppTraderFactory",
    "WindowConfig",
    "parse_config",
]


class WhatsAppTraderAdapter(FieldAdapter):
    """One trader. Stateless; the core stores the order and the trader's answer."""

    key = KEY
    ref_prefix = "WA"
    capabilities = frozenset(
        {
            Capability.QUOTE,
            Capability.PLACE_ORDER,
            Capability.CANCEL_ORDER,
            Capability.CONFIRMATION_LINK,
        }
    )

    def __init__(
        self, config: WhatsAppTraderConfig, context: AdapterContext, *, secret: str
    ) -> None:
        if not secret:
            raise ValueError("a WhatsApp trader needs a link secret")
        self.config = config
        self.context = context
        self.window = config.window
        self._secret = secret

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
            one_price_offer(
                sku=entry.sku,
                pack_name=entry.pack_name,
                units_per_pack=entry.units_per_pack,
                price_per_pack_idr=entry.price_per_pack_idr,
                moq_packs=entry.moq_packs,
                available_packs=entry.available_packs,
                lead_days=entry.lead_days,
                grade=entry.grade,
                volume_tiers=tuple(
                    TierPrice(min_packs=t.min_packs, price_per_pack_idr=t.price_per_pack_idr)
                    for t in entry.tiers
                ),
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

    # ------------------------------------------------------------ ConfirmationLinks

    def confirmation_message(
        self, order: PurchaseOrderRequest, confirmation_url: str, *, at: datetime
    ) -> ConfirmationMessage:
        return ConfirmationMessage(
            text=self.whatsapp_message(order, confirmation_url, at=at),
            send_link=self.whatsapp_link(order, confirmation_url, at=at),
            expires_at=self.link_expiry(confirmation_url),
        )

    def check_link(self, token: str, *, at: datetime) -> LinkCheck:
        try:
            link = self.verify_link(token, at=at)
        except LinkTampered:
            return LinkCheck(state=LinkState.TAMPERED)
        except LinkExpired as exc:
            return LinkCheck(state=LinkState.EXPIRED, po_number=str(exc.extra["po_number"]))
        return LinkCheck(
            state=LinkState.VALID, po_number=link.po_number, expires_at=link.expires_at
        )

    def answer_event_id(self, po_number: str) -> str:
        return response_event_id(po_number)

    def confirmation_page(
        self,
        order: PurchaseOrderRequest,
        token: str,
        *,
        expires_at: datetime | None,
        errors: Sequence[FieldError] = (),
        values: Mapping[str, Any] | None = None,
    ) -> str:
        return render_confirmation_page(
            order,
            token,
            trader_name=self.config.trader_name,
            buyer_name=self.config.buyer_name,
            expires_at=expires_at,
            timezone=self.config.timezone,
            errors=errors,
            values=values,
        )

    parse_answer = staticmethod(parse_confirmation_form)

    def answered_page(self, answer: SupplierEvent, order: PurchaseOrderRequest) -> str:
        if not isinstance(answer, OrderConfirmed | OrderRejected):
            raise TypeError(f"not a trader's answer: {type(answer).__name__}")
        return render_submitted_page(answer, order, timezone=self.config.timezone)

    def link_error_page(self, kind: LinkErrorKind) -> str:
        phone = "" if kind is LinkErrorKind.TAMPERED else self.config.phone
        return render_error_page(kind.value, contact_phone=phone)

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None:
        """Nothing to call: the core stops accepting the link and tells the trader itself."""

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
                        f"{CONFIG_POINTER}/link_secret",
                        "set link_secret or the supplier's webhook secret",
                    )
                ],
            )
        return WhatsAppTraderAdapter(parsed, context, secret=secret)

    def link_supplier_id(self, token: str) -> int | None:
        return claimed_supplier_id(token)

    def link_error_page(self, kind: LinkErrorKind) -> str:
        return render_error_page(kind.value)


WhatsAppTraderAdapterFactory = WhatsAppTraderFactory()
