"""How full the satker's next carton or sack of each product is in a cycle, from the cycle's
submitted demand across the warungs (the rule: ``services.domain.pack_fill``). The JSON API and
the restock page show the same figures."""

from __future__ import annotations

from decimal import Decimal

from contracts.api.demand import PackFillOut
from contracts.errors import NotFound
from services.app.tenancy import resolve_warung
from services.app.warung_views import cycles_where, order_row, products_info
from services.auth import Principal
from services.db.tx import Tx


async def pack_fills(
    tx: Tx, principal: Principal, warung_id: int, cycle_id: int
) -> list[PackFillOut]:
    """For each product of the cycle's categories sold by the pack: how full the satker's
    next pack is from the cycle's submitted demand (the bar on the restock form)."""
    raw = await tx.raw()
    satker_id = await resolve_warung(raw, principal, warung_id)
    cycle = await cycles_where(raw, satker_id, "id = $2", cycle_id)
    if not cycle:
        raise NotFound(f"order cycle {cycle_id} not found")
    ids = [
        r["id"]
        for r in await raw.fetch(
            "SELECT p.id FROM product p WHERE p.active AND p.category = ANY($1::varchar[])"
            " AND EXISTS (SELECT 1 FROM product_pack k WHERE k.product_id = p.id"
            " AND k.units_per_pack > 1) ORDER BY p.name, p.id",
            cycle[0].categories,
        )
    ]
    info = await products_info(raw, satker_id, cycle_id, ids)
    out: list[PackFillOut] = []
    for pid in ids:
        row = order_row(info[pid], quantity=Decimal(0))
        assert row.fill is not None and row.pack_name is not None
        out.append(
            PackFillOut(
                product_id=pid,
                product_name=row.name,
                retail_unit=row.retail_unit,
                pack_name=row.pack_name,
                units_per_pack=row.fill.units_per_pack,
                demand=row.fill.demand,
                filled=row.fill.filled,
                missing=row.fill.missing,
                packs=row.fill.packs,
            )
        )
    return out
