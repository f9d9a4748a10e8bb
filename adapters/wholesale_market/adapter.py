"""The wholesale-market adapter: quotes from the daily price board, orders as buying lists."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from adapters.field import FieldAdapter, one_price_offer
from adapters.local_time import (
    DailyHours,
    Session,
    local_moment,
    parse_hhmm,
    session_for,
    zone,
    zone_abbreviation,
)
from adapters.wholesale_market.board import (
    BoardEntry,
    parse_board_csv,
    parse_board_json,
    quotable_board,
)
from adapters.wholesale_market.buying_list import (
    GRADE_SEPARATOR,
    build_buying_list,
    buying_list_csv,
    render_buying_list_html,
)
from adapters.wholesale_market.runner_report import (
    decode_runner_report,
    events_from_runner_report,
    pointer_from_validation,
)
from contracts.adapter import (
    AdapterContext,
    Capability,
    InboundRequest,
    OrderAck,
    PackOffer,
    PurchaseOrderRequest,
    QuoteRequest,
    SupplierQuote,
)
from contracts.capabilities import BuyingList, RunnerReport
from contracts.errors import FieldError, InvalidInput, SupplierError, Unauthorized
from contracts.events import SupplierEvent
from contracts.money import Rupiah, rupiah_round

KEY = "wholesale_market"
SIGNATURE_HEADER = "x-kulakan-signature"
_CONFIG_POINTER = "/adapter_config"


class HoursConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    open: str = "02:00"
    close: str = "08:00"


class LotSize(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pack_name: Annotated[str, msgspec.Meta(min_length=1)]
    units_per_pack: Decimal


class WholesaleMarketConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A supplier's ``adapter_config``."""

    market_name: str = "Pasar Induk Jakabaring"
    timezone: str = "Asia/Jakarta"
    trading_hours: HoursConfig = msgspec.field(default_factory=HoursConfig)
    # where to quote between the board's min and max: 0 = min, 1 = max (conservative)
    price_point: Decimal = Decimal(1)
    sku_by_name: dict[str, str] = {}  # "Bawang merah" or "Bawang merah|super" -> sku
    grades: dict[str, str] = {}  # sku -> the only grade to offer; default: every grade
    lot_sizes: dict[str, LotSize] = {}  # sku -> pack; default: per board unit, 1 unit a pack
    lead_days: Annotated[int, msgspec.Meta(ge=0)] = 0
    delivery_fee_idr: Rupiah = 0
    min_order_value_idr: Rupiah = 0
    max_board_age_days: Annotated[int, msgspec.Meta(ge=0)] = 1

    @property
    def hours(self) -> DailyHours:
        return DailyHours(
            opens=parse_hhmm(self.trading_hours.open),
            closes=parse_hhmm(self.trading_hours.close),
            timezone=self.timezone,
        )


def parse_config(config: Mapping[str, Any]) -> WholesaleMarketConfig:
    """Validate ``config``; raise InvalidInput with ``/adapter_config/...`` pointers."""
    try:
        parsed = msgspec.convert(dict(config), WholesaleMarketConfig)
    except msgspec.ValidationError as exc:
        pointer = pointer_from_validation(str(exc), _CONFIG_POINTER)
        if pointer == _CONFIG_POINTER and "unknown field" in str(exc):
            pointer += "/" + str(exc).split("`")[1]
        raise InvalidInput(
            "invalid wholesale market config", errors=[FieldError(pointer, str(exc))]
        ) from exc
    errors: list[FieldError] = []
    hours: dict[str, time] = {}
    for name in ("open", "close"):
        try:
            hours[name] = parse_hhmm(getattr(parsed.trading_hours, name))
        except ValueError as exc:
            errors.append(FieldError(f"{_CONFIG_POINTER}/trading_hours/{name}", str(exc)))
    if len(hours) == 2 and hours["open"] == hours["close"]:
        errors.append(FieldError(f"{_CONFIG_POINTER}/trading_hours", "open and close must differ"))
    try:
        zone(parsed.timezone)
    except ValueError as exc:
        errors.append(FieldError(f"{_CONFIG_POINTER}/timezone", str(exc)))
    if not Decimal(0) <= parsed.price_point <= Decimal(1):
        errors.append(
            FieldError(f"{_CONFIG_POINTER}/price_point", "must be between 0 (min) and 1 (max)")
        )
    for sku, lot in parsed.lot_sizes.items():
        if not lot.units_per_pack.is_finite() or lot.units_per_pack <= 0:
            errors.append(
                FieldError(f"{_CONFIG_POINTER}/lot_sizes/{sku}/units_per_pack", "must be above 0")
            )
    if errors:
        raise InvalidInput("invalid wholesale market config", errors=errors)
    return parsed


