"""One way per product as a MIP: a binary per way, one per supplier for its fee and minimum
order value. Far smaller and tighter than the full model (tiers, MOQs and pack rounding are
already priced into each way), so HiGHS improves a start within a fraction of a second; its
bound holds only for the ways, so the plan's gap comes from the full model."""

from __future__ import annotations

import numpy as np

from services.domain.split.highs import new_highs, run_until
from services.domain.split.ways_start import Ints, WayArrays


def solve_ways(w: WayArrays, start: Ints, deadline: float | None) -> Ints | None:
    """The best choice of ways HiGHS finds from ``start`` before the deadline (None when it
    returns nothing better than a valid point)."""
    import highspy

    n_ways, n_sup = w.goods.shape
    scale = 1e-3
    big = float(w.cost.sum()) * scale + 1.0
    cost = np.r_[w.cost * scale + w.short * big, w.fee * scale]
    # rows: one way per product; a way using a supplier opens it (per product and supplier);
    # goods at an open supplier reach its minimum (divided by the minimum, well scaled)
    uses = w.goods > 0
    link_way, link_sup = np.nonzero(uses)
    link_key = w.product[link_way] * n_sup + link_sup
    keys, link_row = np.unique(link_key, return_inverse=True)
    n_products = len(w.starts)
    mov_sup = np.flatnonzero(w.mov > 0)
    row_of_link = n_products + link_row
    rows = [
        (np.arange(n_ways), w.product, np.ones(n_ways)),
        (link_way, row_of_link, np.ones(len(link_way))),
        (n_ways + keys % n_sup, n_products + np.arange(len(keys)), -np.ones(len(keys))),
    ]
    first_mov = n_products + len(keys)
    for r, j in enumerate(mov_sup):
        on = np.flatnonzero(uses[:, j])
        rows.append((on, np.full(len(on), first_mov + r), w.goods[on, j] / w.mov[j]))
        rows.append((np.array([n_ways + j]), np.array([first_mov + r]), np.array([-1.0])))
    col = np.concatenate([r[0] for r in rows])
    row = np.concatenate([r[1] for r in rows])
    val = np.concatenate([r[2] for r in rows])
    n_rows = first_mov + len(mov_sup)
    lower = np.r_[
        np.ones(n_products), np.full(len(keys), -highspy.kHighsInf), np.zeros(len(mov_sup))
    ]
    upper = np.r_[
        np.ones(n_products), np.zeros(len(keys)), np.full(len(mov_sup), highspy.kHighsInf)
    ]

    order = np.lexsort((row, col))
    lp = highspy.HighsLp()
    lp.num_col_ = n_ways + n_sup
    lp.num_row_ = n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n_ways + n_sup)
    lp.col_upper_ = np.ones(n_ways + n_sup)
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(col[order], np.arange(n_ways + n_sup + 1))
    lp.a_matrix_.index_ = row[order]
    lp.a_matrix_.value_ = val[order]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * (n_ways + n_sup)
    h = new_highs(gap=1e-6)
    h.passModel(lp)
    values = np.zeros(n_ways + n_sup)
    values[start] = 1.0
    values[n_ways:] = (w.goods[start] > 0).any(axis=0)
    solution = highspy.HighsSolution()
    solution.col_value = values
    solution.value_valid = True
    h.setSolution(solution)
    out = run_until(h, deadline)
    if out.solution is None:
        return None
    chosen = np.flatnonzero(out.solution[:n_ways] > 0.5)
    if len(chosen) != n_products:
        return None
    return chosen[np.argsort(w.product[chosen])]
