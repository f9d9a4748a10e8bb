"""The mixed-integer programme solved with HiGHS, warm-started, within the deadline."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from services.domain.split.base import Key, PackPolicy
from services.domain.split.highs import new_highs, run_until
from services.domain.split.offers import Offer, max_useful_packs

if TYPE_CHECKING:  # imported at run time where the MIP is solved
    pass


# ---------------------------------------------------------------- MILP


@dataclass(frozen=True)
class Solved:
    """What HiGHS returned: packs per offer, how it ended, and a lower bound on the
    objective (rupiah, plus ``penalty`` per uncovered unit) when it proved one."""

    buys: dict[Key, int] | None  # None: stopped before a feasible point
    status: str  # optimal | time_limit
    bound: float | None
    penalty: float


@dataclass
class _Model:
    cost: list[float]
    lower: list[float]
    upper: list[float]
    integer: list[bool]
    rows: list[tuple[dict[int, float], float, float]]

    def var(self, cost: float, lower: float, upper: float, integer: bool) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, coeffs: dict[int, float], lower: float, upper: float) -> None:
        self.rows.append((coeffs, lower, upper))


def solve_milp(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    policy: PackPolicy,
    fees: Mapping[int, int],
    minimum_values: Mapping[int, int],
    warm: Mapping[Key, int],
    deadline: float | None,
    gap: float,
    *,
    exact_cover: bool,
) -> Solved | None:
    """``exact_cover``: cover exactly what stock allows (round up) as a hard constraint;
    otherwise uncovered demand is a slack at a penalty."""
    import highspy
    import numpy as np

    inf = highspy.kHighsInf
    m = _Model([], [], [], [], [])
    unit_prices = [
        Decimal(p) / o.units
        for sku_offers in offers.values()
        for o in sku_offers
        for _, p in o.tiers
    ]
    penalty = float(
        max(unit_prices, default=Decimal(1)) * 4
        + sum(fees.values())
        + max(minimum_values.values(), default=0)
    )
    suppliers = sorted({o.supplier_id for sku_offers in offers.values() for o in sku_offers})
    # money in thousands of rupiah and minimum-value rows divided by the minimum: HiGHS
    # presolves and cuts a well-scaled model several times faster
    scale = 1e-3
    penalty *= scale
    z = {sid: m.var(float(fees.get(sid, 0)) * scale, 0, 1, True) for sid in suppliers}
    x_of: dict[Key, list[tuple[int, int, int, int, int]]] = defaultdict(list)
    goods_terms: dict[int, dict[int, float]] = defaultdict(dict)
    for count, (sku, sku_offers) in enumerate(offers.items()):
        if deadline is not None and count % 64 == 0 and time.perf_counter() >= deadline:
            return None  # no time left to solve what is being built
        need = demand[sku]
        cover: dict[int, float] = {}
        for o in sku_offers:
            top = max_useful_packs(o, need, policy)
            choose: dict[int, float] = {}
            for i, (tier_min, price) in enumerate(o.tiers):
                lo = max(tier_min, o.offer.moq_packs)
                hi = o.tiers[i + 1][0] - 1 if i + 1 < len(o.tiers) else top
                hi = min(hi, top)
                if lo > hi:
                    continue
                x = m.var(float(price) * scale, 0, float(hi), True)
                y = m.var(0.0, 0, 1, True)
                m.row({x: 1.0, y: -float(lo)}, 0, inf)  # x ≥ lo·y
                m.row({x: 1.0, y: -float(hi)}, -inf, 0)  # x ≤ hi·y
                m.row({y: 1.0, z[o.supplier_id]: -1.0}, -inf, 0)  # y ≤ z
                choose[y] = 1.0
                cover[x] = float(o.units)
                goods_terms[o.supplier_id][x] = float(price)
                x_of[(o.supplier_id, sku, o.offer.pack_name)].append((x, y, lo, hi, price))
            if choose:
                m.row(choose, -inf, 1)  # one tier per offer
        if exact_cover:
            stock = [o.stock * o.units for o in sku_offers if o.stock is not None]
            unlimited = len(stock) < len(sku_offers)  # an offer with no stock figure
            reachable = need if unlimited else min(need, sum(stock, Decimal(0)))
            unavoidable = float(need - reachable)
            short = m.var(0.0, unavoidable, unavoidable, False)
        else:
            short = m.var(penalty, 0, float(need), False)
        cover[short] = 1.0
        if policy == PackPolicy.ROUND_DOWN:
            m.row({k: v for k, v in cover.items() if k != short}, -inf, float(need))
        m.row(cover, float(need), inf)
    for sid in suppliers:
        mov = minimum_values.get(sid, 0)
        if mov and goods_terms[sid]:
            m.row({**{x: p / mov for x, p in goods_terms[sid].items()}, z[sid]: -1.0}, 0, inf)

    h = new_highs(gap)
    lp = highspy.HighsLp()
    lp.num_col_ = len(m.cost)
    lp.num_row_ = len(m.rows)
    lp.col_cost_ = np.array(m.cost)
    lp.col_lower_ = np.array(m.lower, dtype=float)
    lp.col_upper_ = np.array(m.upper, dtype=float)
    lp.row_lower_ = np.array([r[1] for r in m.rows], dtype=float)
    lp.row_upper_ = np.array([r[2] for r in m.rows], dtype=float)
    starts, index, value = [0], [], []
    for coeffs, _, _ in m.rows:
        for col, coef in coeffs.items():
            index.append(col)
            value.append(coef)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts)
    lp.a_matrix_.index_ = np.array(index)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in m.integer
    ]
    h.passModel(lp)
    if warm:
        start = [0.0] * len(m.cost)
        for key, packs in warm.items():
            for x, y, lo, hi, _ in x_of.get(key, []):
                if lo <= packs <= hi:
                    start[x], start[y] = float(packs), 1.0
                    start[z[key[0]]] = 1.0
                    break
        solution = highspy.HighsSolution()
        solution.col_value = start
        solution.value_valid = True
        h.setSolution(solution)  # HiGHS completes the continuous slacks itself
    out = run_until(h, deadline)
    if out.infeasible:
        return None
    buys: dict[Key, int] | None = None
    if out.solution is not None:
        values = out.solution
        buys = {}
        for key, cols in x_of.items():
            packs = sum(round(values[x]) for x, _, _, _, _ in cols)
            if packs:
                buys[key] = packs
    return Solved(
        buys,
        "optimal" if out.optimal else "time_limit",
        None if out.bound is None else out.bound / scale,
        0.0 if exact_cover else penalty / scale,
    )
