"""Ways to buy one product under round up: one offer alone, or two together, at the pack
counts where cost or coverage changes slope (MOQ, tier minimums, stock, and the counts at
which the other offer of a pair reaches one of its own), plus a chain through the cheapest
offers for products that no one or two offers cover.

The split's warm start chooses one way per product (a small, tight MIP); counts between
breakpoints only matter when a minimum order value is just out of reach, and the full
model that follows the warm start has them all.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from services.domain.split.base import Key, PackPolicy
from services.domain.split.offers import Offer, max_useful_packs


@dataclass
class Ways:
    """Every candidate buy of every product, flat: way ``i`` is for product ``product[i]``."""

    product: list[int] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)  # goods value in rupiah
    short: list[bool] = field(default_factory=list)  # covers less than stock allows
    buys: list[tuple[tuple[Key, int], ...]] = field(default_factory=list)
    # goods value per (way, supplier), as three flat lists
    goods_way: list[int] = field(default_factory=list)
    goods_supplier: list[int] = field(default_factory=list)
    goods_idr: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Side:
    """One offer of one product with quantities as integers (``scale`` per retail unit)."""

    offer: Offer
    key: Key
    units: int
    moq: int
    top: int
    breaks: tuple[int, ...]  # counts from the MOQ up to ``top`` at which the price changes
    tier_mins: tuple[int, ...]
    tier_prices: tuple[int, ...]

    def cost(self, n: int) -> int:
        """All-units pricing: the tier reached prices every pack."""
        return n * self.tier_prices[max(bisect_right(self.tier_mins, n) - 1, 0)]

    def packs_for(self, rest: int) -> int:
        """Fewest packs covering ``rest`` units, at least the MOQ (0 when nothing is left)."""
        return 0 if rest <= 0 else max(-(-rest // self.units), self.moq)

    def counts_from(self, n: int) -> Iterator[int]:
        """``n`` and every price break above it, within the useful range."""
        if 0 < n <= self.top:
            yield n
            yield from (b for b in self.breaks if b > n)


def _scale(need: Decimal, offers: list[Offer]) -> int:
    exponents = [need.as_tuple().exponent, *(o.units.as_tuple().exponent for o in offers)]
    return int(10 ** max(0, -min(int(e) for e in exponents)))


def _sides(need: Decimal, offers: list[Offer], scale: int) -> list[_Side]:
    sides = []
    for o in offers:
        top = max_useful_packs(o, need, PackPolicy.ROUND_UP)
        moq = max(o.offer.moq_packs, 1)
        if top < moq:
            continue
        breaks = sorted({max(m, moq) for m, _ in o.tiers} | {top})
        sides.append(
            _Side(
                o,
                (o.supplier_id, o.sku, o.offer.pack_name),
                int(o.units * scale),
                moq,
                top,
                tuple(b for b in breaks if b <= top),
                tuple(m for m, _ in o.tiers),
                tuple(p for _, p in o.tiers),
            )
        )
    return sides


def _product_ways(
    need: int, sides: list[_Side], partners: int | None
) -> Iterator[tuple[tuple[_Side, int], ...]]:
    """Singles, then pairs: with ``partners`` None every pair of offers at every break of
    either; otherwise only offers that cannot cover alone, each topped up by one of the
    ``partners`` cheapest."""
    for a in sides:
        for n in a.counts_from(a.packs_for(need)):
            yield ((a, n),)
    by_price = sorted(sides, key=lambda s: s.offer.tiers[-1][1] / s.units)
    for a in by_price:
        if partners is not None and a.top * a.units >= need:
            continue
        for b in by_price if partners is None else by_price[:partners]:
            if b is a:
                continue
            firsts = {*a.breaks, a.packs_for(need - b.moq * b.units)}
            if partners is None:
                firsts |= {a.moq, *(a.packs_for(need - k * b.units) for k in b.breaks)}
            for na in firsts:
                if not a.moq <= na <= a.top or na * a.units >= need:
                    continue
                for nb in b.counts_from(b.packs_for(need - na * a.units)):
                    yield ((a, na), (b, nb))
    # a chain through the cheapest offers, for products no pair covers
    chain, left = [], need
    for s in sorted(sides, key=lambda s: s.offer.tiers[-1][1] / s.units):
        if left <= 0:
            break
        n = min(s.packs_for(left), s.top)
        if n >= s.moq:
            chain.append((s, n))
            left -= n * s.units
    if chain:
        yield tuple(chain)


def build_ways(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    *,
    partners: int | None = 5,
    movs: Mapping[int, int] | None = None,
    deadline: float | None = None,
) -> Ways | None:
    """Candidate buys per product; None when the deadline passes first. With ``movs``, a
    way is dropped when another through the same suppliers costs no more and puts no less
    towards any minimum order value (worth its CPU time when there are many pairs)."""
    ways = Ways()
    for p, sku in enumerate(sorted(offers)):
        if deadline is not None and p % 64 == 0 and time.perf_counter() >= deadline:
            return None
        scale = _scale(demand[sku], offers[sku])
        need = int(demand[sku] * scale)
        sides = _sides(demand[sku], offers[sku], scale)
        reachable = min(need, sum(s.top * s.units for s in sides))
        seen: set[tuple[tuple[int, int], ...]] = set()
        found = []
        for way in _product_ways(need, sides, partners):
            mark = tuple((id(side), n) for side, n in way)
            if mark not in seen:
                seen.add(mark)
                goods: dict[int, int] = {}
                for side, n in way:
                    goods[side.key[0]] = goods.get(side.key[0], 0) + side.cost(n)
                short = sum(n * side.units for side, n in way) < reachable
                found.append((sum(goods.values()), goods, short, way))
        if movs is not None:
            found = _undominated(found, movs)
        for cost, goods, short, way in found:
            i = len(ways.cost)
            for sid, value in goods.items():
                ways.goods_way.append(i)
                ways.goods_supplier.append(sid)
                ways.goods_idr.append(value)
            ways.product.append(p)
            ways.cost.append(cost)
            ways.short.append(short)
            ways.buys.append(tuple((side.key, n) for side, n in way))
    return ways


_Found = tuple[int, dict[int, int], bool, tuple[tuple[_Side, int], ...]]


def _undominated(found: list[_Found], movs: Mapping[int, int]) -> list[_Found]:
    kept: dict[tuple[tuple[int, ...], bool], list[_Found]] = {}
    for way in sorted(found, key=lambda w: w[0]):
        _, goods, short, _ = way
        group = kept.setdefault((tuple(sorted(goods)), short), [])
        towards = [s for s in goods if movs.get(s, 0)]
        if not any(all(k[1][s] >= goods[s] for s in towards) for k in group):
            group.append(way)
    return [w for group in kept.values() for w in group]
