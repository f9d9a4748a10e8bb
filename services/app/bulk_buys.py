"""Bulk buys: build one from a closed cycle (consolidate, ask every supplier for a quote at
once, split, price), let the coordinator review it, and approve it into purchase orders.

Decisions are the domain's (consolidation, split, pricing, bulk-buy rules); this module
gathers the inputs and stores the outcome.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import datetime
from typing import Any

import httpx
import msgspec
import structlog

from contracts.adapter import QuoteItem, QuoteRequest, SupplierQuote
from contracts.api.bulk_buy import (
    AllocationOut,
    ApprovalOut,
    BulkBuyLineOut,
    BulkBuyOut,
    QuoteOut,
)
from contracts.errors import FieldError, IllegalTransition, NotFound, RuleViolation
from services.app.purchase_orders import NewLine, NewPurchaseOrder, create_purchase_orders
from services.app.supplier_adapters import build_adapter, latest_board_rows
from services.auth import Principal
from services.db.tx import Tx
from services.domain.consolidation import RequestLine, consolidate
from services.domain.pricing import (
    Margins,
    PriceInputs,
    plan_unit_costs,
    resolve_margins,
    suggest_price,
)
from services.domain.restock_line import LineId
from services.domain.split import PackPolicy, plan_split
from services.domain.versioning import check_if_match

log = structlog.get_logger(__name__)


async def _quote_all(
    container: Any, suppliers: list[Any], request: QuoteRequest, boards: dict[int, list[dict]]
) -> tuple[list[SupplierQuote], dict[int, tuple[str, str | None, SupplierQuote | None]]]:
    """Ask every supplier at once; one that fails or is too slow is recorded and left out."""
    settings = container.settings
    results: dict[int, tuple[str, str | None, SupplierQuote | None]] = {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(settings.supplier_timeout_seconds)) as http:

        async def ask(row: Any) -> None:
            try:
                adapter = build_adapter(
                    container, row, http_client=http, board=boards.get(row["id"])
                )
                quote = await asyncio.wait_for(
                    adapter.quote(request), timeout=settings.supplier_timeout_seconds
                )
                # what the quote states wins; the supplier's registered terms fill the gaps
                quote = msgspec.structs.replace(
                    quote,
                    supplier_id=row["id"],
                    delivery_fee_idr=quote.delivery_fee_idr or row["delivery_fee_idr"],
                    min_order_value_idr=quote.min_order_value_idr or row["min_order_value_idr"],
                )
                results[row["id"]] = ("ok", None, quote)
            except TimeoutError:
                results[row["id"]] = ("timeout", "no answer in time", None)
            except Exception as exc:  # any supplier failure is recorded; the others go on
                results[row["id"]] = ("failed", f"{type(exc).__name__}: {exc}"[:1000], None)

        tasks = [asyncio.create_task(ask(row)) for row in suppliers]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=settings.quote_deadline_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    for row in suppliers:
        results.setdefault(row["id"], ("timeout", "past the overall quote deadline", None))
    quotes = [q for status, _, q in results.values() if status == "ok" and q is not None]
    return quotes, results


async def build_bulk_buy(
    tx: Tx,
    container: Any,
    satker_id: int,
    cycle_id: int,
    now: datetime,
    pins: dict[str, int] | None = None,
) -> BulkBuyOut:
    raw = await tx.raw()
    satker = await raw.fetchrow("SELECT * FROM satker WHERE id = $1", satker_id)
    cycle = await raw.fetchrow(
        "SELECT * FROM order_cycle WHERE satker_id = $1 AND id = $2 FOR UPDATE", satker_id, cycle_id
    )
    if satker is None or cycle is None:
        raise NotFound(f"cycle {cycle_id} not found")
    if cycle["status"] not in ("closed", "consolidated"):
        raise IllegalTransition("order cycle", cycle["status"], "consolidate it before its cut-off")
    existing = await raw.fetchrow(
        "SELECT id, status, version FROM bulk_buy WHERE satker_id = $1 AND cycle_id = $2"
        " FOR UPDATE",
        satker_id,
        cycle_id,
    )
    if existing is not None and existing["status"] not in ("draft", "proposed"):
        raise IllegalTransition("bulk buy", existing["status"], "quote it again")
    rows = await raw.fetch(
        """
        SELECT l.request_id, l.line_no, r.warung_id, l.product_id, p.sku, p.retail_unit,
            l.quantity, l.for_preorder
        FROM restock_line l
        JOIN restock_request r ON r.satker_id = l.satker_id AND r.id = l.request_id
        JOIN product p ON p.id = l.product_id
        WHERE r.satker_id = $1 AND r.cycle_id = $2 AND r.status IN ('locked', 'consolidated')
        """,
        satker_id,
        cycle_id,
    )
    demand = consolidate(
        RequestLine(
            request_line_id=LineId(r["request_id"], r["line_no"]),
            warung_id=r["warung_id"],
            product_id=r["product_id"],
            sku=r["sku"],
            quantity=r["quantity"],
            serves_preorder=r["for_preorder"],
        )
        for r in rows
    )
    units = {r["sku"]: r["retail_unit"] for r in rows}
    suppliers = await raw.fetch(
        "SELECT id, name, adapter_key, adapter_config, webhook_secret, delivery_fee_idr,"
        " min_order_value_idr FROM supplier WHERE active AND $1 = ANY(regions) ORDER BY id",
        satker["kota"],
    )
    request = QuoteRequest(
        reference=f"BB-{satker_id}-{cycle_id}",
        region=satker["kota"],
        items=tuple(
            QuoteItem(sku=d.sku, quantity=d.quantity, retail_unit=units[d.sku]) for d in demand
        ),
        delivery_date=cycle["delivery_date"],
    )
    boards = await latest_board_rows(raw, [row["id"] for row in suppliers])
    quotes, answers = (
        await _quote_all(container, list(suppliers), request, boards) if demand else ([], {})
    )
    plan = plan_split(
        {d.sku: d.quantity for d in demand},
        quotes,
        policy=PackPolicy(satker["pack_policy"]),
        pins=pins or {},
    )
    costs = plan_unit_costs(plan)
    product_ids = [d.product_id for d in demand]
    market = dict(
        await raw.fetch(
            """
            SELECT DISTINCT ON (product_id) product_id, price_idr FROM market_price
            WHERE kota = $1 AND product_id = ANY($2::bigint[]) AND price_date <= $3
            ORDER BY product_id, price_date DESC, price_idr
            """,
            satker["kota"],
            product_ids,
            now.date(),
        )
    )
    het = dict(
        await raw.fetch(
            """
            SELECT DISTINCT ON (product_id) product_id, price_idr FROM price_ceiling
            WHERE kind = 'HET' AND product_id = ANY($2::bigint[]) AND region IN ($1, 'national')
            ORDER BY product_id, (region = $1) DESC
            """,
            satker["kota"],
            product_ids,
        )
    )
    own_margins = {
        r["id"]: r
        for r in await raw.fetch(
            "SELECT id, category, target_margin, min_margin FROM product"
            " WHERE id = ANY($1::bigint[])",
            product_ids,
        )
    }
    category_margins = {
        r["category"]: Margins(target=r["target_margin"], minimum=r["min_margin"])
        for r in await raw.fetch(
            "SELECT category, target_margin, min_margin FROM margin_rule WHERE satker_id = $1",
            satker_id,
        )
    }
    default = Margins(target=satker["target_margin"], minimum=satker["min_margin"])
    outcome = {p.sku: p for p in plan.products}

    if existing is None:
        bb_id = await raw.fetchval(
            "INSERT INTO bulk_buy (satker_id, cycle_id, status, pack_policy) VALUES ($1, $2,"
            " 'draft', $3) RETURNING id",
            satker_id,
            cycle_id,
            satker["pack_policy"],
        )
    else:
        bb_id = existing["id"]
        for table in ("bulk_buy_line", "bulk_buy_allocation", "bulk_buy_quote"):
            await raw.execute(
                f"DELETE FROM {table} WHERE satker_id = $1 AND bulk_buy_id = $2", satker_id, bb_id
            )
        await _mark_restock_lines(raw, satker_id, cycle_id, None, None)
    market_value = 0
    for d in demand:
        o = outcome[d.sku]
        price = None
        if d.sku in costs:
            own = own_margins[d.product_id]
            margins = resolve_margins(
                Margins(target=own["target_margin"], minimum=own["min_margin"])
                if own["target_margin"] is not None and own["min_margin"] is not None
                else None,
                category_margins.get(own["category"]),
                default,
            )
            price = suggest_price(
                PriceInputs(
                    unit_cost=costs[d.sku],
                    margins=margins,
                    market_ref_idr=market.get(d.product_id),
                    het_idr=het.get(d.product_id),
                    below_market_pct=satker["below_market_pct"],
                    price_step_idr=satker["price_step_idr"],
                )
            )
            if d.product_id in market:
                market_value += round(o.covered * market[d.product_id])
        flags = ([str(o.flag)] if o.flag else []) + ([str(f) for f in price.flags] if price else [])
        await raw.execute(
            """
            INSERT INTO bulk_buy_line (satker_id, bulk_buy_id, product_id, sku, demand,
                preorder_quantity, warungs, covered, surplus, backorder, unit_cost_idr,
                suggested_retail_idr, market_ref_idr, het_idr, flags, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """,
            satker_id,
            bb_id,
            d.product_id,
            d.sku,
            d.quantity,
            d.preorder_quantity,
            d.warungs,
            o.covered,
            o.surplus,
            o.backorder,
            price.unit_cost_idr if price else None,
            price.suggested_retail_idr if price else None,
            market.get(d.product_id),
            het.get(d.product_id),
            flags,
            o.reason,
        )
    sku_to_product = {d.sku: d.product_id for d in demand}
    for a in plan.allocations:
        await raw.execute(
            """
            INSERT INTO bulk_buy_allocation (satker_id, bulk_buy_id, product_id, supplier_id,
                pack_name, units_per_pack, packs, price_per_pack_idr, goods_idr)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            satker_id,
            bb_id,
            sku_to_product[a.sku],
            a.supplier_id,
            a.pack_name,
            a.units_per_pack,
            a.packs,
            a.price_per_pack_idr,
            a.goods_idr,
        )
    for supplier_id, (status, error, quote) in answers.items():
        await raw.execute(
            """
            INSERT INTO bulk_buy_quote (satker_id, bulk_buy_id, supplier_id, status, quote_ref,
                valid_until, delivery_fee_idr, quote, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            satker_id,
            bb_id,
            supplier_id,
            status,
            quote.quote_ref if quote else None,
            quote.valid_until if quote else None,
            quote.delivery_fee_idr if quote else 0,
            msgspec.json.encode(quote).decode() if quote else None,
            error,
        )
    await raw.execute(
        """
        UPDATE bulk_buy SET status = 'proposed', solver = $3, solver_status = $4, mip_gap = $5,
            solve_ms = $6, goods_idr = $7, fees_idr = $8, total_idr = $9, market_value_idr = $10,
            approvals = '[]', pins = $11, version = version + 1, updated_at = $12
        WHERE satker_id = $1 AND id = $2
        """,
        satker_id,
        bb_id,
        plan.solver,
        plan.status,
        plan.mip_gap,
        plan.solve_ms,
        plan.goods_idr,
        plan.fees_idr,
        plan.total_idr,
        market_value,
        json.dumps(pins or {}),
        now,
    )
    await raw.execute(
        "UPDATE restock_request SET status = 'consolidated', version = version + 1, updated_at = $3"
        " WHERE satker_id = $1 AND cycle_id = $2 AND status = 'locked'",
        satker_id,
        cycle_id,
        now,
    )
    await raw.execute(
        "UPDATE order_cycle SET status = 'consolidated', version = version + 1"
        " WHERE satker_id = $1 AND id = $2 AND status = 'closed'",
        satker_id,
        cycle_id,
    )
    log.info(
        "bulk_buy_built", satker=satker_id, cycle=cycle_id, total=plan.total_idr, solver=plan.solver
    )
    return await get_bulk_buy(tx, satker_id, bb_id)


def _blocking(line: Any) -> bool:
    return bool(line["flags"]) and not line["dropped"] and not line["override_reason"]


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
    approvals = (
        bb["approvals"] if isinstance(bb["approvals"], list) else json.loads(bb["approvals"])
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
        approvals_needed=2 if bb["total_idr"] > bb["second_approval_threshold_idr"] else 1,
        approvals=[msgspec.convert(a, ApprovalOut) for a in approvals],
        rejected_reason=bb["rejected_reason"],
        version=bb["version"],
        lines=[
            BulkBuyLineOut(
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
                warung_saving_per_unit_idr=(
                    ln["market_ref_idr"] - ln["unit_cost_idr"]
                    if ln["market_ref_idr"] is not None and ln["unit_cost_idr"] is not None
                    else None
                ),
                customer_saving_per_unit_idr=(
                    ln["market_ref_idr"] - ln["suggested_retail_idr"]
                    if ln["market_ref_idr"] is not None and ln["suggested_retail_idr"] is not None
                    else None
                ),
                flags=list(ln["flags"]),
                reason=ln["reason"],
                override_reason=ln["override_reason"],
                dropped=ln["dropped"],
                blocking=_blocking(ln),
                allocations=allocations.get(ln["product_id"], []),
            )
            for ln in lines
        ],
        quotes=[msgspec.convert(dict(q), QuoteOut) for q in quotes],
        purchase_order_ids=[p["id"] for p in pos],
    )


async def _lock(raw: Any, satker_id: int, bb_id: int, if_match: str | None) -> Any:
    bb = await raw.fetchrow(
        "SELECT b.*, s.second_approval_threshold_idr FROM bulk_buy b JOIN satker s"
        " ON s.id = b.satker_id WHERE b.satker_id = $1 AND b.id = $2 FOR UPDATE OF b",
        satker_id,
        bb_id,
    )
    if bb is None:
        raise NotFound(f"bulk buy {bb_id} not found")
    check_if_match(if_match, bb["version"])
    return bb


async def resolve_line(
    tx: Tx,
    satker_id: int,
    bb_id: int,
    product_id: int,
    *,
    drop: bool,
    reason: str | None,
    if_match: str | None,
    now: datetime,
) -> BulkBuyOut:
    """Override a line's flags with a written reason, or drop the line (its warungs' lines
    are marked so)."""
    raw = await tx.raw()
    bb = await _lock(raw, satker_id, bb_id, if_match)
    if bb["status"] != "proposed":
        raise IllegalTransition("bulk buy", bb["status"], "change its lines")
    line = await raw.fetchrow(
        "SELECT * FROM bulk_buy_line WHERE satker_id = $1 AND bulk_buy_id = $2 AND product_id = $3",
        satker_id,
        bb_id,
        product_id,
    )
    if line is None:
        raise NotFound(f"product {product_id} is not in this bulk buy")
    if drop:
        await raw.execute(
            "UPDATE bulk_buy_line SET dropped = true, override_reason = $4"
            " WHERE satker_id = $1 AND bulk_buy_id = $2 AND product_id = $3",
            satker_id,
            bb_id,
            product_id,
            reason,
        )
        await _mark_restock_lines(raw, satker_id, bb["cycle_id"], product_id, reason or "dropped")
    else:
        if not line["flags"]:
            raise RuleViolation("this line has no flag to override")
        await raw.execute(
            "UPDATE bulk_buy_line SET override_reason = $4"
            " WHERE satker_id = $1 AND bulk_buy_id = $2 AND product_id = $3",
            satker_id,
            bb_id,
            product_id,
            reason,
        )
    await raw.execute(
        "UPDATE bulk_buy SET version = version + 1, updated_at = $3"
        " WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb_id,
        now,
    )
    return await get_bulk_buy(tx, satker_id, bb_id)


async def _mark_restock_lines(
    raw: Any, satker_id: int, cycle_id: int, product_id: int | None, reason: str | None
) -> None:
    """Tell the warung lines of a cycle that their product was dropped (or, with no product,
    clear every such notice when the bulk buy is quoted again)."""
    await raw.execute(
        """
        UPDATE restock_line l SET dropped_reason = $4
        FROM restock_request r
        WHERE r.satker_id = l.satker_id AND r.id = l.request_id
          AND r.satker_id = $1 AND r.cycle_id = $2 AND ($3::bigint IS NULL OR l.product_id = $3)
          AND r.status IN ('locked', 'consolidated')
        """,
        satker_id,
        cycle_id,
        product_id,
        reason,
    )


async def approve(
    tx: Tx, principal: Principal, satker_id: int, bb_id: int, if_match: str | None, now: datetime
) -> BulkBuyOut:
    raw = await tx.raw()
    bb = await _lock(raw, satker_id, bb_id, if_match)
    if bb["status"] != "proposed":
        raise IllegalTransition("bulk buy", bb["status"], "approve it")
    blocking = await raw.fetch(
        "SELECT sku, flags FROM bulk_buy_line WHERE satker_id = $1 AND bulk_buy_id = $2"
        " AND cardinality(flags) > 0 AND NOT dropped AND override_reason IS NULL ORDER BY sku",
        satker_id,
        bb_id,
    )
    if blocking:
        raise RuleViolation(
            "flagged lines block approval: re-source, drop or override them with a reason",
            errors=[FieldError(f"/lines/{r['sku']}", ", ".join(r["flags"])) for r in blocking],
        )
    approvals = (
        bb["approvals"] if isinstance(bb["approvals"], list) else json.loads(bb["approvals"])
    )
    if any(a["key_id"] == principal.key_id for a in approvals):
        raise RuleViolation("a second approval must come from a different coordinator")
    approvals = [*approvals, {"key_id": principal.key_id, "at": now.isoformat()}]
    needed = 2 if bb["total_idr"] > bb["second_approval_threshold_idr"] else 1
    status = "ordered" if len(approvals) >= needed else "proposed"
    await raw.execute(
        "UPDATE bulk_buy SET approvals = $3, status = $4, version = version + 1, updated_at = $5"
        " WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb_id,
        json.dumps(approvals),
        status,
        now,
    )
    if status == "ordered":
        await _order(raw, tx, satker_id, bb, now)
    return await get_bulk_buy(tx, satker_id, bb_id)


async def _order(raw: Any, tx: Tx, satker_id: int, bb: Any, now: datetime) -> None:
    """One purchase order per supplier, with its outbox row, in the approval's transaction."""
    rows = await raw.fetch(
        """
        SELECT a.*, p.sku FROM bulk_buy_allocation a
        JOIN bulk_buy_line l ON l.satker_id = a.satker_id AND l.bulk_buy_id = a.bulk_buy_id
            AND l.product_id = a.product_id
        JOIN product p ON p.id = a.product_id
        WHERE a.satker_id = $1 AND a.bulk_buy_id = $2 AND NOT l.dropped
        ORDER BY a.supplier_id, p.sku
        """,
        satker_id,
        bb["id"],
    )
    satker = await raw.fetchrow("SELECT name, kecamatan, kota FROM satker WHERE id = $1", satker_id)
    cycle = await raw.fetchrow(
        "SELECT delivery_date FROM order_cycle WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb["cycle_id"],
    )
    fees = {
        r["supplier_id"]: r["delivery_fee_idr"]
        for r in await raw.fetch(
            "SELECT supplier_id, delivery_fee_idr FROM bulk_buy_quote WHERE satker_id = $1"
            " AND bulk_buy_id = $2",
            satker_id,
            bb["id"],
        )
    }
    by_supplier: dict[int, list[NewLine]] = defaultdict(list)
    for r in rows:
        by_supplier[r["supplier_id"]].append(
            NewLine(
                product_id=r["product_id"],
                sku=r["sku"],
                pack_name=r["pack_name"],
                units_per_pack=r["units_per_pack"],
                packs=r["packs"],
                price_per_pack_idr=r["price_per_pack_idr"],
            )
        )
    orders = [
        NewPurchaseOrder(
            supplier_id=sid,
            lines=tuple(lines),
            delivery_fee_idr=fees.get(sid, 0),
            delivery_date=cycle["delivery_date"],
            delivery_address=f"{satker['name']}, Kec. {satker['kecamatan']}, {satker['kota']}",
            contact_name=satker["name"],
            bulk_buy_id=bb["id"],
        )
        for sid, lines in sorted(by_supplier.items())
    ]
    await create_purchase_orders(tx, satker_id, orders, now)
    await raw.execute(
        "UPDATE restock_request SET status = 'ordered', version = version + 1, updated_at = $3"
        " WHERE satker_id = $1 AND cycle_id = $2 AND status = 'consolidated'",
        satker_id,
        bb["cycle_id"],
        now,
    )


async def reject(
    tx: Tx, satker_id: int, bb_id: int, reason: str, if_match: str | None, now: datetime
) -> BulkBuyOut:
    raw = await tx.raw()
    bb = await _lock(raw, satker_id, bb_id, if_match)
    if bb["status"] != "proposed":
        raise IllegalTransition("bulk buy", bb["status"], "reject it")
    await raw.execute(
        "UPDATE bulk_buy SET status = 'rejected', rejected_reason = $3, version = version + 1,"
        " updated_at = $4 WHERE satker_id = $1 AND id = $2",
        satker_id,
        bb_id,
        reason,
        now,
    )
    await raw.execute(
        "UPDATE restock_request SET status = 'cancelled', note = left($3, 500),"
        " version = version + 1, updated_at = $4"
        " WHERE satker_id = $1 AND cycle_id = $2 AND status = 'consolidated'",
        satker_id,
        bb["cycle_id"],
        f"bulk buy rejected: {reason}",
        now,
    )
    return await get_bulk_buy(tx, satker_id, bb_id)
