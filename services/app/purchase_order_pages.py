"""One purchase order as the console's page shows it: its summary, lines with product names,
the supplier events, and what its supplier offers (a WhatsApp message with its confirmation
link, a runner's buying list), read through the same use cases as the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from contracts.adapter import Capability
from contracts.api.field_suppliers import WhatsAppMessageOut
from contracts.api.purchasing import PurchaseOrderOut, SupplierEventOut
from contracts.errors import Conflict
from services.app import field_suppliers, supplier_adapters
from services.app import purchase_order_views as views
from services.db.tx import Tx
from services.domain.purchase_order import POStatus, cancellable


class ProductName(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    retail_unit: str


class OrderPage(msgspec.Struct, frozen=True, kw_only=True):
    summary: views.OrderSummary
    order: PurchaseOrderOut
    products: dict[int, ProductName]
    events: list[SupplierEventOut]
    message: WhatsAppMessageOut | None  # a trader's, once the order was sent
    buying_list: bool  # the market's runner has a printable list
    cancellable: bool


async def order_page(
    tx: Tx, container: Any, satker_id: int, po_id: int, now: datetime
) -> OrderPage:
    summary = await views.order_summary(tx, satker_id, po_id)
    order = await views.get_for_satker(tx, satker_id, po_id)
    raw = await tx.raw()
    offers = await supplier_adapters.capabilities_of(raw, container, order.supplier_id)
    message = None
    if Capability.CONFIRMATION_LINK in offers and order.confirmation_url:
        try:
            message = await field_suppliers.whatsapp_message(tx, container, satker_id, po_id, now)
        except Conflict:  # not sent yet
            message = None
    rows = await raw.fetch(
        "SELECT id, name, retail_unit FROM product WHERE id = ANY($1::bigint[])",
        [ln.product_id for ln in order.lines],
    )
    return OrderPage(
        summary=summary,
        order=order,
        products={r["id"]: ProductName(name=r["name"], retail_unit=r["retail_unit"]) for r in rows},
        events=await views.events_for_satker(tx, satker_id, po_id),
        message=message,
        buying_list=Capability.BUYING_LIST in offers and order.status != POStatus.CANCELLED,
        cancellable=cancellable(order.status),
    )
