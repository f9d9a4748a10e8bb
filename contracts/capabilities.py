"""What a supplier may offer beyond the adapter protocol, as runtime-checkable protocols and
the data they speak.

An adapter that declares one of these capabilities in its ``capabilities`` implements the
matching protocol (:data:`CAPABILITY_PROTOCOLS`); the core asks the registry "does supplier
S offer X" and gets the adapter as X, never its module. So a new package can be a
price-board market, a runner-bought market or a link-confirmed trader without a change to
the core.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Protocol, runtime_checkable

import msgspec

from contracts.adapter import (
    Capability,
    PositiveInt,
    PurchaseOrderRequest,
    QuoteRequest,
    SupplierQuote,
)
from contracts.documents import BusinessDocuments
from contracts.events import SupplierEvent
from contracts.money import Rupiah


class PriceBoardEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One line of a posted price board: an indicative min–max price per product and grade."""

    date: date
    sku: str
    product_name: str
    grade: str
    unit: str
    min_idr: Rupiah
    max_idr: Rupiah


@runtime_checkable
class PriceBoards(Protocol):
    """Prices come from a daily board posted by the supplier's agent (a wholesale market)."""

    def parse_board(self, body: bytes, content_type: str) -> Sequence[PriceBoardEntry]:
        """A posted board (the adapter's own formats); raise InvalidInput naming every bad
        cell. The core stores the entries and hands the newest back to quote_from_board."""
        ...

    async def quote_from_board(
        self, request: QuoteRequest, board: Sequence[PriceBoardEntry]
    ) -> SupplierQuote: ...


class BuyingListLine(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    sku: str
    product_name: str
    grade: str
    quantity: Decimal  # retail units to buy
    unit: str
    packs: int
    pack_name: str
    units_per_pack: Decimal
    price_per_pack_idr: Rupiah
    max_price_per_unit_idr: Rupiah  # the runner's ceiling at the stall
    budget_idr: Rupiah


class BuyingList(msgspec.Struct, frozen=True, kw_only=True):
    """A purchase order as a market runner buys it, within one session."""

    po_number: str
    supplier_ref: str
    market_name: str
    timezone: str
    buy_from: datetime
    buy_until: datetime
    lines: tuple[BuyingListLine, ...]
    total_budget_idr: Rupiah
    delivery_date: date | None = None
    delivery_window: str = ""
    delivery_address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    notes: str = ""


ReportId = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]


class RunnerLineStatus(enum.StrEnum):
    BOUGHT = "bought"
    NOT_FOUND = "not_found"


