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
    PackPolicy,
    ProductOutcome,
    SplitFlag,
    SplitPlan,
    SupplierTotal,
)
from services.domain.split.greedy import greedy_buys
from services.domain.split.milp import solve_milp
from services.domain.split.offers import Offer, collect_offers, find
from services.domain.split.warm_start import minimum_value_start


def _objective(
    buys: Mapping[tuple[int, str, str], int],
    offers: Mapping[str, list[Offer]],
    demand: Mapping[str, Decimal],
    fees: Mapping[int, int],
) -> tuple[int, Decimal]:
    """(money, uncovered units): plans compare on coverage first, then money."""
    money = sum(find(offers, *k).cost(n) for k, n in buys.items())
    money += sum(fees.get(sid, 0) for sid in {k[0] for k, n in buys.items() if n})
    covered: dict[str, Decimal] = defaultdict(Decimal)
    for (sid, sku, pack), n in buys.items():
        covered[sku] += n * find(offers, sid, sku, pack).units
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
    offers = collect_offers(quotes, demand, pins or {}, set(excluded))
    fees = {q.supplier_id: q.delivery_fee_idr for q in quotes}
    movs = {q.supplier_id: q.min_order_value_idr for q in quotes}
    greedy = greedy_buys(demand, offers, policy, fees, movs)
    buys, solver, status, gap = greedy, "greedy", "greedy", None
    if use_solver and offers:
        warm = greedy
        if any(movs.values()):
            start = minimum_value_start(demand, offers, policy, fees, movs)
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
                solved = solve_milp(*args, exact_cover=True)
            if solved is None:  # round down, or stock that minimum order values lock away
                solved = solve_milp(*args, exact_cover=False)
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
    offers: Mapping[str, list[Offer]],
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
