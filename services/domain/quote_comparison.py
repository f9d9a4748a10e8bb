"""The quote comparison of a bulk buy: per line, what every supplier offered side by side, and
what buying each line from its single cheapest supplier would have cost instead of the split.

For each line and each offer that could serve it alone, the cheapest pack count is taken
among: the packs the demand needs (rounded up, or down under the round-down policy), the
minimum order, and every tier threshold above that — the same choices a person with the
quotes in a spreadsheet has. An offer that cannot serve the line alone (not enough stock,
or under round-down its minimum order exceeds the demand) is shown but not compared.

The baseline ("each line from its single cheapest supplier") adds, per line, the cheapest
such option, plus the delivery fee of every supplier it buys from once. A line that no
supplier can serve alone keeps the split's own allocation (cost and supplier) in the
baseline, so it neither adds nor removes saving; such lines are counted. Suppliers' minimum
order values are ignored by the baseline (a person buying line by line would not reach them
either), so the saving is what the split's whole-basket view earns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from contracts.adapter import PackOffer, SupplierQuote

ROUND_DOWN = "round_down"


@dataclass(frozen=True, slots=True)
class ChosenPart:
    """One allocation of the split: this supplier's pack bought for the line."""

    supplier_id: int
    pack_name: str
    packs: int
    goods_idr: int


@dataclass(frozen=True, slots=True)
class LineNeed:
    sku: str
    demand: Decimal
    chosen: Sequence[ChosenPart]


@dataclass(frozen=True, slots=True)
class Option:
    """One supplier's offer for one line, priced at its cheapest pack count for the demand."""

    supplier_id: int
    pack_name: str
    units_per_pack: Decimal
    moq_packs: int
    available_packs: int | None
    tiers: tuple[tuple[int, int], ...]  # (min packs, price per pack), ascending
    packs: int | None  # None: this offer cannot serve the line alone
    price_per_pack_idr: int | None  # the tier reached at ``packs``
    goods_idr: int | None
    unit_cost_idr: int | None  # goods ÷ units bought, rounded up
    cheapest: bool  # the cheapest option able to serve the line alone
    chosen_packs: int  # packs of this offer the split bought (0: not chosen)


@dataclass(frozen=True, slots=True)
class LineComparison:
    sku: str
    demand: Decimal
    options: tuple[Option, ...]  # cheapest first; offers unable to serve alone last


@dataclass(frozen=True, slots=True)
class Baseline:
    """What buying each line from its single cheapest supplier costs."""

    goods_idr: int
    fees_idr: int
    lines_compared: int
    lines_not_comparable: int

    @property
    def total_idr(self) -> int:
        return self.goods_idr + self.fees_idr


def _price_for(tiers: Sequence[tuple[int, int]], packs: int) -> int:
    price = tiers[0][1]
    for min_packs, tier_price in tiers:
        if packs >= min_packs:
            price = tier_price
    return price


def _packs_needed(demand: Decimal, units: Decimal, policy: str) -> int:
    rounding = ROUND_FLOOR if policy == ROUND_DOWN else ROUND_CEILING
    return int((demand / units).to_integral_value(rounding=rounding)) if demand > 0 else 0


def _tiers(offer: PackOffer) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((t.min_packs, t.price_per_pack_idr) for t in offer.tiers))


def cheapest_pack_count(
    offer: PackOffer,
    demand: Decimal,
    policy: str = "round_up",
    tiers: Sequence[tuple[int, int]] | None = None,
) -> tuple[int, int] | None:
    """(packs, goods) of the cheapest way to serve ``demand`` from this offer alone, or None.
    ``tiers``: the offer's tiers sorted (as :func:`offers_by_sku` keeps them), if at hand."""
    if not offer.tiers or offer.units_per_pack <= 0 or demand <= 0:
        return None
    tiers = tiers if tiers is not None else _tiers(offer)
    base = _packs_needed(demand, offer.units_per_pack, policy)
    moq, stock = offer.moq_packs, offer.available_packs
    if policy == ROUND_DOWN:
        candidates = [base] if base >= moq else []
    else:
        candidates = [max(base, moq)] + [m for m, _ in tiers if m > base]
    best: tuple[int, int] | None = None
    for n in candidates:
        if n <= 0 or n < moq or (stock is not None and n > stock):
            continue
        cost = n * _price_for(tiers, n)
        if best is None or cost < best[1] or (cost == best[1] and n < best[0]):
            best = (n, cost)
    return best


