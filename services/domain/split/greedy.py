"""The greedy warm start and fallback: per product, the cheapest useful buy, supplier by
supplier."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from services.domain.split.base import PackPolicy
from services.domain.split.offers import Offer, ceil_packs, find, floor_packs, merge_tiers

# ---------------------------------------------------------------- greedy


def best_buy(o: Offer, need: Decimal, policy: PackPolicy, stock_left: int | None) -> int:
    """The cheapest-per-unit pack count for ``need`` from this offer (0 when it cannot)."""
    if policy == PackPolicy.ROUND_DOWN:
        base = floor_packs(need, o.units)
    else:
        base = ceil_packs(need, o.units)
    candidates = {base, max(base, o.offer.moq_packs)}
    candidates |= {m for m, _ in o.tiers if m > base}
    best, best_unit = 0, None
    for n in sorted(candidates):
        if n <= 0 or n < o.offer.moq_packs:
            continue
        if stock_left is not None and n > stock_left:
            n = stock_left
            if n < o.offer.moq_packs or n <= 0:
                continue
        if policy == PackPolicy.ROUND_DOWN and n * o.units > need:
            continue
        useful = min(n * o.units, need)
        unit = Decimal(o.cost(n)) / useful
        if best_unit is None or unit < best_unit:
            best, best_unit = n, unit
    return best


def greedy_buys(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    policy: PackPolicy,
    fees: Mapping[int, int],
    minimum_values: Mapping[int, int],
) -> dict[tuple[int, str, str], int]:
    """Packs per (supplier, sku, pack name). Dearest demand first; each step buys from the
    offer with the lowest cost per useful unit, a new supplier's fee included; a supplier
    that ends below its minimum order value is dropped and its demand re-sourced."""
    banned: set[int] = set()
    while True:
        buys: dict[tuple[int, str, str], int] = defaultdict(int)
        used: set[int] = set()
        stock: dict[int, int | None] = {}
        order = sorted(
            demand,
            key=lambda sku: (
                -max((Decimal(o.tiers[0][1]) / o.units for o in offers.get(sku, [])), default=0)
                * demand[sku]
            ),
        )
        for sku in order:
            need = demand[sku]
            while need > 0:
                best = None
                for o in offers.get(sku, []):
                    if o.supplier_id in banned:
                        continue
                    left = stock.get(id(o), o.stock)
                    n = best_buy(o, need, policy, left)
                    if n <= 0:
                        continue
                    cost = o.cost(n) + (0 if o.supplier_id in used else fees.get(o.supplier_id, 0))
                    unit = Decimal(cost) / min(n * o.units, need)
                    if best is None or unit < best[0]:
                        best = (unit, o, n)
                if best is None:
                    break
                _, o, n = best
                key = (o.supplier_id, sku, o.offer.pack_name)
                buys[key] += n
                left = stock.get(id(o), o.stock)
                stock[id(o)] = None if left is None else left - n
                used.add(o.supplier_id)
                need -= n * o.units
        goods: dict[int, int] = defaultdict(int)
        for (sid, sku, pack), n in buys.items():
            o = find(offers, sid, sku, pack)
            goods[sid] += o.cost(n)
        short = [sid for sid in goods if goods[sid] < minimum_values.get(sid, 0)]
        if not short:
            return merge_tiers(buys, offers)
        banned.add(min(short, key=lambda sid: goods[sid]))
