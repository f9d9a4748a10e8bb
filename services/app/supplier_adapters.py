"""Each supplier's adapter, from the registry, with the context its stored row gives it; the
order an adapter is handed; and inbound webhooks.

Every path that talks to an adapter (quotes, the outbox, webhooks, buying lists, trader
links) gets it here, so each gets the same instance (one per supplier, kept by the
registry: one circuit breaker, one HTTP client) and the same context: the clock, the public
base URL for links and the webhook secret. What else a supplier offers (a price board, buying
lists, confirmation links) is asked of the registry through :func:`offered`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from contracts.adapter import (
    AdapterContext,
    Capability,
    InboundRequest,
    OrderAck,
    OrderLine,
    OrderStatusReport,
    PurchaseOrderRequest,
    QuoteRequest,
    SupplierAdapter,
    SupplierQuote,
)
from contracts.capabilities import PriceBoardEntry, PriceBoards
from contracts.errors import Conflict, NotFound
from contracts.events import SupplierEvent
from services.app import purchase_orders
from services.app.container import Container
from services.app.purchase_orders import EventOutcome, StoredPO
from services.db.tx import Tx

P = TypeVar("P")

SUPPLIER_COLUMNS = (
    "id, name, adapter_key, adapter_config, webhook_secret, delivery_fee_idr, min_order_value_idr"
)


async def supplier_row(raw: Any, supplier_id: int) -> Any:
    row = await raw.fetchrow(f"SELECT {SUPPLIER_COLUMNS} FROM supplier WHERE id = $1", supplier_id)
    if row is None:
        raise NotFound(f"supplier {supplier_id} not found")
    return row


async def latest_board_rows(
    raw: Any, supplier_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """The newest price board of each supplier (wholesale markets post one a day)."""
    rows = await raw.fetch(
        """
        SELECT b.supplier_id, b.board_date AS date, b.sku, b.product_name, b.grade, b.unit,
               b.min_idr, b.max_idr
        FROM price_board_entry b
        JOIN (SELECT supplier_id, max(board_date) AS board_date FROM price_board_entry
              WHERE supplier_id = ANY($1::bigint[]) GROUP BY supplier_id) newest
          ON newest.supplier_id = b.supplier_id AND newest.board_date = b.board_date
        ORDER BY b.supplier_id, b.sku, b.grade, b.unit
        """,
        list(supplier_ids),
    )
    boards: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        entry = dict(r)
        boards.setdefault(entry.pop("supplier_id"), []).append(entry)
    return boards


class BoardQuoting:
    """A price-board supplier's adapter with the board read for one quote: ``quote`` answers
    from that board; everything else is the supplier's one adapter."""

    def __init__(
        self, adapter: SupplierAdapter, boards: PriceBoards, board: Sequence[PriceBoardEntry]
    ) -> None:
        self.adapter = adapter
        self.boards = boards
        self.board = tuple(board)
        self.key = adapter.key
        self.capabilities = adapter.capabilities

    async def quote(self, request: QuoteRequest) -> SupplierQuote:
        return await self.boards.quote_from_board(request, self.board)

    async def place_order(self, order: PurchaseOrderRequest) -> OrderAck:
        return await self.adapter.place_order(order)

    async def cancel_order(self, po_number: str, supplier_ref: str | None) -> None:
        await self.adapter.cancel_order(po_number, supplier_ref)

    async def order_status(self, po_number: str, supplier_ref: str | None) -> OrderStatusReport:
        return await self.adapter.order_status(po_number, supplier_ref)

    def parse_inbound(self, request: InboundRequest) -> list[SupplierEvent]:
        return self.adapter.parse_inbound(request)


def supplier_adapter(container: Container, row: Any) -> SupplierAdapter:
    """The one adapter of the supplier in ``row`` (built on first use, or when its config
    changed)."""
    return container.adapters.instance(
        row["adapter_key"],
        row["adapter_config"],
        AdapterContext(
            supplier_id=row["id"],
            supplier_name=row["name"],
            webhook_secret=row["webhook_secret"],
            public_base_url=container.settings.public_base_url,
            clock=container.clock,
        ),
    )


