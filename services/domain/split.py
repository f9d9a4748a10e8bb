"""The supplier split: how many packs of each product to buy from whom, at the lowest total
landed cost.

A mixed-integer programme solved with HiGHS:

- one integer variable per (offer, tier) with a binary "this tier is the one reached", so a
  tier's price applies to every pack (all-units discounts); each tier's variable is bounded
  by its own range ``[max(tier min, MOQ), min(next tier min − 1, stock)]`` — the tight form
  that lets the solver prune;
- a binary per supplier, paying its delivery fee once and enforcing its minimum order value;
- coverage per product: round up (cover the demand, hold the surplus) or round down (never
  exceed it, back-order the rest), with an uncovered-quantity slack at a penalty so the model
  is always feasible and tells *why* demand went uncovered.

Round up buys surplus only to reach a cheaper tier or the MOQ, never to pad an order up to a
minimum order value.

The warm start is the better of a careful greedy and a Lagrangian heuristic that reaches
minimum order values (the greedy's weak spot: it can only give up on such a supplier). The
greedy is also the fallback when HiGHS fails or has found nothing by the time limit, which
holds for the whole split, model building included. Money is integer rupiah: pack counts
come back as floats from the solver, are rounded, and every amount is recomputed from
integers.
"""

from __future__ import annotations

import enum
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

import msgspec

from contracts.adapter import PackOffer, SupplierQuote

if TYPE_CHECKING:  # imported at run time where the MIP is solved
    import highspy


class PackPolicy(enum.StrEnum):
    ROUND_UP = "round_up"
    ROUND_DOWN = "round_down"


class SplitFlag(enum.StrEnum):
    UNSOURCED = "UNSOURCED"  # nobody offers it
    SHORT = "SHORT"  # offered, but demand cannot be covered


