"""Consolidation + pricing of a whole cycle, with quotes from in-process fakes.

    .venv/bin/python benchmarks/consolidation/run.py [--write]

For 250, 500, 1,000 and 2,500 warungs × 30 lines over 200 products: consolidate the lines,
split the bulk demand once across 5 fake suppliers (HiGHS, 1 s limit), compute landed costs,
and price every warung line. Target: ≤ 2 s at 2,500 warungs.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "split"))

from run import machine  # the split benchmark's machine description

from contracts.adapter import PackOffer, SupplierQuote, TierPrice
from services.domain.consolidation import RequestLine, consolidate
from services.domain.pricing import (
    Margins,
    PriceInputs,
    plan_unit_costs,
    suggest_price,
)
from services.domain.restock_line import LineId
from services.domain.split import plan_split

PRODUCTS = 200
UNTIL = datetime(2030, 1, 1, tzinfo=UTC)


def catalogue(rnd: random.Random) -> tuple[dict[str, Decimal], dict[str, int], list[SupplierQuote]]:
    units = {f"P{i:03d}": Decimal(rnd.choice([1, 12, 24, 25, 40, 50])) for i in range(PRODUCTS)}
    unit_price = {sku: rnd.randint(2_000, 40_000) for sku in units}
    quotes = []
    for sid in range(1, 6):
        offers = tuple(
            PackOffer(
                sku=sku,
                pack_name="pack",
                units_per_pack=u,
                tiers=(
                    TierPrice(
                        min_packs=1,
                        price_per_pack_idr=int(
                            unit_price[sku] * u * Decimal(rnd.uniform(0.9, 1.1))
                        ),
                    ),
                    TierPrice(
                        min_packs=20, price_per_pack_idr=int(unit_price[sku] * u * Decimal("0.95"))
                    ),
                ),
                moq_packs=1,
            )
            for sku, u in units.items()
            if sid == 1 or rnd.random() < 0.6
        )
        quotes.append(
            SupplierQuote(
                supplier_id=sid,
                quote_ref=f"Q{sid}",
                valid_until=UNTIL,
                offers=offers,
                delivery_fee_idr=rnd.choice([50_000, 100_000, 250_000]),
            )
        )
    market = {sku: int(p * 1.25) for sku, p in unit_price.items()}
    return units, market, quotes


def run(
    warungs: int, rnd: random.Random, units, market, quotes
) -> tuple[float, float, float, float, int]:
    skus = list(units)
    lines = []
    for w in range(warungs):
        for n, sku in enumerate(rnd.sample(skus, 30), start=1):
            lines.append(
                RequestLine(
                    request_line_id=LineId(w + 1, n),
                    warung_id=w,
                    product_id=int(sku[1:]),
                    sku=sku,
                    quantity=Decimal(rnd.randint(1, 20)),
                    serves_preorder=rnd.random() < 0.1,
                )
            )
    t0 = time.perf_counter()
    demand = consolidate(lines)
    t1 = time.perf_counter()
    plan = plan_split({d.sku: d.quantity for d in demand}, quotes, time_limit=1.0)
    t2 = time.perf_counter()
    costs = plan_unit_costs(plan)
    margins = Margins(target=Decimal("0.08"), minimum=Decimal("0.02"))
    by_sku = {
        sku: suggest_price(
            PriceInputs(
                unit_cost=cost,
                margins=margins,
                market_ref_idr=market[sku],
                het_idr=None,
                below_market_pct=Decimal("0.05"),
            )
        )
        for sku, cost in costs.items()
    }
    priced = [by_sku[line.sku] for line in lines]  # every warung line gets its product's price
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, t3 - t0, len(priced)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rnd = random.Random(7)
    units, market, quotes = catalogue(rnd)
    rows = []
    for warungs in (250, 500, 1000, 2500):
        cons, split, pricing, total, lines = run(warungs, rnd, units, market, quotes)
        rows.append(
            f"| {warungs:,} | {lines:,} | {cons * 1000:.0f} | {split * 1000:.0f} | {pricing * 1000:.0f} | {total:.2f} |"
        )
        print(rows[-1], flush=True)
    text = (
        "# consolidation benchmark\n\n`.venv/bin/python benchmarks/consolidation/run.py --write`. "
        "Target: consolidation + pricing of a 2,500-warung cycle ≤ 2 s.\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.\n\n"
        "| warungs | lines | consolidate ms | split ms | landed cost + pricing ms | total s |\n|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    if args.write:
        (Path(__file__).parent / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
