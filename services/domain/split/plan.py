"""The split's entry point: :func:`plan_split`, which picks the better of the warm starts
and the MILP within the deadline and rebuilds every amount from integers."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from contracts.adapter import SupplierQuote
from services.domain.split.base import (
    Allocation,
    Key,
    PackPolicy,
    ProductOutcome,
    SplitFlag,
    SplitPlan,
    SupplierTotal,
)
from services.domain.split.clock import Clock
from services.domain.split.greedy import greedy_buys
from services.domain.split.milp import solve_milp
from services.domain.split.offers import Offer, collect_offers, find
from services.domain.split.warm_start import minimum_value_start
from services.domain.split.ways import build_ways
from services.domain.split.ways_milp import solve_ways
from services.domain.split.ways_start import WayArrays, choose_ways

_Plan = tuple[tuple[Decimal, int], str, Mapping[Key, int]]  # (objective, source, buys)

# shares of the time left once the ways are built: the full model's, when that is enough
# for it to reach a bound (it proves the plan's gap), and of the rest, the start's; the
# ways MIP has what is left
_START_SHARE = 0.5
# up to this many offers every pair of offers is a way (about 60 ways a product at 200 × 5,
# within 0.001 % of the optimum); above, pairs only to top up an offer short of stock, with
# one of the cheapest few
_EVERY_PAIR_UP_TO = 1500
_PARTNERS = 5
_FULL_SHARE = 0.25
# CPU seconds per offer to build a model and reach a first bound (the full model's presolve
# and root LP are the dearer part)
_WAYS_MODEL_S = 15e-6
_FULL_MODEL_S = 60e-6


def _objective(
    buys: Mapping[Key, int],
    offers: Mapping[str, list[Offer]],
    demand: Mapping[str, Decimal],
    fees: Mapping[int, int],
    movs: Mapping[int, int],
) -> tuple[Decimal, int] | None:
    """(uncovered units, money): plans compare on coverage first, then money; None for a
    plan that leaves a supplier below its minimum order value."""
    index = {(o.supplier_id, sku, o.offer.pack_name): o for sku, os in offers.items() for o in os}
    goods: dict[int, int] = defaultdict(int)
    covered: dict[str, Decimal] = defaultdict(Decimal)
    for key, n in buys.items():
        if n:
            o = index[key]
            goods[key[0]] += o.cost(n)
            covered[key[1]] += n * o.units
    if any(g < movs.get(sid, 0) for sid, g in goods.items()):
        return None
    money = sum(goods.values()) + sum(fees.get(sid, 0) for sid in goods)
    uncovered = sum((max(demand[s] - covered[s], Decimal(0)) for s in demand), Decimal(0))
    return uncovered, money


def _candidate(
    source: str,
    buys: Mapping[Key, int],
    offers: Mapping[str, list[Offer]],
    demand: Mapping[str, Decimal],
    fees: Mapping[int, int],
    movs: Mapping[int, int],
) -> list[_Plan]:
    objective = _objective(buys, offers, demand, fees, movs)
    return [] if objective is None else [(objective, source, buys)]


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
    """The plan of lowest landed cost found within ``time_limit`` seconds of wall time,
    everything from reading the quotes to the plan included."""
    clock = Clock(time_limit)
    started = clock.started
    demand = {sku: q for sku, q in demand.items() if q > 0}
    offers = collect_offers(quotes, demand, pins or {}, set(excluded))
    fees = {q.supplier_id: q.delivery_fee_idr for q in quotes}
    movs = {q.supplier_id: q.min_order_value_idr for q in quotes}
    greedy = greedy_buys(demand, offers, policy, fees, movs)
    if not use_solver or not offers:
        note = "no solver run" if offers else "nothing to buy"
        return _plan(demand, offers, greedy, fees, "greedy", "greedy", None, note, started, policy)

    clock.offers = sum(len(os) for os in offers.values())
    clock.sample()
    plans = _candidate("greedy", greedy, offers, demand, fees, movs)
    solved = None
    try:
        if policy == PackPolicy.ROUND_UP:
            used = {key[0] for key, n in greedy.items() if n}
            plans += _ways_plans(demand, offers, fees, movs, clock, used)
        elif any(movs.values()):
            start = minimum_value_start(demand, offers, policy, fees, movs)
            if start is not None:
                plans += _candidate("greedy", start, offers, demand, fees, movs)
        warm = min(plans, key=lambda p: p[0])[2] if plans else greedy
        args = (demand, offers, policy, fees, movs, warm, clock.end(), mip_gap)
        if policy == PackPolicy.ROUND_UP and clock.left() > clock.model_cost(_FULL_MODEL_S):
            solved = solve_milp(*args, exact_cover=True)
        if solved is None and clock.left() > clock.model_cost(_FULL_MODEL_S):
            solved = solve_milp(*args, exact_cover=False)  # round down, or locked stock
    except Exception:  # a solver failure falls back to the best plan so far
        solved = None
    if solved is not None and solved.buys is not None:
        plans += _candidate("highs", solved.buys, offers, demand, fees, movs)
    if not plans:  # cannot happen: the greedy drops a supplier below its minimum
        raise AssertionError("no plan keeps every supplier's minimum order value")
    # on a tie the solver's plan wins over the greedy
    (uncovered, money), solver, buys = min(plans, key=lambda p: (p[0], p[1] == "greedy"))
    gap, note, status = None, "", "fallback" if solver == "greedy" else "time_limit"
    if solved is None:
        note = "the solver stopped before it had a lower bound"
    elif solved.bound is None:
        note = "the time limit came before the solver had a lower bound"
    else:
        objective = money + float(uncovered) * solved.penalty
        gap = max(0.0, (objective - solved.bound) / objective) if objective > 0 else 0.0
        if solved.status == "optimal" and gap <= mip_gap:
            status = "optimal"
    return _plan(demand, offers, buys, fees, solver, status, gap, note, started, policy)


def _ways_plans(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    fees: Mapping[int, int],
    movs: Mapping[int, int],
    clock: Clock,
    greedy_suppliers: set[int],
) -> list[_Plan]:
    """The ways start and, when time allows, HiGHS's best choice of ways from it."""
    every_pair = clock.offers <= _EVERY_PAIR_UP_TO
    ways = build_ways(
        demand,
        offers,
        partners=None if every_pair else _PARTNERS,
        movs=movs if every_pair else None,
        deadline=clock.end(),
    )
    if ways is None or not ways.cost:
        return []
    arrays = WayArrays.of(ways, fees, movs)
    clock.sample()
    start_by = ways_by = end = clock.end()
    if end is not None:
        left = end - time.perf_counter()
        full = _FULL_SHARE if left * _FULL_SHARE > clock.model_cost(_FULL_MODEL_S) else 0.0
        ways_by = end - left * full
        start_by = ways_by - (ways_by - time.perf_counter()) * (1 - _START_SHARE)
    chosen = choose_ways(arrays, start_by, open_first=greedy_suppliers)
    found = [chosen]
    if ways_by is None or ways_by - time.perf_counter() > clock.model_cost(_WAYS_MODEL_S):
        better = solve_ways(arrays, chosen, ways_by)
        if better is not None:
            found.append(better)
    plans: list[_Plan] = []
    for choice in found:
        buys: dict[Key, int] = {}
        for i in choice:
            for key, n in ways.buys[int(i)]:
                buys[key] = buys.get(key, 0) + n
        plans += _candidate("highs", buys, offers, demand, fees, movs)
    return plans


def _plan(
    demand: Mapping[str, Decimal],
    offers: Mapping[str, list[Offer]],
    buys: Mapping[Key, int],
    fees: Mapping[int, int],
    solver: str,
    status: str,
    gap: float | None,
    note: str,
    started: float,
    policy: PackPolicy,
) -> SplitPlan:
    allocations = []
    covered: dict[str, Decimal] = defaultdict(Decimal)
    goods: dict[int, int] = defaultdict(int)
    for (sid, sku, pack), n in sorted(buys.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        if n <= 0:
            continue
        o = find(offers, sid, sku, pack)
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
        gap_note=note,
        solve_ms=round((time.perf_counter() - started) * 1000),
    )


def _outcome(
    sku: str, demand: Decimal, covered: Decimal, offers: list[Offer], policy: PackPolicy
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