class Allocation(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    supplier_id: int
    pack_name: str
    units_per_pack: Decimal
    packs: int
    price_per_pack_idr: int  # the price of the tier reached
    goods_idr: int
    supplier_sku: str | None = None


class SupplierTotal(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    goods_idr: int
    delivery_fee_idr: int


class ProductOutcome(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    demand: Decimal
    covered: Decimal
    surplus: Decimal
    backorder: Decimal
    flag: SplitFlag | None = None
    reason: str = ""


class SplitPlan(msgspec.Struct, frozen=True, kw_only=True):
    allocations: tuple[Allocation, ...]
    suppliers: tuple[SupplierTotal, ...]
    products: tuple[ProductOutcome, ...]
    goods_idr: int
    fees_idr: int
    total_idr: int
    solver: str  # "highs" | "greedy"
    status: str  # optimal | time_limit | fallback | greedy
    mip_gap: float | None
    solve_ms: int

    def flagged(self) -> list[ProductOutcome]:
        return [p for p in self.products if p.flag is not None]


@dataclass(frozen=True)
class _Offer:
    supplier_id: int
    offer: PackOffer
    tiers: tuple[tuple[int, int], ...]  # (min packs, price per pack), ascending

    @property
    def sku(self) -> str:
        return self.offer.sku

    @property
    def units(self) -> Decimal:
        return self.offer.units_per_pack

    def price_for(self, packs: int) -> int:
        price = self.tiers[0][1]
        for min_packs, tier_price in self.tiers:
            if packs >= min_packs:
                price = tier_price
        return price

    def cost(self, packs: int) -> int:
        return packs * self.price_for(packs) if packs else 0

    @property
    def stock(self) -> int | None:
        return self.offer.available_packs


def _offers(
    quotes: Sequence[SupplierQuote],
    demand: Mapping[str, Decimal],
    pins: Mapping[str, int],
    excluded: set[tuple[str, int]],
) -> dict[str, list[_Offer]]:
    out: dict[str, list[_Offer]] = defaultdict(list)
    for quote in quotes:
        for offer in quote.offers:
            if offer.sku not in demand or not offer.tiers or offer.units_per_pack <= 0:
                continue
            if (offer.sku, quote.supplier_id) in excluded:
                continue
            if offer.sku in pins and pins[offer.sku] != quote.supplier_id:
                continue
            if offer.available_packs is not None and offer.available_packs < offer.moq_packs:
                continue
            tiers = tuple(sorted((t.min_packs, t.price_per_pack_idr) for t in offer.tiers))
            out[offer.sku].append(_Offer(quote.supplier_id, offer, tiers))
    return out


def _ceil_packs(quantity: Decimal, units: Decimal) -> int:
    return int((quantity / units).to_integral_value(rounding=ROUND_CEILING)) if quantity > 0 else 0


def _floor_packs(quantity: Decimal, units: Decimal) -> int:
    return int((quantity / units).to_integral_value(rounding=ROUND_FLOOR)) if quantity > 0 else 0


def _max_useful_packs(o: _Offer, need: Decimal, policy: PackPolicy) -> int:
    """Round up buys beyond the demand only to reach a cheaper tier or the MOQ, never to pad
    an order up to a supplier's minimum value with goods no warung asked for. (That rule
    is also what keeps the model small: a bound of minimum value ÷ pack price would allow
    thousands of packs and ruin the relaxation.)"""
    if policy == PackPolicy.ROUND_DOWN:
        cap = _floor_packs(need, o.units)
    else:
        cap = max(_ceil_packs(need, o.units), o.tiers[-1][0], o.offer.moq_packs)
    return min(cap, o.stock) if o.stock is not None else cap


# ---------------------------------------------------------------- greedy


def _best_buy(o: _Offer, need: Decimal, policy: PackPolicy, stock_left: int | None) -> int:
    """The cheapest-per-unit pack count for ``need`` from this offer (0 when it cannot)."""
    if policy == PackPolicy.ROUND_DOWN:
        base = _floor_packs(need, o.units)
    else:
        base = _ceil_packs(need, o.units)
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


def _greedy(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[_Offer]],
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
                    n = _best_buy(o, need, policy, left)
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
            o = _find(offers, sid, sku, pack)
            goods[sid] += o.cost(n)
        short = [sid for sid in goods if goods[sid] < minimum_values.get(sid, 0)]
        if not short:
            return _merge_tiers(buys, offers)
        banned.add(min(short, key=lambda sid: goods[sid]))


def _find(offers: Mapping[str, list[_Offer]], sid: int, sku: str, pack: str) -> _Offer:
    return next(o for o in offers[sku] if o.supplier_id == sid and o.offer.pack_name == pack)


def _merge_tiers(
    buys: Mapping[tuple[int, str, str], int], offers: Mapping[str, list[_Offer]]
) -> dict[tuple[int, str, str], int]:
    """Several greedy steps on one offer are one order: respect its stock."""
    out = {}
    for key, n in buys.items():
        o = _find(offers, *key)
        out[key] = min(n, o.stock) if o.stock is not None else n
    return out


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
    offers: Mapping[str, list[_Offer]],
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
                    n = _best_buy(o, left, policy, o.stock)
                    if n > 0:
                        buys[(o.supplier_id, sku, o.offer.pack_name)] = n
                        left -= n * o.units
                key = tuple(sorted(buys.items()))
                if not buys or key in seen or (second is not None and len(buys) < 2):
                    continue
                seen.add(key)
                goods = [0] * len(suppliers)
                for (sid, _, pack), n in buys.items():
                    goods[column[sid]] += _find(offers, sid, sku, pack).cost(n)
                c.product.append(p)
                c.uncovered.append(float(max(left, Decimal(0))))
                c.goods.append(goods)
                c.buys.append(buys)
    return c


def _minimum_value_start(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[_Offer]],
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


# ---------------------------------------------------------------- MILP


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


def _solve_milp(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[_Offer]],
    policy: PackPolicy,
    fees: Mapping[int, int],
    minimum_values: Mapping[int, int],
    warm: Mapping[tuple[int, str, str], int],
    deadline: float | None,
    gap: float,
    *,
    exact_cover: bool,
) -> tuple[dict[tuple[int, str, str], int], str, float | None] | None:
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
    x_of: dict[tuple[int, str, str], list[tuple[int, int, int, int, int]]] = defaultdict(list)
    goods_terms: dict[int, dict[int, float]] = defaultdict(dict)
    for sku, sku_offers in offers.items():
        need = demand[sku]
        cover: dict[int, float] = {}
        for o in sku_offers:
            top = _max_useful_packs(o, need, policy)
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

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", gap)
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
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
    if deadline is not None:
        _enforce_deadline(h, deadline)
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
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible or info.primal_solution_status != 2:
        return None  # no feasible point (found)
    values = h.getSolution().col_value
    buys: dict[tuple[int, str, str], int] = {}
    for key, cols in x_of.items():
        packs = sum(round(values[x]) for x, _, _, _, _ in cols)
        if packs:
            buys[key] = packs
    label = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    mip_gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
    return buys, label, mip_gap


def _enforce_deadline(h: highspy.Highs, deadline: float) -> None:
    """HiGHS checks its own time limit only between phases (a root cut round can overrun it
    by seconds); an interrupt callback on simplex and MIP progress holds the deadline."""

    def interrupt(event: highspy.HighsCallbackEvent) -> None:
        if time.perf_counter() >= deadline:
            event.interrupt()

    h.cbSimplexInterrupt.subscribe(interrupt)
    h.cbMipInterrupt.subscribe(interrupt)


# ---------------------------------------------------------------- plan


def _objective(
    buys: Mapping[tuple[int, str, str], int],
    offers: Mapping[str, list[_Offer]],
    demand: Mapping[str, Decimal],
    fees: Mapping[int, int],
) -> tuple[int, Decimal]:
    """(money, uncovered units): plans compare on coverage first, then money."""
    money = sum(_find(offers, *k).cost(n) for k, n in buys.items())
    money += sum(fees.get(sid, 0) for sid in {k[0] for k, n in buys.items() if n})
    covered: dict[str, Decimal] = defaultdict(Decimal)
    for (sid, sku, pack), n in buys.items():
        covered[sku] += n * _find(offers, sid, sku, pack).units
    uncovered = sum((max(demand[s] - covered[s], Decimal(0)) for s in demand), Decimal(0))
    return money, uncovered


def plan_split(
    demand: Mapping[str, Decimal],
    quotes: Sequence[SupplierQuote],
    *,
    policy: PackPolicy = PackPolicy.ROUND_UP,
    pins: Mapping[str, int] | None = None,
    excluded: Iterable[tuple[str, int]] = (),
    time_limit: float | None = 1.0,
    mip_gap: float = 1e-4,
    use_solver: bool = True,
) -> SplitPlan:
    started = time.perf_counter()
    demand = {sku: q for sku, q in demand.items() if q > 0}
    offers = _offers(quotes, demand, pins or {}, set(excluded))
    fees = {q.supplier_id: q.delivery_fee_idr for q in quotes}
    movs = {q.supplier_id: q.min_order_value_idr for q in quotes}
    greedy = _greedy(demand, offers, policy, fees, movs)
    buys, solver, status, gap = greedy, "greedy", "greedy", None
    if use_solver and offers:
        warm = greedy
        if any(movs.values()):
            start = _minimum_value_start(demand, offers, policy, fees, movs)
            if (
                start is not None
                and _objective(start, offers, demand, fees)[::-1]
                < (_objective(greedy, offers, demand, fees)[::-1])
            ):
                warm = start
        # the whole split, model building and read-back included, keeps to the time limit
        deadline = None if time_limit is None else started + time_limit * 0.95
        args = (demand, offers, policy, fees, movs, warm, deadline, mip_gap)
        try:
            solved = None
            if policy == PackPolicy.ROUND_UP:
                solved = _solve_milp(*args, exact_cover=True)
            if solved is None:  # round down, or stock that minimum order values lock away
                solved = _solve_milp(*args, exact_cover=False)
        except Exception:  # a solver failure falls back to the greedy plan
            solved = None
        if solved is None:
            status = "fallback"
        else:
            milp, status, gap = solved
            m_cost, m_short = _objective(milp, offers, demand, fees)
            g_cost, g_short = _objective(greedy, offers, demand, fees)
            if (m_short, m_cost) <= (g_short, g_cost):
                buys, solver = milp, "highs"
            else:  # the solver stopped on something worse than its warm start
                status = "fallback"
    return _plan(demand, offers, buys, fees, solver, status, gap, started, policy)


def _plan(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[_Offer]],
    buys: Mapping[tuple[int, str, str], int],
    fees: Mapping[int, int],
    solver: str,
    status: str,
    gap: float | None,
    started: float,
    policy: PackPolicy,
) -> SplitPlan:
    allocations = []
    covered: dict[str, Decimal] = defaultdict(Decimal)
    goods: dict[int, int] = defaultdict(int)
    for (sid, sku, pack), n in sorted(buys.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        if n <= 0:
            continue
        o = _find(offers, sid, sku, pack)
        price = o.price_for(n)
        allocations.append(
            Allocation(
                sku=sku,
                supplier_id=sid,
                pack_name=pack,
                units_per_pack=o.units,
                packs=n,
                price_per_pack_idr=price,
                goods_idr=n * price,
                supplier_sku=o.offer.supplier_sku,
            )
        )
        covered[sku] += n * o.units
        goods[sid] += n * price
    suppliers = tuple(
        SupplierTotal(supplier_id=sid, goods_idr=g, delivery_fee_idr=fees.get(sid, 0))
        for sid, g in sorted(goods.items())
    )
    products = tuple(
        _outcome(sku, demand[sku], covered[sku], offers.get(sku, []), policy)
        for sku in sorted(demand)
    )
    goods_total = sum(goods.values())
    fee_total = sum(s.delivery_fee_idr for s in suppliers)
    return SplitPlan(
        allocations=tuple(allocations),
        suppliers=suppliers,
        products=products,
        goods_idr=goods_total,
        fees_idr=fee_total,
        total_idr=goods_total + fee_total,
        solver=solver,
        status=status,
        mip_gap=gap,
        solve_ms=round((time.perf_counter() - started) * 1000),
    )


def _outcome(
    sku: str, demand: Decimal, covered: Decimal, offers: list[_Offer], policy: PackPolicy
) -> ProductOutcome:
    surplus = max(covered - demand, Decimal(0))
    backorder = max(demand - covered, Decimal(0))
    flag, reason = None, ""
    if not offers:
        flag, reason = SplitFlag.UNSOURCED, "no supplier quoted this product"
    elif backorder > 0:
        flag = SplitFlag.SHORT
        stock = [o.stock * o.units for o in offers if o.stock is not None]
        if len(stock) == len(offers) and sum(stock) < demand:
            reason = f"stock: {sum(stock)} available across suppliers, {demand} wanted"
        elif policy == PackPolicy.ROUND_DOWN:
            smallest = min(max(o.offer.moq_packs, 1) * o.units for o in offers)
            reason = (
                f"round down: the smallest order ({smallest}) does not fit the remaining "
                f"{backorder}; back-ordered"
            )
        else:
            reason = "minimum order value or quantity could not be met"
    return ProductOutcome(
        sku=sku,
        demand=demand,
        covered=covered,
        surplus=surplus,
        backorder=backorder,
        flag=flag,
        reason=reason,
    )