def quote_price_per_unit(entry: BoardEntry, price_point: Decimal) -> Decimal:
    """The exact point between the board's min and max (not yet rounded)."""
    return entry.min_idr + (entry.max_idr - entry.min_idr) * price_point


def sign_runner_report(body: bytes, secret: str) -> str:
    """The value of the signature header a runner's app sends: ``sha256=<hex>``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WholesaleMarketAdapter(FieldAdapter):
    """One wholesale market. Stateless: the board comes from ``context.board_loader``."""

    key = KEY
    ref_prefix = "WM"
    capabilities = frozenset(
        {
            Capability.QUOTE,
            Capability.PLACE_ORDER,
            Capability.CANCEL_ORDER,
            Capability.INBOUND,
            Capability.PRICE_BOARD,
            Capability.BUYING_LIST,
        }
    )

    def __init__(self, config: WholesaleMarketConfig, context: AdapterContext) -> None:
        self.config = config
        self.context = context
        self.hours = config.hours

    def trading_session(self, at: datetime | None = None) -> Session:
        """The session ``at`` (default now) falls in, or the next one."""
        return session_for(self.hours, at or self.now())

    async def _board(self) -> Sequence[BoardEntry]:
        loader = self.context.board_loader
        if loader is None:
            raise SupplierError("no price board source for this market", retryable=False)
        entries = await loader()
        return [
            entry if isinstance(entry, BoardEntry) else msgspec.convert(entry, BoardEntry)
            for entry in entries
        ]

    def _offer(self, entry: BoardEntry) -> PackOffer:
        lot = self.config.lot_sizes.get(entry.sku)
        units_per_pack = lot.units_per_pack if lot else Decimal(1)
        unit_price = quote_price_per_unit(entry, self.config.price_point)
        return one_price_offer(
            sku=entry.sku,
            pack_name=lot.pack_name if lot else entry.unit,
            units_per_pack=units_per_pack,
            price_per_pack_idr=rupiah_round(unit_price * units_per_pack),
            lead_days=self.config.lead_days,
            supplier_sku=f"{entry.sku}{GRADE_SEPARATOR}{entry.grade}" if entry.grade else entry.sku,
            grade=entry.grade or None,
        )

    async def quote(self, request: QuoteRequest) -> SupplierQuote:
        """Offers from the board ``context.board_loader`` gives (see quote_from_board)."""
        return await self.quote_from_board(request, await self._board())

    async def quote_from_board(
        self, request: QuoteRequest, board: Sequence[BoardEntry]
    ) -> SupplierQuote:
        """Offers from the latest board, one per grade; a stale or missing board quotes
        nothing and lists every sku as unavailable."""
        now = self.now()
        board = quotable_board(
            board,
            now,
            timezone=self.config.timezone,
            max_age_days=self.config.max_board_age_days,
        )
        offers: list[PackOffer] = []
        unavailable: list[str] = []
        seen: set[str] = set()
        for item in request.items:
            if item.sku in seen:
                continue
            seen.add(item.sku)
            wanted_grade = self.config.grades.get(item.sku)
            matches = [
                entry
                for entry in board
                if entry.sku == item.sku
                and (not item.retail_unit or entry.unit.casefold() == item.retail_unit.casefold())
                and (wanted_grade is None or entry.grade.casefold() == wanted_grade.casefold())
            ]
            if not matches:
                unavailable.append(item.sku)
            offers.extend(self._offer(entry) for entry in matches)
        tz = zone(self.config.timezone)
        if board:
            board_date = board[0].date
            stale_from = board_date + timedelta(days=self.config.max_board_age_days + 1)
            valid_until = datetime.combine(stale_from, time(0), tzinfo=tz)
            quote_ref = f"{KEY}-{self.context.supplier_id}-{board_date.isoformat()}"
        else:
            valid_until = now
            quote_ref = f"{KEY}-{self.context.supplier_id}-no-board"
        return SupplierQuote(
            supplier_id=self.context.supplier_id,
            quote_ref=quote_ref,
            valid_until=valid_until,
            offers=tuple(offers),
            delivery_fee_idr=self.config.delivery_fee_idr,
            min_order_value_idr=self.config.min_order_value_idr,
            unavailable_skus=tuple(unavailable),
        )

    async def place_order(self, order: PurchaseOrderRequest) -> OrderAck:
        """Accept the order for this session or, outside trading hours, the next one.

        Same ``po_number``, same ``supplier_ref``: a retry never makes a second buying list.
        """
        now = self.now()
        session = self.trading_session(now)
        close = f"{session.ends_at:%H:%M} {zone_abbreviation(self.config.timezone)}"
        if session.open_now:
            scheduled_for = None
            notes = f"Dibeli pada sesi pasar sekarang, sampai {close}."
        else:
            scheduled_for = session.starts_at
            start = local_moment(session.starts_at, self.config.timezone)
            notes = f"Di luar jam pasar; dibeli pada sesi berikutnya: {start} – {close}."
        return OrderAck(
            supplier_ref=self.supplier_ref(order.po_number),
            accepted_at=now,
            scheduled_for=scheduled_for,
            notes=notes,
        )

    def parse_board(self, body: bytes, content_type: str) -> tuple[BoardEntry, ...]:
        """A posted board, CSV (``text/csv``) or JSON, with names mapped to SKUs by the config;
        raise InvalidInput naming every bad cell."""
        if content_type.split(";")[0].strip().lower() in ("text/csv", "application/csv"):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    "the board is not UTF-8 text", errors=[FieldError("/board", str(exc))]
                ) from exc
            return parse_board_csv(text, sku_by_name=self.config.sku_by_name)
        return parse_board_json(body, sku_by_name=self.config.sku_by_name)

    def buying_list(self, order: PurchaseOrderRequest, placed_at: datetime) -> BuyingList:
        """The runner's list for an order placed at ``placed_at``."""
        return build_buying_list(
            order,
            session=self.trading_session(placed_at),
            market_name=self.config.market_name,
            timezone=self.config.timezone,
            supplier_ref=self.supplier_ref(order.po_number),
        )

    def render_buying_list(self, buying_list: BuyingList, media_type: str) -> str:
        """The list as ``text/csv`` (two blank columns for the runner) or ``text/html``."""
        if media_type == "text/csv":
            return buying_list_csv(buying_list)
        return render_buying_list_html(buying_list)

    def runner_report_events(
        self, report: RunnerReport, order: PurchaseOrderRequest
    ) -> list[SupplierEvent]:
        return events_from_runner_report(report, order)

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None:
        """Nothing to tell the market: the core stops listing the order for the runner."""

    def parse_inbound(self, request: InboundRequest) -> list[SupplierEvent]:
        """A runner report (JSON) → events. With a webhook secret set, the body must carry
        ``x-kulakan-signature: sha256=<hex hmac>``."""
        secret = self.context.webhook_secret
        if secret:
            given = request.headers.get(SIGNATURE_HEADER, "")
            if not hmac.compare_digest(given, sign_runner_report(request.body, secret)):
                raise Unauthorized("bad or missing runner report signature")
        return events_from_runner_report(decode_runner_report(request.body))


class WholesaleMarketFactory:
    key = KEY
    capabilities = WholesaleMarketAdapter.capabilities

    def validate_config(self, config: Mapping[str, Any]) -> None:
        parse_config(config)

    def create(self, config: Mapping[str, Any], context: AdapterContext) -> WholesaleMarketAdapter:
        return WholesaleMarketAdapter(parse_config(config), context)


WholesaleMarketAdapterFactory = WholesaleMarketFactory()
