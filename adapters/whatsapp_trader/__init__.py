"""WhatsApp trader (a Pasar Kahayan-style market trader or small urban-farming producer with no
system): orders go out as a WhatsApp message with a signed, expiring link to a mobile page
where the trader confirms quantities, prices and ongkir, or rejects the order."""

from adapters.local_time import DailyHours, Session, session_for
from adapters.whatsapp_trader.adapter import (
    CONFIRMATION_PATH,
    PriceListEntry,
    WhatsAppTraderAdapter,
    WhatsAppTraderAdapterFactory,
    WhatsAppTraderConfig,
    WhatsAppTraderFactory,
    WindowConfig,
    parse_config,
)
from adapters.whatsapp_trader.link import (
    DEFAULT_LINK_TTL,
    LinkExpired,
    LinkPayload,
    LinkTampered,
    read_confirmation_token,
    sign_confirmation_token,
    verify_confirmation_token,
)
from adapters.whatsapp_trader.message import (
    greeting,
    normalise_phone,
    render_whatsapp_message,
    wa_me_link,
)
from adapters.whatsapp_trader.pages import (
    DELIVERY_METHODS,
    parse_confirmation_form,
    parse_quantity,
    parse_rupiah,
    render_confirmation_page,
    render_error_page,
    render_submitted_page,
    response_event_id,
)

__all__ = [
    "CONFIRMATION_PATH",
    "DEFAULT_LINK_TTL",
    "DELIVERY_METHODS",
    "DailyHours",
    "LinkExpired",
    "LinkPayload",
    "LinkTampered",
    "PriceListEntry",
    "Session",
    "WhatsAppTraderAdapter",
    "WhatsAppTraderAdapterFactory",
    "WhatsAppTraderConfig",
    "WhatsAppTraderFactory",
    "WindowConfig",
    "greeting",
    "normalise_phone",
    "parse_config",
    "parse_confirmation_form",
    "parse_quantity",
    "parse_rupiah",
    "read_confirmation_token",
    "render_confirmation_page",
    "render_error_page",
    "render_submitted_page",
    "render_whatsapp_message",
    "response_event_id",
    "session_for",
    "sign_confirmation_token",
    "verify_confirmation_token",
    "wa_me_link",
]
