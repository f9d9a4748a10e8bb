"""The proven optimum of a split instance, offline: HiGHS with a long time limit on a model
written here from the quotes alone (not the split's own model), stored in ``optima.json``
so the benchmark compares against it in seconds.

    nice .venv/bin/python benchmarks/split/oracle.py --sizes 500x8 1000x10 --seeds 10 --limit 300

The rules are the split's: cover every unit that stock allows, all-units tiers, MOQs, a
delivery fee once per supplier used, its minimum order value reached, and surplus only to
reach a cheaper tier or the MOQ — never packs bought to pad an order up to a minimum value.
An instance not proven optimal within the limit is stored with its best bound and
``"status": "time_limit"``. Already-stored instances are skipped (rerun with ``--force``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import highspy
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from instances import instance

from contracts.adapter import SupplierQuote

OPTIMA = Path(__file__).with_name("optima.json")


def _price(tiers: list[tuple[int, int]], packs: int) -> int:
    return max((t for t in tiers if packs >= t[0]), key=lambda t: t[0])[1]


def solve(
    demand: dict[str, Decimal],
    quotes: list[SupplierQuote],
    time_limit: float,
    start: dict[tuple[int, str], int] | None = None,
) -> dict[str, object]:
    """Minimum total (goods + fees) in rupiah, its bound, and how it ended."""
    cost: list[float] = []
    upper: list[float] = []
    rows: list[tuple[list[tuple[int, float]], float, float]] = []

    def var(c: float, ub: float) -> int:
        cost.append(c)
        upper.append(ub)
        return len(cost) - 1

    inf = highspy.kHighsInf
    scale = 1e-3  # money in thousands of rupiah: a well-scaled model proves much faster
    used = {q.supplier_id: var(q.delivery_fee_idr * scale, 1) for q in quotes}
    cover: dict[str, list[tuple[int, float]]] = defaultdict(list)
    stock_units: dict[str, Decimal | None] = {sku: Decimal(0) for sku in demand}
    columns: dict[tuple[int, str], list[tuple[int, int, int, int]]] = defaultdict(list)
    goods: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for q in quotes:
        for o in q.offers:
            if o.sku not in demand:
                continue
            tiers = sorted((t.min_packs, t.price_per_pack_idr) for t in o.tiers)
            need_packs = math.ceil(demand[o.sku] / o.units_per_pack)
            top = max(need_packs, tiers[-1][0], o.moq_packs)
            if o.available_packs is not None:
                top = min(top, o.available_packs)
                if stock_units[o.sku] is not None:
                    stock_units[o.sku] += o.available_packs * o.units_per_pack
            else:
                stock_units[o.sku] = None
            one_tier = []
            for i, (lo, price) in enumerate(tiers):
                lo = max(lo, o.moq_packs)
                hi = min(tiers[i + 1][0] - 1 if i + 1 < len(tiers) else top, top)
                if lo > hi:
                    continue
                x = var(price * scale, hi)
                y = var(0, 1)
                rows.append(([(x, 1), (y, -lo)], 0, inf))
                rows.append(([(x, 1), (y, -hi)], -inf, 0))
                rows.append(([(y, 1), (used[q.supplier_id], -1)], -inf, 0))
                one_tier.append((y, 1.0))
                cover[o.sku].append((x, float(o.units_per_pack)))
                goods[q.supplier_id].append((x, float(price)))
                columns[(q.supplier_id, o.sku)].append((x, y, lo, hi))
            if one_tier:
                rows.append((one_tier, -inf, 1))
    for sku, need in demand.items():
        reachable = need if stock_units[sku] is None else min(need, stock_units[sku])
        if reachable > 0:
            rows.append((cover[sku], float(reachable), inf))
    for q in quotes:
        if q.min_order_value_idr and goods[q.supplier_id]:
            mov = float(q.min_order_value_idr)
            row = [(x, p / mov) for x, p in goods[q.supplier_id]]
            rows.append(([*row, (used[q.supplier_id], -1.0)], 0, inf))

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("time_limit", float(time_limit))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(rows)
    lp.col_cost_ = np.array(cost, dtype=float)
    lp.col_lower_ = np.zeros(len(cost))
    lp.col_upper_ = np.array(upper, dtype=float)
    lp.row_lower_ = np.array([r[1] for r in rows], dtype=float)
    lp.row_upper_ = np.array([r[2] for r in rows], dtype=float)
    starts, index, value = [0], [], []
    for coeffs, _, _ in rows:
        for col, coef in coeffs:
            index.append(col)
            value.append(coef)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts)
    lp.a_matrix_.index_ = np.array(index)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cost)
    h.passModel(lp)
    if start:
        values = [0.0] * len(cost)
        for (sid, sku), packs in start.items():
            for x, y, lo, hi in columns[(sid, sku)]:
                if lo <= packs <= hi:
                    values[x], values[y], values[used[sid]] = float(packs), 1.0, 1.0
        solution = highspy.HighsSolution()
        solution.col_value = values
        solution.value_valid = True
        h.setSolution(solution)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    x = h.getSolution().col_value
    total = 0
    for (sid, sku), cols in columns.items():
        packs = sum(round(x[c]) for c, _, _, _ in cols)
        if packs:
            q = next(q for q in quotes if q.supplier_id == sid)
            o = next(o for o in q.offers if o.sku == sku)
            total += packs * _price(
                sorted((t.min_packs, t.price_per_pack_idr) for t in o.tiers), packs
            )
    total += sum(q.delivery_fee_idr for q in quotes if round(x[used[q.supplier_id]]))
    status = h.getModelStatus()
    return {
        "total_idr": total,
        "bound_idr": math.ceil(info.mip_dual_bound / scale - 1e-3),
        "status": "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit",
        "seconds": round(seconds, 1),
        "limit_s": time_limit,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["200x5", "500x8", "1000x10"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--limit", type=float, default=300.0)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--out", type=Path, default=OPTIMA)
    args = parser.parse_args()
    from services.domain.split import plan_split

    stored = json.loads(args.out.read_text()) if args.out.exists() else {}
    for size in args.sizes:
        n, k = (int(v) for v in size.split("x"))
        for seed in range(args.seeds):
            key = f"{n}x{k}:{seed}"
            if key in stored and not args.force:
                continue
            demand, quotes = instance(n, seed, k)
            # a start for the proof only: the bound does not depend on it
            plan = plan_split(demand, quotes, time_limit=10.0)
            start = {(a.supplier_id, a.sku): a.packs for a in plan.allocations}
            result = solve(demand, quotes, args.limit, start)
            stored[key] = result
            args.out.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
            print(key, result, flush=True)


if __name__ == "__main__":
    main()
