"""A WhatsApp trader's ``adapter_config``: phone, ordering window, link lifetime, price list."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from adapters.local_time import DailyHours, parse_hhmm, zone
from adapters.whatsapp_trader.message import normalise_phone
from contracts.errors import FieldError, InvalidInput
from contracts.money import Rupiah

KEY = "whatsapp_trader"
CONFIRMATION_PATH = "/konfirmasi/{token}"
CONFIG_POINTER = "/adapter_config"
_PATH = re.compile(r"- at `\$(?P<path>[^`]*)`")

PositiveInt = Annotated[int, msgspec.Meta(ge=1)]


class WindowConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    open: str = "06:00"
    close: str = "12:00"


class VolumePrice(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A lower price per pack from this many packs up (grosir)."""

    min_packs: PositiveInt
    price_per_pack_idr: PositiveInt


class PriceListEntry(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A price the trader told us, for quotes: ``price_per_pack_idr`` from the minimum order,
    and any ``tiers`` of lower prices for more packs."""

    sku: Annotated[str, msgspec.Meta(min_length=1)]
    pack_name: Annotated[str, msgspec.Meta(min_length=1)]
    units_per_pack: Decimal
    price_per_pack_idr: PositiveInt
    moq_packs: PositiveInt = 1
    available_packs: Annotated[int, msgspec.Meta(ge=0)] | None = None
    lead_days: Annotated[int, msgspec.Meta(ge=0)] = 0
    grade: str | None = None
    tiers: tuple[VolumePrice, ...] = ()


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
            return f"{CONFIG_POINTER}/{message.split('`')[1]}"
        return CONFIG_POINTER
    parts = [p for p in re.split(r"\.|\[|\]", match.group("path").replace("[...]", "")) if p]
    return CONFIG_POINTER + "".join(f"/{part}" for part in parts)


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
        errors.append(FieldError(f"{CONFIG_POINTER}/phone", str(exc)))
    times = {}
    for name in ("open", "close"):
        try:
            times[name] = parse_hhmm(getattr(parsed.ordering_window, name))
        except ValueError as exc:
            errors.append(FieldError(f"{CONFIG_POINTER}/ordering_window/{name}", str(exc)))
    if len(times) == 2 and times["open"] == times["close"]:
        errors.append(FieldError(f"{CONFIG_POINTER}/ordering_window", "open and close must differ"))
    try:
        zone(parsed.timezone)
    except ValueError as exc:
        errors.append(FieldError(f"{CONFIG_POINTER}/timezone", str(exc)))
    if "{token}" not in parsed.confirmation_path or not parsed.confirmation_path.startswith("/"):
        errors.append(
            FieldError(
                f"{CONFIG_POINTER}/confirmation_path", "must start with / and contain {token}"
            )
        )
    for index, entry in enumerate(parsed.price_list):
        if not entry.units_per_pack.is_finite() or entry.units_per_pack <= 0:
            errors.append(
                FieldError(f"{CONFIG_POINTER}/price_list/{index}/units_per_pack", "must be above 0")
            )
        starts = [entry.moq_packs]
        for t_index, tier in enumerate(entry.tiers):
            if tier.min_packs in starts or tier.min_packs < entry.moq_packs:
                errors.append(
                    FieldError(
                        f"{CONFIG_POINTER}/price_list/{index}/tiers/{t_index}/min_packs",
                        "must be above the minimum order and differ from every other tier",
                    )
                )
            starts.append(tier.min_packs)
    if errors:
        raise InvalidInput("invalid WhatsApp trader config", errors=errors)
    return parsed