Offers = dict[str, list[tuple[int, PackOffer, tuple[tuple[int, int], ...]]]]


def offers_by_sku(quotes: Iterable[SupplierQuote]) -> Offers:
    """Every offer with tiers, by sku: (supplier, offer, its tiers sorted)."""
    out: Offers = {}
    for quote in quotes:
        for offer in quote.offers:
            if offer.tiers:
                out.setdefault(offer.sku, []).append((quote.supplier_id, offer, _tiers(offer)))
    return out


def compare_line(
    need: LineNeed,
    offers: Iterable[tuple[int, PackOffer, tuple[tuple[int, int], ...]]],
    policy: str = "round_up",
) -> LineComparison:
    """``offers``: this line's offers, as :func:`offers_by_sku` gives them."""
    chosen = {(c.supplier_id, c.pack_name): c.packs for c in need.chosen}
    options: list[Option] = []
    for supplier_id, offer, tiers in offers:
        if offer.sku != need.sku:
            continue
        best = cheapest_pack_count(offer, need.demand, policy, tiers)
        packs, goods = best if best is not None else (None, None)
        options.append(
            Option(
                supplier_id=supplier_id,
                pack_name=offer.pack_name,
                units_per_pack=offer.units_per_pack,
                moq_packs=offer.moq_packs,
                available_packs=offer.available_packs,
                tiers=tiers,
                packs=packs,
                price_per_pack_idr=goods // packs if packs and goods is not None else None,
                goods_idr=goods,
                unit_cost_idr=_per_unit(goods, (packs or 0) * offer.units_per_pack),
                cheapest=False,
                chosen_packs=chosen.get((supplier_id, offer.pack_name), 0),
            )
        )
    options.sort(key=lambda o: (o.goods_idr is None, o.goods_idr or 0, o.supplier_id, o.pack_name))
    if options and options[0].goods_idr is not None:
        options[0] = replace(options[0], cheapest=True)
    return LineComparison(sku=need.sku, demand=need.demand, options=tuple(options))


def _per_unit(goods: int | None, units: Decimal) -> int | None:
    if goods is None or units <= 0:
        return None
    return int((Decimal(goods) / units).to_integral_value(rounding=ROUND_CEILING))


def single_cheapest_baseline(
    comparisons: Iterable[LineComparison],
    chosen: Mapping[str, Sequence[ChosenPart]],
    fees: Mapping[int, int],
) -> Baseline:
    """Each line from its single cheapest supplier, plus the delivery fees of those suppliers."""
    goods, compared, not_comparable = 0, 0, 0
    suppliers: set[int] = set()
    for line in comparisons:
        best = line.options[0] if line.options and line.options[0].cheapest else None
        if best is not None and best.goods_idr is not None:
            goods += best.goods_idr
            suppliers.add(best.supplier_id)
            compared += 1
        else:
            parts = chosen.get(line.sku, ())
            if not parts:
                continue  # nobody offers it: neither the split nor the baseline buys it
            goods += sum(p.goods_idr for p in parts)
            suppliers.update(p.supplier_id for p in parts)
            not_comparable += 1
    return Baseline(
        goods_idr=goods,
        fees_idr=sum(fees.get(s, 0) for s in suppliers),
        lines_compared=compared,
        lines_not_comparable=not_comparable,
    )


def optimiser_saving(baseline: Baseline, split_total_idr: int) -> int:
    """What the split saved against the baseline (negative if it cost more)."""
    return baseline.total_idr - split_total_idr
