"""One way per product as a MIP: a binary per way, one per supplier for its fee and minimum
order value. Far smaller and tighter than the full model (tiers, MOQs and pack rounding are
already priced into each way; its LP bound is typically within 0.01 % of its optimum); its
bound holds only for the ways, so the plan's gap comes from the full model.

In three steps, each held to the deadline: the LP relaxation, which also drops every way
whose reduced cost exceeds what the start costs above the LP bound (no better choice can
use it); a small MIP in which products the LP buys in one way keep it; and the whole MIP
from the better of the start and that."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from services.domain.split.highs import new_highs, run_until
from services.domain.split.ways_start import Floats, Ints, WayArrays

if TYPE_CHECKING:
    import highspy

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Model:
    """Columns: the ways, then one per supplier; entries as (column, row, value)."""

    col: Ints
    row: Ints
    val: Floats
    cost: Floats
    row_lower: Floats
    row_upper: Floats
    n_ways: int
    n_products: int

    @classmethod
    def of(cls, w: WayArrays) -> _Model:
        import highspy

        n_ways, n_sup = w.goods.shape
        scale = 1e-3  # thousands of rupiah; minimum-value rows divided by the minimum
        big = float(w.cost.sum()) * scale + 1.0
        uses = w.goods > 0
        link_way, link_sup = np.nonzero(uses)
        keys, link_row = np.unique(w.product[link_way] * n_sup + link_sup, return_inverse=True)
        n_products = len(w.starts)
        mov_sup = np.flatnonzero(w.mov > 0)
        first_mov = n_products + len(keys)
        # one way per product; a way using a supplier opens it (a row per product and
        # supplier); goods at an open supplier reach its minimum
        parts = [
            (np.arange(n_ways), w.product, np.ones(n_ways)),
            (link_way, n_products + link_row, np.ones(len(link_way))),
            (n_ways + keys % n_sup, n_products + np.arange(len(keys)), -np.ones(len(keys))),
        ]
        for r, j in enumerate(mov_sup):
            on = np.flatnonzero(uses[:, j])
            parts.append((on, np.full(len(on), first_mov + r), w.goods[on, j] / w.mov[j]))
            parts.append((np.array([n_ways + j]), np.array([first_mov + r]), np.array([-1.0])))
        inf = highspy.kHighsInf
        return cls(
            col=np.concatenate([p[0] for p in parts]),
            row=np.concatenate([p[1] for p in parts]),
            val=np.concatenate([p[2] for p in parts]),
            cost=np.r_[w.cost * scale + w.short * big, w.fee * scale],
            row_lower=np.r_[np.ones(n_products), np.full(len(keys), -inf), np.zeros(len(mov_sup))],
            row_upper=np.r_[np.ones(n_products), np.zeros(len(keys)), np.full(len(mov_sup), inf)],
            n_ways=n_ways,
            n_products=n_products,
        )

    def values(self, w: WayArrays, chosen: Ints) -> Floats:
        x = np.zeros(len(self.cost))
        x[chosen] = 1.0
        x[self.n_ways :] = (w.goods[chosen] > 0).any(axis=0)
        return x

    def lp(self, keep: Mask, fixed: Mask | None = None, *, integer: bool) -> highspy.HighsLp:
        """Over the kept columns, column-wise; ``fixed`` columns are bought (set to one)."""
        import highspy

        kept = keep[self.col]
        col = (np.cumsum(keep) - 1)[self.col[kept]]
        row, val = self.row[kept], self.val[kept]
        order = np.lexsort((row, col))
        n_cols = int(keep.sum())
        lp = highspy.HighsLp()
        lp.num_col_ = n_cols
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = self.cost[keep]
        lp.col_lower_ = np.zeros(n_cols) if fixed is None else fixed[keep].astype(float)
        lp.col_upper_ = np.ones(n_cols)
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(col[order], np.arange(n_cols + 1))
        lp.a_matrix_.index_ = row[order]
        lp.a_matrix_.value_ = val[order]
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
        return lp

    def solve(
        self,
        w: WayArrays,
        start: Ints,
        keep: Mask,
        deadline: float | None,
        fixed: Mask | None = None,
    ) -> Ints | None:
        """The ways of the best point HiGHS finds from ``start`` by the deadline."""
        import highspy

        h = new_highs(gap=1e-6)
        h.passModel(self.lp(keep, fixed, integer=True))
        solution = highspy.HighsSolution()
        solution.col_value = self.values(w, start)[keep]
        solution.value_valid = True
        h.setSolution(solution)
        out = run_until(h, deadline)
        if out.solution is None:
            return None
        chosen = np.flatnonzero(keep)[np.flatnonzero(out.solution > 0.5)]
        chosen = chosen[chosen < self.n_ways]
        if len(chosen) != self.n_products:
            return None
        return chosen[np.argsort(w.product[chosen])]


def solve_ways(w: WayArrays, start: Ints, deadline: float | None) -> Ints:
    """The best choice of ways found from ``start`` by the deadline (``start`` itself when
    nothing better turns up)."""
    model = _Model.of(w)
    if _late(deadline):
        return start
    keep = np.ones(len(model.cost), dtype=bool)
    relaxed = new_highs(gap=1e-6)
    relaxed.setOptionValue("presolve", "off")
    relaxed.passModel(model.lp(keep, integer=False))
    lp = run_until(relaxed, deadline)
    if lp.objective is None or lp.reduced_costs is None or lp.solution is None:
        return model.solve(w, start, keep, deadline) or start
    slack = float(model.cost @ model.values(w, start)) - lp.objective
    keep = lp.reduced_costs <= slack + 1e-7
    keep[model.n_ways :] = True
    keep[start] = True
    fixed = np.zeros(len(model.cost), dtype=bool)
    fixed[: model.n_ways] = lp.solution[: model.n_ways] > 1 - 1e-6
    if _late(deadline):
        return start
    if deadline is not None:
        halfway = time.perf_counter() + (deadline - time.perf_counter()) / 2
        dive = model.solve(w, start, keep | fixed, halfway, fixed)
        if dive is not None and w.total(dive) < w.total(start):
            start = dive
    if _late(deadline):
        return start
    better = model.solve(w, start, keep, deadline)
    return better if better is not None and w.total(better) < w.total(start) else start


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() >= deadline
