"""What each warung was delivered of a settled bulk buy, and its receipt of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.api.fulfilment import ReceiptIn, WarungDeliveryOut
from contracts.errors import FieldError, InvalidInput, NotFound
from contracts.quantity import QUANTUM
from services.app.stock import add_stock
from services.app.tenancy import resolve_warung
from services.auth import Principal
from services.db.tx import Tx

DELIVERY_COLUMNS = """
    d.bulk_buy_id, d.warung_id, d.product_id, p.sku, d.requested, d.allocated, d.surplus,
    d.requested - d.allocated AS shortfall, d.supplier_id, d.receipt, d.received, d.damaged,
    d.note
"""


async def list_deliveries(
    tx: Tx,
    satker_id: int,
    *,
    bulk_buy_id: int | None = None,
    warung_id: int | None = None,
    receipt: str | None = None,
    limit: int,
    after: list[Any] | None,
) -> list[WarungDeliveryOut]:
    """Deliveries by (bulk buy, warung, product); for a satker or one warung."""
    raw = await tx.raw()
    rows = await raw.fetch(
        f"""
        SELECT {DELIVERY_COLUMNS} FROM warung_delivery d JOIN product p ON p.id = d.product_id
        WHERE d.satker_id = $1 AND ($2::bigint IS NULL OR d.bulk_buy_id = $2)
          AND ($3::bigint IS NULL OR d.warung_id = $3)
          AND ($4::varchar IS NULL OR d.receipt = $4)
          AND ($5::bigint IS NULL
               OR (d.bulk_buy_id, d.warung_id, d.product_id) > ($5, $6::bigint, $7::bigint))
        ORDER BY d.bulk_buy_id, d.warung_id, d.product_id
        LIMIT $8
        """,
        satker_id,
        bulk_buy_id,
        warung_id,
        None if receipt is None else str(receipt),
        *(after or (None, None, None)),
        limit + 1,
    )
    return [WarungDeliveryOut(**dict(r)) for r in rows]


async def record_receipt(
    tx: Tx, principal: Principal, warung_id: int, data: ReceiptIn, now: datetime
) -> list[WarungDeliveryOut]:
    """The warung says what arrived per product: good units go into its stock; short or
    damaged goods are reported to the coordinator and counted against the supplier."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    rows = {
        r["product_id"]: r
        for r in await raw.fetch(
            "SELECT product_id, allocated + surplus AS expected, receipt FROM warung_delivery"
            " WHERE satker_id = $1 AND bulk_buy_id = $2 AND warung_id = $3 FOR UPDATE",
            satker_id,
            data.bulk_buy_id,
            warung_id,
        )
    }
    if not rows:
        raise NotFound(f"nothing of bulk buy {data.bulk_buy_id} was delivered to this warung")
    errors: list[FieldError] = []
    seen: set[int] = set()
    for i, line in enumerate(data.lines):
        row = rows.get(line.product_id)
        for name in ("received", "damaged"):
            value = getattr(line, name)
            if value < 0 or value != value.quantize(QUANTUM):
                errors.append(FieldError(f"/lines/{i}/{name}", "0 or more, at most 3 decimals"))
        if row is None:
            errors.append(FieldError(f"/lines/{i}/product_id", "not delivered to this warung"))
        elif line.product_id in seen:
            errors.append(FieldError(f"/lines/{i}/product_id", "listed twice"))
        elif row["receipt"] != "pending":
            errors.append(FieldError(f"/lines/{i}/product_id", f"already {row['receipt']}"))
        elif line.received + line.damaged > row["expected"]:
            errors.append(
                FieldError(f"/lines/{i}/received", f"more than the {row['expected']} delivered")
            )
        seen.add(line.product_id)
    if errors:
        raise InvalidInput("the receipt is not valid", errors=errors)
    for line in data.lines:
        expected = rows[line.product_id]["expected"]
        status = (
            "damaged" if line.damaged > 0 else "short" if line.received < expected else "received"
        )
        await raw.execute(
            "UPDATE warung_delivery SET receipt = $5, received = $6, damaged = $7, note = $8,"
            " received_at = $9 WHERE satker_id = $1 AND bulk_buy_id = $2 AND warung_id = $3"
            " AND product_id = $4",
            satker_id,
            data.bulk_buy_id,
            warung_id,
            line.product_id,
            status,
            line.received,
            line.damaged,
            line.note,
            now,
        )
        if line.received > 0:
            await add_stock(
                raw,
                satker_id,
                warung_id,
                line.product_id,
                line.received,
                "receipt",
                f"bulk buy {data.bulk_buy_id}" + (f": {line.note}" if line.note else ""),
            )
    out = await list_deliveries(
        tx, satker_id, bulk_buy_id=data.bulk_buy_id, warung_id=warung_id, limit=500, after=None
    )
    return [d for d in out if d.product_id in seen]