class RunnerReportLine(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    line_no: PositiveInt
    status: RunnerLineStatus
    bought_quantity: Decimal | None = None  # retail units, e.g. kg; may be fractional
    paid_price_per_unit_idr: Rupiah | None = None
    note: str = ""
    # echoed from the buying list; needed only when the order is not at hand
    packs: PositiveInt | None = None
    units_per_pack: Decimal | None = None
    price_per_pack_idr: Rupiah | None = None


class RunnerReport(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the runner bought, line by line, at what price; or that it was not found."""

    report_id: ReportId
    po_number: Annotated[str, msgspec.Meta(min_length=1)]
    reported_at: datetime
    lines: Annotated[tuple[RunnerReportLine, ...], msgspec.Meta(min_length=1)]
    runner_name: str = ""
    supplier_ref: str | None = None


@runtime_checkable
class BuyingLists(Protocol):
    """Orders become a buying list for a runner, who reports what was actually bought."""

    def buying_list(self, order: PurchaseOrderRequest, placed_at: datetime) -> BuyingList: ...

    def render_buying_list(self, buying_list: BuyingList, media_type: str) -> str:
        """The list as ``text/csv`` or ``text/html`` (a printable page)."""
        ...

    def runner_report_events(
        self, report: RunnerReport, order: PurchaseOrderRequest
    ) -> list[SupplierEvent]:
        """Raise InvalidInput when the report does not match the order."""
        ...


class ConfirmationMessage(msgspec.Struct, frozen=True, kw_only=True):
    text: str  # the message to send the supplier's human, with the link in it
    send_link: str  # opens the message ready to send (e.g. a wa.me link)
    expires_at: datetime  # when the link stops working


class LinkState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    TAMPERED = "tampered"  # not ours, altered, or for another supplier


class LinkCheck(msgspec.Struct, frozen=True, kw_only=True):
    state: LinkState
    po_number: str = ""  # set when the link is ours (valid or expired)
    expires_at: datetime | None = None


class LinkErrorKind(enum.StrEnum):
    TAMPERED = "tampered"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


@runtime_checkable
class ConfirmationLinks(Protocol):
    """A human confirms each order (quantities, prices, fee) on a signed, expiring link that
    ``place_order`` returns as ``OrderAck.confirmation_url``. The core keeps the order and
    the answer; the adapter checks links and renders the pages (HTML)."""

    def confirmation_message(
        self, order: PurchaseOrderRequest, confirmation_url: str, *, at: datetime
    ) -> ConfirmationMessage: ...

    def check_link(self, token: str, *, at: datetime) -> LinkCheck: ...

    def answer_event_id(self, po_number: str) -> str:
        """The event id of the answer (confirm or reject): the first answer wins."""
        ...

    def confirmation_page(
        self,
        order: PurchaseOrderRequest,
        token: str,
        *,
        expires_at: datetime | None,
        errors: Sequence[Any] = (),
        values: Mapping[str, Any] | None = None,
    ) -> str: ...

    def parse_answer(
        self,
        form: Mapping[str, Any],
        order: PurchaseOrderRequest,
        *,
        submitted_at: datetime,
        supplier_ref: str | None,
    ) -> list[SupplierEvent]:
        """The submitted form as events, the answer first; raise InvalidInput."""
        ...

    def answered_page(self, answer: SupplierEvent, order: PurchaseOrderRequest) -> str: ...

    def link_error_page(self, kind: LinkErrorKind) -> str: ...


@runtime_checkable
class ConfirmationLinkIssuer(Protocol):
    """The factory side of confirmation links: which supplier a link claims to be for
    (unverified: only to find the adapter that verifies it), and the page for a link nobody
    can read."""

    def link_supplier_id(self, token: str) -> int | None: ...

    def link_error_page(self, kind: LinkErrorKind) -> str: ...


@runtime_checkable
class ClosableAdapter(Protocol):
    """An adapter holding resources (an HTTP client): the core closes it on shutdown."""

    async def aclose(self) -> None: ...


@runtime_checkable
class SupplierSimulator(Protocol):
    """A factory that can run a stand-in of its supplier, for the demo and tests."""

    def simulated_skus(self) -> frozenset[str]: ...

    def check_catalogue(self, path: str) -> str | None:
        """What is wrong with a catalogue file for the simulator (naming line and column), or
        None when it can sell from it."""
        ...

    def run_simulator(self, host: str, port: int, options: Mapping[str, Any]) -> None:
        """Serve until stopped; ``options`` are the simulator's own (faults, callback)."""
        ...


CAPABILITY_PROTOCOLS: Mapping[Capability, type] = {
    Capability.PRICE_BOARD: PriceBoards,
    Capability.BUYING_LIST: BuyingLists,
    Capability.CONFIRMATION_LINK: ConfirmationLinks,
    Capability.DOCUMENTS: BusinessDocuments,
}


__all__ = [
    "CAPABILITY_PROTOCOLS",
    "BuyingList",
    "BuyingListLine",
    "BuyingLists",
    "ClosableAdapter",
    "ConfirmationLinkIssuer",
    "ConfirmationLinks",
    "ConfirmationMessage",
    "LinkCheck",
    "LinkErrorKind",
    "LinkState",
    "PriceBoardEntry",
    "PriceBoards",
    "ReportId",
    "RunnerLineStatus",
    "RunnerReport",
    "RunnerReportLine",
    "SupplierSimulator",
]
