"""Reading a bulk buy as the coordinator reviews it: lines with prices, savings and flags,
the split's allocations, every supplier's answer, approvals and the purchase orders made."""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from datetime import datetime
from typing import Any

import msgspec

from contracts.adapter import SupplierQuote
from contracts.api.bulk_buy import (
    AllocationOut,
    ApprovalOut,
    BulkBuyLineOut,
    BulkBuyOut,
    BulkBuySummaryOut,
    QuoteComparisonOut,
    QuoteLineOut,
    QuoteOptionOut,
    QuoteOut,
    RetailOverrideOut,
)
from contracts.errors import NotFound
from services.auth import Principal, Role
from services.db.tx import Tx
from services.domain import quote_comparison as qc
from services.domain.bulk_buy import BulkBuyStatus, approvals_needed, decode_approvals, is_blocking

_QUOTE = msgspec.json.Decoder(SupplierQuote)


class RetailOverride(msgspec.Struct, frozen=True, kw_only=True):
    """``bulk_buy_line.retail_override`` as stored: a coordinator's retail price."""

    at: datetime
    key_id: int
    user_id: int | None
    suggested_idr: int | None  # what the pricing rules suggested
    price_idr: int
    reason: str


_OVERRIDE = msgspec.json.Decoder(RetailOverride)


def read_retail_override(stored: str | bytes | dict[str, Any] | None) -> RetailOverride | None:
    """The column as stored (JSON text, or already decoded by the driver)."""
    if stored is None:
        return None
    if isinstance(stored, str | bytes):
        return _OVERRIDE.decode(stored)
    return msgspec.convert(stored, RetailOverride)


def _retail_override_out(stored: Any) -> RetailOverrideOut | None:
    record = read_retail_override(stored)
    if record is None:
        return None
    return RetailOverrideOut(
        at=record.at,
        key_id=record.key_id,
        user_id=record.user_id,
        suggested_retail_idr=record.suggested_idr,
        retail_price_idr=record.price_idr,
        reason=record.reason,
    )


_COMPARED: OrderedDict[bytes, list[qc.LineComparison]] = OrderedDict()


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
        "SELECT l.*, p.name AS product_name, p.retail_unit, p.category FROM bulk_buy_line l"
        " JOIN product p ON p.id = l.product_id"
        " WHERE l.satker_id = $1 AND l.bulk_buy_id = $2 ORDER BY l.sku",
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
    quotes = await _quotes(raw, satker_id, bb_id)
    pos = await raw.fetch(
        "SELECT id FROM purchase_order WHERE satker_id = $1 AND bulk_buy_id = $2 ORDER BY id",
        satker_id,
        bb_id,
    )
    line_outs = [_line(ln, allocations.get(ln["product_id"], [])) for ln in lines]
    baseline = None
    if bb["status"] != BulkBuyStatus.DRAFT and line_outs:
        comparisons = _comparisons(line_outs, quotes, bb["pack_policy"])
        baseline = qc.single_cheapest_baseline(
            comparisons,
            {ln.sku: _chosen(ln) for ln in line_outs},
            {q["supplier_id"]: q["delivery_fee_idr"] for q in quotes},
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
            ApprovalOut(key_id=a.key_id, at=a.at, user_id=a.user_id)
            for a in decode_approvals(bb["approvals"])
        ],
        rejected_reason=bb["rejected_reason"],
        version=bb["version"],
        lines=line_outs,
        quotes=[_quote_out(q) for q in quotes],
        purchase_order_ids=[p["id"] for p in pos],
        single_cheapest_idr=baseline.total_idr if baseline else None,
        optimiser_saving_idr=qc.optimiser_saving(baseline, bb["total_idr"]) if baseline else None,
        lines_not_comparable=baseline.lines_not_comparable if baseline else 0,
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
        product_name=ln["product_name"],
        retail_unit=ln["retail_unit"],
        category=ln["category"],
        retail_override=_retail_override_out(ln["retail_override"]),
    )


async def _quotes(raw: Any, satker_id: int, bb_id: int) -> list[Any]:
    return await raw.fetch(
        "SELECT q.supplier_id, s.name AS supplier_name, q.status, q.quote_ref, q.valid_until,"
        " q.delivery_fee_idr, q.error, q.quote::text AS quote FROM bulk_buy_quote q"
        " JOIN supplier s ON s.id = q.supplier_id"
        " WHERE q.satker_id = $1 AND q.bulk_buy_id = $2 ORDER BY q.supplier_id",
        satker_id,
        bb_id,
    )


def _quote_out(q: Any) -> QuoteOut:
    return QuoteOut(
        supplier_id=q["supplier_id"],
        supplier_name=q["supplier_name"],
        status=q["status"],
        quote_ref=q["quote_ref"],
        valid_until=q["valid_until"],
        delivery_fee_idr=q["delivery_fee_idr"],
        error=q["error"],
    )


def _chosen(line: BulkBuyLineOut) -> list[qc.ChosenPart]:
    return [
        qc.ChosenPart(
            supplier_id=a.supplier_id, pack_name=a.pack_name, packs=a.packs, goods_idr=a.goods_idr
        )
        for a in line.allocations
    ]


