"""A Lagrangian warm start that reaches suppliers' minimum order values (the greedy's weak
spot: it can only give up on such a supplier)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.domain.split.base import PackPolicy
from services.domain.split.greedy import best_buy
from services.domain.split.offers import Offer, find

# ---------------------------------------------------------------- minimum-value start

Buys = dict[tuple[int, str, str], int]


@dataclass(frozen=True)
class _Candidates:
    """Ways to source each product: one offer alone, or one topped up by another."""

    product: list[int]  # per way: index of its product
    uncovered: list[float]  # retail units left uncovered
    goods: list[list[int]]  # per way: goods value at each supplier (suppliers in order)
    buys: list[Buys]
    suppliers: list[int]


def _ways(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    policy: PackPolicy,
    suppliers: list[int],
) -> _Candidates:
    column = {sid: i for i, sid in enumerate(suppliers)}
    c = _Candidates([], [], [], [], suppliers)
    for p, sku in enumerate(sorted(offers)):
        need = demand[sku]
        cheapest = sorted(offers[sku], key=lambda o: Decimal(o.tiers[-1][1]) / o.units)[:8]
        seen: set[tuple[tuple[tuple[int, str, str], int], ...]] = set()
        for first in cheapest:
            for second in [None, *cheapest]:
                if second is first:
                    continue
                buys: Buys = {}
                left = need
                for o in (first, second):
                    if o is None or left <= 0:
                        continue
                    n = best_buy(o, left, policy, o.stock)
                    if n > 0:
                        buys[(o.supplier_id, sku, o.offer.pack_name)] = n
                        left -= n * o.units
                key = tuple(sorted(buys.items()))
                if not buys or key in seen or (second is not None and len(buys) < 2):
                    continue
                seen.add(key)
                goods = [0] * len(suppliers)
                for (sid, _, pack), n in buys.items():
                    goods[column[sid]] += find(offers, sid, sku, pack).cost(n)
                c.product.append(p)
                c.uncovered.append(float(max(left, Decimal(0))))
                c.goods.append(goods)
                c.buys.append(buys)
    return c


def minimum_value_start(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    policy: PackPolicy,
    fees: Mapping[int, int],
    minimum_values: Mapping[int, int],
    *,
    rounds: int = 40,
) -> Buys | None:
    """A start that reaches minimum order values, which the greedy gives up on.

    For each set of open suppliers, every product takes its cheapest way from them at prices
    discounted by a multiplier per supplier (Lagrangian relaxation of the minimum values);
    a supplier still below its minimum gets a bigger discount next round. The cheapest plan
    in which every supplier used reaches its minimum wins."""
    import itertools

    import numpy as np

    suppliers = sorted({o.supplier_id for sku_offers in offers.values() for o in sku_offers})
    if not suppliers:
        return None
    ways = _ways(demand, offers, policy, suppliers)
    product = np.array(ways.product)
    goods = np.array(ways.goods, dtype=float)
    uncovered = np.array(ways.uncovered)
    movs = np.array([minimum_values.get(sid, 0) for sid in suppliers], dtype=float)
    fee = np.array([fees.get(sid, 0) for sid in suppliers], dtype=float)
    uses = goods > 0
    big = float(goods.sum()) + 1.0
    first_of = np.flatnonzero(np.r_[True, product[1:] != product[:-1]])
    if len(suppliers) <= 6:
        open_sets = [
            mask for mask in itertools.product((True, False), repeat=len(suppliers)) if any(mask)
        ]
    else:  # every supplier, then every one left out once
        open_sets = [
            tuple(i != j for i in range(len(suppliers))) for j in range(-1, len(suppliers))
        ]
    best: tuple[float, float, np.ndarray] | None = None
    for mask in open_sets:
        closed = ~np.array(mask)
        blocked = (uses & closed).any(axis=1)
        discount = np.zeros(len(suppliers))
        for _ in range(rounds):
            score = goods @ (1.0 - discount) + uncovered * big + blocked * big * 4
            order = np.lexsort((score, product))
            chosen = order[np.searchsorted(product[order], product[first_of])]
            spent = goods[chosen].sum(axis=0)
            short = (spent > 0) & (spent < movs)
            if not short.any():
                cost = float(spent.sum() + fee[spent > 0].sum())
                gap = float(uncovered[chosen].sum() + blocked[chosen].sum() * big)
                if best is None or (gap, cost) < (best[0], best[1]):
                    best = (gap, cost, chosen)
                break
            shortfall = np.divide(movs - spent, movs, out=np.zeros_like(movs), where=short)
            discount = np.minimum(0.9, discount + np.where(short, 0.01 + 0.2 * shortfall, 0.0))
    if best is None:
        return None
    start: Buys = {}
    for i in best[2]:
        start.update(ways.buys[int(i)])
    return start
