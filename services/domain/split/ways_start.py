"""A start chosen among the ways (see :mod:`ways`): one way per product, suppliers opened and
closed whole, minimum order values reached by a Lagrangian discount, then a local search
that moves whole products between ways while every open supplier keeps its minimum."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.domain.split.ways import Ways

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.intp]


@dataclass(frozen=True)
class WayArrays:
    """The ways as arrays, suppliers as columns."""

    product: Ints
    starts: Ints  # first way of each product (ways are grouped by product)
    cost: Floats
    goods: Floats  # ways × suppliers
    short: Floats  # 1 where a way covers less than stock allows
    fee: Floats
    mov: Floats
    suppliers: list[int]

    @classmethod
    def of(cls, ways: Ways, fees: Mapping[int, int], movs: Mapping[int, int]) -> WayArrays:
        sid = np.array(ways.goods_supplier, dtype=np.intp)
        suppliers = [int(s) for s in np.unique(sid)]
        goods = np.zeros((len(ways.cost), len(suppliers)))
        np.add.at(
            goods, (np.array(ways.goods_way), np.searchsorted(suppliers, sid)), ways.goods_idr
        )
        product = np.array(ways.product, dtype=np.intp)
        return cls(
            product=product,
            starts=np.flatnonzero(np.r_[True, product[1:] != product[:-1]]),
            cost=np.array(ways.cost, dtype=float),
            goods=goods,
            short=np.array(ways.short, dtype=float),
            fee=np.array([fees.get(s, 0) for s in suppliers], dtype=float),
            mov=np.array([movs.get(s, 0) for s in suppliers], dtype=float),
            suppliers=suppliers,
        )

    def cheapest(self, score: Floats) -> Ints:
        """Per product, the way of lowest score (the first on ties)."""
        lowest = np.minimum.reduceat(score, self.starts)
        at = np.flatnonzero(score <= lowest[self.product])
        first = np.r_[True, self.product[at][1:] != self.product[at][:-1]]
        return at[first]

    def total(self, chosen: Ints) -> tuple[float, float]:
        """(ways short, money) of a choice; money counts the fee of every supplier used and
        is infinite when a used supplier misses its minimum."""
        spent = self.goods[chosen].sum(axis=0)
        used = spent > 0
        if (spent[used] < self.mov[used] - 0.5).any():
            return float(self.short[chosen].sum()), float("inf")
        return float(self.short[chosen].sum()), float(
            self.cost[chosen].sum() + self.fee[used].sum()
        )


def _reach_minimums(w: WayArrays, allowed: npt.NDArray[np.bool_], rounds: int) -> Ints:
    """Cheapest way per product from ``allowed`` suppliers, with goods at a supplier below
    its minimum discounted a little more each round until every used one reaches it; a
    supplier still below after the rounds is closed and the rounds start again."""
    big = float(w.cost.sum()) + 1.0
    allowed = allowed.copy()
    for _ in range(len(w.suppliers) + 1):
        blocked = (w.goods[:, ~allowed] > 0).any(axis=1)
        base = w.cost + (w.short + blocked * 4.0) * big
        discount = np.zeros(len(w.suppliers))
        for _ in range(rounds):
            chosen = w.cheapest(base - w.goods @ discount)
            spent = w.goods[chosen].sum(axis=0)
            below = (spent > 0) & (spent < w.mov - 0.5) & allowed
            if not below.any():
                return chosen
            shortfall = np.divide(w.mov - spent, w.mov, out=np.zeros_like(spent), where=below)
            discount = np.minimum(0.9, discount + np.where(below, 0.01 + 0.2 * shortfall, 0.0))
        ratio = np.where(below, spent / np.maximum(w.mov, 1.0), np.inf)
        allowed[int(np.argmin(ratio))] = False
    return chosen


def choose_ways(
    w: WayArrays, deadline: float | None, *, open_first: set[int] | None = None, rounds: int = 20
) -> Ints:
    """From every supplier open, and from ``open_first`` (say the greedy's suppliers), open
    or close one supplier at a time while that lowers the total; the better of the two,
    after the local search. Stops early, with the best choice so far, at the deadline."""
    starts = [np.ones(len(w.suppliers), dtype=bool)]
    if open_first is not None:
        starts.append(np.array([s in open_first for s in w.suppliers]))
    best: tuple[tuple[float, float], Ints] | None = None
    for allowed in starts:
        chosen = _reach_minimums(w, allowed, rounds)
        total = w.total(chosen)
        while not _late(deadline):
            flipped = _flip_one(w, allowed, total, rounds, deadline)
            if flipped is None:
                break
            chosen, total, allowed = flipped
        chosen = local_search(w, chosen, deadline)
        if best is None or w.total(chosen) < best[0]:
            best = (w.total(chosen), chosen)
    assert best is not None
    return best[1]


def _flip_one(
    w: WayArrays,
    allowed: npt.NDArray[np.bool_],
    best_total: tuple[float, float],
    rounds: int,
    deadline: float | None,
    tries: int = 4,
) -> tuple[Ints, tuple[float, float], npt.NDArray[np.bool_]] | None:
    """The supplier whose opening or closing lowers the total most, among the ``tries``
    that look best when every product simply takes its cheapest way."""
    big = float(w.cost.sum()) + 1.0
    estimates = []
    for j in range(len(w.suppliers)):
        mask = allowed.copy()
        mask[j] = not mask[j]
        if not mask.any():
            continue
        blocked = (w.goods[:, ~mask] > 0).any(axis=1)
        chosen = w.cheapest(w.cost + (w.short + blocked * 4.0) * big)
        used = w.goods[chosen].sum(axis=0) > 0
        estimates.append((float(w.cost[chosen].sum() + w.fee[used].sum()), j, mask))
    estimates.sort(key=lambda e: e[0])
    best = None
    for _, _, mask in estimates[:tries]:
        if _late(deadline):
            break
        chosen = _reach_minimums(w, mask, rounds)
        total = w.total(chosen)
        if total < best_total and (best is None or total < best[1]):
            best = (chosen, total, mask)
    return best


def local_search(
    w: WayArrays, chosen: Ints, deadline: float | None, passes: int = 6, swaps: int = 10
) -> Ints:
    """Move single products to a cheaper way while no supplier falls below its minimum and
    no closed supplier is opened; a supplier whose last product leaves saves its fee."""
    chosen = chosen.copy()
    for _ in range(passes):
        if _late(deadline):
            break
        spent = w.goods[chosen].sum(axis=0)
        used = spent > 0
        delta = w.cost - w.cost[chosen][w.product]
        opens = (w.goods[:, ~used] > 0).any(axis=1)
        candidates = np.flatnonzero(
            (delta < -0.5) & ~opens & (w.short <= w.short[chosen][w.product])
        )
        moved = False
        for i in candidates[np.argsort(delta[candidates], kind="stable")]:
            p = w.product[i]
            current = chosen[p]
            if w.cost[i] >= w.cost[current]:
                continue
            after = spent - w.goods[current] + w.goods[i]
            keeps = (after <= 0.5) | (after >= w.mov - 0.5) | ~used
            if keeps.all():
                chosen[p] = i
                spent = after
                moved = True
        closing = _close_light_suppliers(w, chosen, spent)
        if not moved and not closing:
            break
    for _ in range(swaps):
        if _late(deadline) or not _swap_pair(w, chosen):
            break
    return chosen


def _swap_pair(w: WayArrays, chosen: Ints, tries: int = 40) -> bool:
    """One product moves to a cheaper way that a supplier's minimum blocks, while another
    moves onto that supplier enough goods to keep it: the pair that saves most for the
    first blocked move that has one. False when none of ``tries`` moves has a partner."""
    spent = w.goods[chosen].sum(axis=0)
    used = spent > 0
    now = chosen[w.product]
    dcost = w.cost - w.cost[now]
    dgoods = w.goods - w.goods[now]
    allowed = ~(w.goods[:, ~used] > 0).any(axis=1) & (w.short <= w.short[now])
    after = spent + dgoods
    holds = (after >= w.mov - 0.5) | (after <= 0.5) | ~used
    blocked = np.flatnonzero(allowed & (dcost < -0.5) & ~holds.all(axis=1))
    for i in blocked[np.argsort(dcost[blocked], kind="stable")][:tries]:
        partial = spent + dgoods[i]
        after2 = partial + dgoods
        fits = ((after2 >= w.mov - 0.5) | (after2 <= 0.5) | ~used).all(axis=1)
        fits &= allowed & (w.product != w.product[i]) & (dcost < -dcost[i] - 0.5)
        if fits.any():
            j = int(np.flatnonzero(fits)[np.argmin(dcost[fits])])
            chosen[w.product[i]], chosen[w.product[j]] = i, j
            return True
    return False


def _close_light_suppliers(w: WayArrays, chosen: Ints, spent: Floats) -> bool:
    """Move every product off a supplier whose fee outweighs what it saves, when each has a
    way elsewhere among the open suppliers that keeps their minimums."""
    used = spent > 0
    for j in np.argsort(spent):
        if not used[j] or w.fee[j] <= 0:
            continue
        elsewhere = used.copy()
        elsewhere[j] = False
        on_j = np.flatnonzero(w.goods[chosen, j] > 0)
        fits = ~(w.goods[:, ~elsewhere] > 0).any(axis=1) & (w.short <= 0)
        score = np.where(fits, w.cost, np.inf)
        lowest = np.minimum.reduceat(score, w.starts)
        extra = float((lowest[on_j] - w.cost[chosen[on_j]]).sum())
        if not np.isfinite(extra) or extra >= w.fee[j]:
            continue
        trial = chosen.copy()
        pick = w.cheapest(score)
        trial[on_j] = pick[on_j]
        if w.total(trial) < w.total(chosen):
            chosen[:] = trial
            return True
    return False


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() >= deadline