def build_adapter(
    container: Container,
    row: Any,
    *,
    board: Sequence[PriceBoardEntry | Mapping[str, Any]] | None = None,
) -> SupplierAdapter:
    """The supplier's adapter (one kept per supplier, with its own HTTP client), ready to quote.
    ``board``: a price-board supplier's latest board, read beforehand so that concurrent quotes
    never share the request's database connection."""
    adapter = supplier_adapter(container, row)
    boards = container.adapters.offered(adapter, Capability.PRICE_BOARD, PriceBoards)
    if boards is None:
        return adapter
    entries = [
        entry if isinstance(entry, PriceBoardEntry) else msgspec.convert(entry, PriceBoardEntry)
        for entry in board or ()
    ]
    return BoardQuoting(adapter, boards, entries)


async def adapter_for(
    raw: Any, container: Container, supplier_id: int, *, with_board: bool = False
) -> SupplierAdapter:
    """One supplier's adapter; ``with_board`` reads its latest price board, which only
    quoting needs."""
    row = await supplier_row(raw, supplier_id)
    boards = await latest_board_rows(raw, [supplier_id]) if with_board else {}
    return build_adapter(container, row, board=boards.get(supplier_id))


async def capabilities_of(raw: Any, container: Any, supplier_id: int) -> frozenset[Capability]:
    """What supplier ``supplier_id``'s adapter offers (e.g. a buying list, a confirmation
    link), so a page shows only the actions that exist for it."""
    adapter = supplier_adapter(container, await supplier_row(raw, supplier_id))
    return frozenset(adapter.capabilities)


async def offered(
    raw: Any, container: Container, supplier_id: int, capability: Capability, protocol: type[P]
) -> P:
    """Supplier ``supplier_id``'s adapter as ``protocol``; 404 for an unknown supplier, 409
    for one that does not offer ``capability``."""
    adapter = supplier_adapter(container, await supplier_row(raw, supplier_id))
    found = container.adapters.offered(adapter, capability, protocol)
    if found is None:
        raise Conflict(
            f"supplier {supplier_id} does not offer {capability.value.replace('_', ' ')}s"
        )
    return found


async def receive_webhook(
    tx: Tx, container: Container, supplier_id: int, inbound: InboundRequest, now: datetime
) -> list[EventOutcome]:
    """A supplier's signed webhook, applied as supplier events. A supplier that takes no
    webhooks (it does not declare ``inbound``) answers 404, like an unknown one: the caller
    is not authenticated yet."""
    raw = await tx.raw()
    adapter = supplier_adapter(container, await supplier_row(raw, supplier_id))
    if not container.adapters.offers(adapter, Capability.INBOUND):
        raise NotFound(f"supplier {supplier_id} takes no webhooks")
    return [
        await purchase_orders.apply_supplier_event(tx, supplier_id, event, now)
        for event in adapter.parse_inbound(inbound)
    ]


async def order_request(
    raw: Any, satker_id: int, po_id: int
) -> tuple[PurchaseOrderRequest, StoredPO]:
    """A stored purchase order as the adapter sees it (products and packs by name)."""
    stored = await purchase_orders.load(raw, satker_id, po_id)
    names = await raw.fetch(
        "SELECT l.line_no, l.pack_name, p.name, p.retail_unit FROM purchase_order_line l"
        " JOIN product p ON p.id = l.product_id"
        " WHERE l.satker_id = $1 AND l.purchase_order_id = $2",
        satker_id,
        po_id,
    )
    by_line = {r["line_no"]: r for r in names}
    row = stored.row
    parties = await raw.fetchrow(
        "SELECT t.name AS buyer, s.name AS seller FROM satker t, supplier s"
        " WHERE t.id = $1 AND s.id = $2",
        satker_id,
        stored.po.supplier_id,
    )
    request = PurchaseOrderRequest(
        po_number=stored.po.po_number,
        supplier_id=stored.po.supplier_id,
        lines=tuple(
            OrderLine(
                line_no=ln.line_no,
                sku=ln.sku,
                pack_name=by_line[ln.line_no]["pack_name"],
                units_per_pack=ln.units_per_pack,
                packs=ln.packs,
                price_per_pack_idr=ln.price_per_pack_idr,
                product_name=by_line[ln.line_no]["name"],
                retail_unit=by_line[ln.line_no]["retail_unit"],
            )
            for ln in stored.po.lines
        ),
        delivery_fee_idr=stored.po.delivery_fee_idr,
        delivery_date=row["delivery_date"],
        delivery_address=row["delivery_address"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        buyer_id=satker_id,
        buyer_name=parties["buyer"] if parties else "",
        seller_name=parties["seller"] if parties else "",
        issued_at=row["created_at"],
    )
    return request, stored