def _comparisons(
    lines: list[BulkBuyLineOut], quotes: list[Any], policy: str
) -> list[qc.LineComparison]:
    """Every line's comparison. A pure function of the stored quotes, the lines' demand and
    their allocations, which change only when the bulk buy is quoted again: it is kept per
    digest of those inputs (a few per process), so reviewing and editing a bulk buy does not
    decode and compare its quotes on every request."""
    digest = hashlib.blake2b(policy.encode(), digest_size=20)
    for q in quotes:
        digest.update(b"\0%d\0" % q["supplier_id"])
        digest.update((q["quote"] or "").encode())
    for ln in lines:
        digest.update(f"\0{ln.sku}|{ln.demand}".encode())
        for a in ln.allocations:
            digest.update(f"|{a.supplier_id}:{a.pack_name}:{a.packs}:{a.goods_idr}".encode())
    key = digest.digest()
    found = _COMPARED.get(key)
    if found is not None:
        _COMPARED.move_to_end(key)
        return found
    offers = qc.offers_by_sku(_QUOTE.decode(q["quote"]) for q in quotes if q["quote"] is not None)
    compared = [
        qc.compare_line(qc.LineNeed(ln.sku, ln.demand, _chosen(ln)), offers.get(ln.sku, ()), policy)
        for ln in lines
    ]
    _COMPARED[key] = compared
    while len(_COMPARED) > 16:
        _COMPARED.popitem(last=False)
    return compared


async def quote_comparison(tx: Tx, satker_id: int, bb_id: int) -> QuoteComparisonOut:
    """Per line, every supplier's offer side by side with the split's choice."""
    bb = await get_bulk_buy(tx, satker_id, bb_id)
    raw = await tx.raw()
    quotes = await _quotes(raw, satker_id, bb_id)
    names = {q["supplier_id"]: q["supplier_name"] for q in quotes}
    comparisons = _comparisons(bb.lines, quotes, bb.pack_policy)
    return QuoteComparisonOut(
        bulk_buy_id=bb.id,
        version=bb.version,
        single_cheapest_idr=bb.single_cheapest_idr,
        split_total_idr=bb.total_idr,
        optimiser_saving_idr=bb.optimiser_saving_idr,
        lines=[
            QuoteLineOut(
                product_id=ln.product_id,
                sku=ln.sku,
                product_name=ln.product_name,
                retail_unit=ln.retail_unit,
                demand=ln.demand,
                options=[
                    QuoteOptionOut(
                        supplier_id=o.supplier_id,
                        supplier_name=names.get(o.supplier_id, ""),
                        pack_name=o.pack_name,
                        units_per_pack=o.units_per_pack,
                        moq_packs=o.moq_packs,
                        available_packs=o.available_packs,
                        tiers=list(o.tiers),
                        packs=o.packs,
                        price_per_pack_idr=o.price_per_pack_idr,
                        goods_idr=o.goods_idr,
                        unit_cost_idr=o.unit_cost_idr,
                        cheapest=o.cheapest,
                        chosen_packs=o.chosen_packs,
                    )
                    for o in cmp.options
                ],
            )
            for ln, cmp in zip(bb.lines, comparisons, strict=True)
        ],
    )


async def list_bulk_buys(
    tx: Tx,
    principal: Principal,
    satker_id: int,
    *,
    cycle_id: int | None,
    status: str | None,
    limit: int,
    after_id: int | None,
) -> list[BulkBuySummaryOut]:
    """The satker's bulk buys, newest first (``limit + 1`` rows, for the page's cursor)."""
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    raw = await tx.raw()
    rows = await raw.fetch(
        """
        SELECT b.id, b.cycle_id, c.name AS cycle_name, b.status, b.total_idr,
            b.market_value_idr - b.total_idr AS savings_idr, b.approvals, b.version,
            b.updated_at, s.second_approval_threshold_idr
        FROM bulk_buy b
        JOIN order_cycle c ON c.satker_id = b.satker_id AND c.id = b.cycle_id
        JOIN satker s ON s.id = b.satker_id
        WHERE b.satker_id = $1 AND ($2::bigint IS NULL OR b.cycle_id = $2)
          AND ($3::text IS NULL OR b.status = $3) AND ($4::bigint IS NULL OR b.id < $4)
        ORDER BY b.id DESC LIMIT $5
        """,
        satker_id,
        cycle_id,
        status,
        after_id,
        limit + 1,
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # bulk buy -> [lines, blocking]
    for ln in await raw.fetch(
        "SELECT bulk_buy_id, flags, dropped, override_reason FROM bulk_buy_line"
        " WHERE satker_id = $1 AND bulk_buy_id = ANY($2::bigint[])",
        satker_id,
        [r["id"] for r in rows],
    ):
        count = counts[ln["bulk_buy_id"]]
        count[0] += 1
        count[1] += is_blocking(ln["flags"], ln["dropped"], ln["override_reason"])
    return [
        BulkBuySummaryOut(
            id=r["id"],
            cycle_id=r["cycle_id"],
            cycle_name=r["cycle_name"],
            status=r["status"],
            total_idr=r["total_idr"],
            savings_idr=r["savings_idr"],
            approvals_needed=approvals_needed(r["total_idr"], r["second_approval_threshold_idr"]),
            approvals_given=len(decode_approvals(r["approvals"])),
            line_count=counts[r["id"]][0],
            blocking_lines=counts[r["id"]][1],
            version=r["version"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


async def approver_names(tx: Tx, user_ids: list[int | None]) -> dict[int, str]:
    """The console users who approved, by id (an approval by API key has no name here)."""
    wanted = [u for u in user_ids if u is not None]
    if not wanted:
        return {}
    raw = await tx.raw()
    rows = await raw.fetch("SELECT id, name FROM app_user WHERE id = ANY($1::bigint[])", wanted)
    return {r["id"]: r["name"] for r in rows}
