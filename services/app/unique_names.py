"""Whether a natural key is already taken (a warung's name in its satker, a product's SKU, a
supplier's name), so a form can name the field instead of failing on the unique constraint.
The constraint stays the rule; this only words its refusal ahead of time."""

from __future__ import annotations

from contracts.errors import FieldError
from services.db.tx import Tx


async def taken(
    tx: Tx,
    kind: str,
    value: str | None,
    *,
    satker_id: int | None = None,
    except_id: int | None = None,
) -> list[FieldError]:
    """``[FieldError]`` when another row of ``kind`` (warung, product, supplier) has this
    key, else ``[]``."""
    if not value:
        return []
    raw = await tx.raw()
    if kind == "warung":
        field = "name"
        found = await raw.fetchval(
            "SELECT 1 FROM warung WHERE satker_id = $1 AND name = $2 AND id IS DISTINCT FROM $3",
            satker_id,
            value,
            except_id,
        )
    elif kind == "product":
        field = "sku"
        found = await raw.fetchval(
            "SELECT 1 FROM product WHERE sku = $1 AND id IS DISTINCT FROM $2", value, except_id
        )
    elif kind == "supplier":
        field = "name"
        found = await raw.fetchval(
            "SELECT 1 FROM supplier WHERE name = $1 AND id IS DISTINCT FROM $2", value, except_id
        )
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return [FieldError(f"/{field}", "already used")] if found is not None else []
