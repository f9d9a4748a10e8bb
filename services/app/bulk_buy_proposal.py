"""What a bulk buy proposes: demand per product, the supplier split, and a price and flags
for every line, from the inputs read when the bulk buy was claimed and the suppliers' answers.

:func:`read_inputs` reads everything in the claim's short transaction. The rest is pure
computation of up to a second of CPU (consolidating 75,000 lines, the split); the build runs
it in a worker thread so that the event loop keeps serving: HiGHS releases the GIL while it
solves (see docs/bulk-buy.md for the measurement).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

# The solver's modules load with this one: imported lazily by the first split, they would
# load in its worker thread with the GIL held (~0.1 s during which the event loop stalls).
import highspy  # noqa: F401
import numpy  # noqa: F401

from services.app.bulk_buy_quotes import Answer, answered
from services.app.supplier_adapters import SUPPLIER_COLUMNS, latest_board_rows
from services.domain.consolidation import ProductDemand, RequestLine, consolidate
from services.domain.pricing import (
    Margins,
    PriceInputs,
    plan_unit_costs,
    resolve_margins,
    suggest_price,
)
from services.domain.restock_line import LineId
from services.domain.split import PackPolicy, SplitPlan, plan_split


@dataclass(frozen=True)
class Inputs:
    """Everything a proposal needs, read when the bulk buy is claimed."""

    region: str
    delivery_date: date
    pack_policy: str
    lines: Sequence[Any]  # the cycle's restock lines (rows)
    suppliers: Sequence[Any]  # eligible supplier rows
    boards: dict[int, list[dict]]
    market: dict[int, int]  # product id -> latest market reference
    het: dict[int, int]
    product_margins: dict[int, tuple[str, Margins | None]]  # product id -> (category, own)
    category_margins: dict[str, Margins]
    default_margins: Margins
    below_market_pct: Decimal
    price_step_idr: int


@dataclass(frozen=True)
class Line:
    demand: ProductDemand
    covered: Decimal
    surplus: Decimal
    backorder: Decimal
    reason: str
    unit_cost_idr: int | None
    suggested_retail_idr: int | None
    flags: list[str]


@dataclass(frozen=True)
class Proposal:
    plan: SplitPlan
    lines: list[Line]
    market_value_idr: int
    answers: dict[int, Answer]


async def read_inputs(raw: Any, satker: Any, cycle: Any, now: datetime) -> Inputs:
    """Read in the claim's transaction, so that nothing is read while suppliers answer."""
    lines = await raw.fetch(
        """
        SELECT l.request_id, l.line_no, r.warung_id, l.product_id, p.sku, p.retail_unit,
            l.quantity, l.for_preorder
        FROM restock_line l
        JOIN restock_request r ON r.satker_id = l.satker_id AND r.id = l.request_id
        JOIN product p ON p.id = l.product_id
        WHERE r.satker_id = $1 AND r.cycle_id = $2 AND r.status IN ('locked', 'consolidated')
        """,
        satker["id"],
        cycle["id"],
    )
    suppliers = await raw.fetch(
        f"SELECT {SUPPLIER_COLUMNS} FROM supplier WHERE active AND $1 = ANY(regions) ORDER BY id",
        satker["kota"],
    )
    product_ids = sorted({r["product_id"] for r in lines})
    market = await raw.fetch(
        """
        SELECT DISTINCT ON (product_id) product_id, price_idr FROM market_price
        WHERE kota = $1 AND product_id = ANY($2::bigint[]) AND price_date <= $3
        ORDER BY product_id, price_date DESC, price_idr
        """,
        satker["kota"],
        product_ids,
        # market prices are dated by the satker's own day (WIB/WITA/WIT), not by UTC's
        now.astimezone(ZoneInfo(satker["timezone"])).date(),
    )
    het = await raw.fetch(
        """
        SELECT DISTINCT ON (product_id) product_id, price_idr FROM price_ceiling
        WHERE kind = 'HET' AND product_id = ANY($2::bigint[]) AND region IN ($1, 'national')
        ORDER BY product_id, (region = $1) DESC
        """,
        satker["kota"],
        product_ids,
    )
    products = await raw.fetch(
        "SELECT id, category, target_margin, min_margin FROM product WHERE id = ANY($1::bigint[])",
        product_ids,
    )
    categories = await raw.fetch(
        "SELECT category, target_margin, min_margin FROM margin_rule WHERE satker_id = $1",
        satker["id"],
    )
    return Inputs(
        region=satker["kota"],
        delivery_date=cycle["delivery_date"],
        pack_policy=satker["pack_policy"],
        lines=lines,
        suppliers=suppliers,
        boards=await latest_board_rows(raw, [row["id"] for row in suppliers]),
        market=dict(market),
        het=dict(het),
        product_margins={
            r["id"]: (r["category"], _margins(r["target_margin"], r["min_margin"]))
            for r in products
        },
        category_margins={
            r["category"]: Margins(target=r["target_margin"], minimum=r["min_margin"])
            for r in categories
        },
        default_margins=Margins(target=satker["target_margin"], minimum=satker["min_margin"]),
        below_market_pct=satker["below_market_pct"],
        price_step_idr=satker["price_step_idr"],
    )


def _margins(target: Decimal | None, minimum: Decimal | None) -> Margins | None:
    return None if target is None or minimum is None else Margins(target=target, minimum=minimum)


def consolidate_lines(rows: Sequence[Any]) -> tuple[list[ProductDemand], dict[str, str]]:
    """Demand per product, and each product's retail unit (a big cycle has 75,000 lines)."""
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
    return demand, {r["sku"]: r["retail_unit"] for r in rows}


def split_and_price(
    inputs: Inputs, demand: list[ProductDemand], answers: dict[int, Answer], pins: dict[str, int]
) -> Proposal:
    plan = plan_split(
        {d.sku: d.quantity for d in demand},
        answered(answers),
        policy=PackPolicy(inputs.pack_policy),
        pins=pins,
    )
    costs = plan_unit_costs(plan)
    outcome = {p.sku: p for p in plan.products}
    lines, market_value = [], 0
    for d in demand:
        o = outcome[d.sku]
        price = None
        if d.sku in costs:
            category, own = inputs.product_margins[d.product_id]
            price = suggest_price(
                PriceInputs(
                    unit_cost=costs[d.sku],
                    margins=resolve_margins(
                        own, inputs.category_margins.get(category), inputs.default_margins
                    ),
                    market_ref_idr=inputs.market.get(d.product_id),
                    het_idr=inputs.het.get(d.product_id),
                    below_market_pct=inputs.below_market_pct,
                    price_step_idr=inputs.price_step_idr,
                )
            )
            if d.product_id in inputs.market:
                market_value += round(o.covered * inputs.market[d.product_id])
        lines.append(
            Line(
                demand=d,
                covered=o.covered,
                surplus=o.surplus,
                backorder=o.backorder,
                reason=o.reason,
                unit_cost_idr=price.unit_cost_idr if price else None,
                suggested_retail_idr=price.suggested_retail_idr if price else None,
                flags=([str(o.flag)] if o.flag else [])
                + ([str(f) for f in price.flags] if price else []),
            )
        )
    return Proposal(plan=plan, lines=lines, market_value_idr=market_value, answers=answers)
