"""Reading a bulk buy as the coordinator reviews it: lines with prices, savings and flags,
the split's allocations, every supplier's answer, approvals and the purchase orders made."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec

from contracts.api.bulk_buy import AllocationOut, ApprovalOut, BulkBuyLineOut, BulkBuyOut, QuoteOut
from contracts.errors import NotFound
from services.db.tx import Tx
from services.domain.bulk_buy import approvals_needed, decode_approvals, is_blocking


async def get_bulk_buy(tx: Tx, satker_id: int, bb_id: int) -> BulkBuyOut:
    raw = await tx.raw()
    bb = await raw.fetchrow(
        "SELECT b.*, s.second_approval_threshold_idr FROM bulk_buy b JOIN satker s"
        " ON s.id = b.satker_id WHERE b.satker_id = $1 AND b.id = $2",
        satker_id,
        bb_id,
    )
    if bb is None:
        raise NotFound(f"bulk buy {bb_id} not found")
    lines = await raw.fetch(
        "SELECT * FROM bulk_buy_line WHERE satker_id = $1 AND bulk_buy_id = $2 ORDER BY sku",
        satker_id,
        bb_id,
    )
    allocations: dict[int, list[AllocationOut]] = defaultdict(list)
    for a in await raw.fetch(
        "SELECT * FROM bulk_buy_allocation WHERE satker_id = $1 AND bulk_buy_id = $2"
        " ORDER BY product_id, supplier_id",
        satker_id,
        bb_id,
    ):
        allocations[a["product_id"]].append(
            AllocationOut(
                supplier_id=a["supplier_id"],
                pack_name=a["pack_name"],
                units_per_pack=a["units_per_pack"],
                packs=a["packs"],
                price_per_pack_idr=a["price_per_pack_idr"],
                goods_idr=a["goods_idr"],
            )
        )
    quotes = await raw.fetch(
        "SELECT supplier_id, status, quote_ref, valid_until, delivery_fee_idr, error"
        " FROM bulk_buy_quote WHERE satker_id = $1 AND bulk_buy_id = $2 ORDER BY supplier_id",
        satker_id,
        bb_id,
    )
    pos = await raw.fetch(
        "SELECT id FROM purchase_order WHERE satker_id = $1 AND bulk_buy_id = $2 ORDER BY id",
        satker_id,
        bb_id,
    )
    return BulkBuyOut(
        id=bb["id"],
        satker_id=satker_id,
        cycle_id=bb["cycle_id"],
        status=bb["status"],
        pack_policy=bb["pack_policy"],
        solver=bb["solver"],
        solver_status=bb["solver_status"],
        mip_gap=bb["mip_gap"],
        goods_idr=bb["goods_idr"],
        fees_idr=bb["fees_idr"],
        total_idr=bb["total_idr"],
        market_value_idr=bb["market_value_idr"],
        savings_idr=bb["market_value_idr"] - bb["total_idr"],
        approvals_needed=approvals_needed(bb["total_idr"], bb["second_approval_threshold_idr"]),
        approvals=[
            ApprovalOut(key_id=a.key_id, at=a.at) for a in decode_approvals(bb["approvals"])
        ],
        rejected_reason=bb["rejected_reason"],
        version=bb["version"],
        lines=[_line(ln, allocations.get(ln["product_id"], [])) for ln in lines],
        quotes=[msgspec.convert(dict(q), QuoteOut) for q in quotes],
        purchase_order_ids=[p["id"] for p in pos],
    )


def _saving(reference: int | None, price: int | None) -> int | None:
    return reference - price if reference is not None and price is not None else None


def _line(ln: Any, allocations: list[AllocationOut]) -> BulkBuyLineOut:
    return BulkBuyLineOut(
        product_id=ln["product_id"],
        sku=ln["sku"],
        demand=ln["demand"],
        preorder_quantity=ln["preorder_quantity"],
        warungs=ln["warungs"],
        covered=ln["covered"],
        surplus=ln["surplus"],
        backorder=ln["backorder"],
        unit_cost_idr=ln["unit_cost_idr"],
        suggested_retail_idr=ln["suggested_retail_idr"],
        market_ref_idr=ln["market_ref_idr"],
        het_idr=ln["het_idr"],
        warung_saving_per_unit_idr=_saving(ln["market_ref_idr"], ln["unit_cost_idr"]),
        customer_saving_per_unit_idr=_saving(ln["market_ref_idr"], ln["suggested_retail_idr"]),
        flags=list(ln["flags"]),
        reason=ln["reason"],
        override_reason=ln["override_reason"],
        dropped=ln["dropped"],
        blocking=is_blocking(ln["flags"], ln["dropped"], ln["override_reason"]),
        allocations=allocations,
    )
