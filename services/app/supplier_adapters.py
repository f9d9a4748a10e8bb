"""Building a supplier's adapter from its stored row, and the order an adapter is handed.

Every path that talks to an adapter (quotes, the outbox, webhooks, buying lists, trader
links) builds it here, so each gets the same context: the clock, the public base URL for
links, the webhook secret and, for wholesale markets, the latest stored price board.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.adapter import AdapterContext, OrderLine, PurchaseOrderRequest, SupplierAdapter
from contracts.errors import NotFound
from services.app import purchase_orders
from services.app.purchase_orders import StoredPO

SUPPLIER_COLUMNS = "id, name, adapter_key, adapter_config, webhook_secret"


async def supplier_row(raw: Any, supplier_id: int) -> Any:
    row = await raw.fetchrow(f"SELECT {SUPPLIER_COLUMNS} FROM supplier WHERE id = $1", supplier_id)
    if row is None:
        raise NotFound(f"supplier {supplier_id} not found")
    return row


async def latest_board_rows(raw: Any, supplier_ids: Sequence[int]) -> dict[int, list[dict]]:
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
    boards: dict[int, list[dict]] = {}
    for r in rows:
        entry = dict(r)
        boards.setdefault(entry.pop("supplier_id"), []).append(entry)
    return boards


def build_adapter(
    container: Any,
    row: Any,
    *,
    http_client: Any = None,
    board: Sequence[dict] | None = None,
) -> SupplierAdapter:
    """The adapter for one supplier row. ``board``: its latest price board, read beforehand
    so that concurrent quotes never share the request's database connection."""
    entries = list(board or ())

    async def board_loader() -> list[dict]:
        return entries

    return container.adapters.get(row["adapter_key"]).create(
        row["adapter_config"],
        AdapterContext(
            supplier_id=row["id"],
            supplier_name=row["name"],
            webhook_secret=row["webhook_secret"],
            public_base_url=container.settings.public_base_url,
            http_client=http_client,
            clock=container.clock,
            board_loader=board_loader,
        ),
    )


async def adapter_for(
    raw: Any, container: Any, supplier_id: int, *, with_board: bool = False
) -> SupplierAdapter:
    """One supplier's adapter; ``with_board`` reads its latest price board, which only
    quoting needs."""
    row = await supplier_row(raw, supplier_id)
    boards = await latest_board_rows(raw, [supplier_id]) if with_board else {}
    return build_adapter(container, row, board=boards.get(supplier_id))


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
    )
    return request, stored
