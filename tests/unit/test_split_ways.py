"""The split's ways, their start and their MIP, and the plan's reported gap: the rules hold
on generated instances, and a reported gap is a true bound."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.domain.split import plan_split
from services.domain.split.base import PackPolicy
from services.domain.split.clock import Clock
from services.domain.split.greedy import greedy_buys
from services.domain.split.offers import collect_offers, max_useful_packs
from services.domain.split.ways import build_ways
from services.domain.split.ways_milp import solve_ways
from services.domain.split.ways_start import WayArrays, choose_ways
from tests.unit.test_split import brute_force, build, instance, offer, quote


def generated(seed: int, products: int, suppliers: int):
    """Tiers, MOQs, some limited stock, fees and minimum order values; supplier 1 stocks
    everything with no minimum, so demand can always be covered."""
    rnd = random.Random(seed)
    skus = [f"P{i}" for i in range(products)]
    units = {s: rnd.choice([1, 6, 12, 25]) for s in skus}
    base = {s: rnd.randint(2_000, 40_000) * units[s] for s in skus}
    demand = {
        s: Decimal(rnd.randint(1, 12) * units[s] + rnd.randint(0, units[s] - 1)) for s in skus
    }
    volume = sum(base[s] * int(demand[s]) // units[s] for s in skus)
    quotes = []
    for sid in range(1, suppliers + 1):
        offers = []
        for s in skus:
            if sid > 1 and rnd.random() < 0.35:
                continue
            price = int(base[s] * (1.2 if sid == 1 else rnd.uniform(0.9, 1.15)))
            tiers = [(1, price), (rnd.randint(2, 8), int(price * rnd.uniform(0.88, 0.97)))]
            stock = rnd.randint(2, 12) if sid > 1 and rnd.random() < 0.4 else None
            offers.append(offer(s, units[s], tiers, moq=rnd.choice([1, 1, 2, 5]), stock=stock))
        fee = int(volume * rnd.choice([0.0, 0.01, 0.04]))
        mov = 0 if sid == 1 else int(volume * rnd.choice([0.0, 0.05, 0.3]))
        quotes.append(quote(sid, *offers, fee=fee, mov=mov))
    return demand, quotes


def setup(seed: int, products: int, suppliers: int):
    demand, quotes = generated(seed, products, suppliers)
    offers = collect_offers(quotes, demand, {}, set())
    fees = {q.supplier_id: q.delivery_fee_idr for q in quotes}
    movs = {q.supplier_id: q.min_order_value_idr for q in quotes}
    return demand, quotes, offers, fees, movs


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([None, 5]))
def test_every_way_covers_the_demand_without_padding(seed, partners):
    demand, _, offers, _, movs = setup(seed, 12, 4)
    ways = build_ways(demand, offers, partners=partners, movs=movs if partners is None else None)
    assert ways is not None
    by_key = {(o.supplier_id, o.sku, o.offer.pack_name): o for os in offers.values() for o in os}
    for i, buys in enumerate(ways.buys):
        covered = Decimal(0)
        for key, n in buys:
            o = by_key[key]
            assert (
                o.offer.moq_packs <= n <= max_useful_packs(o, demand[key[1]], PackPolicy.ROUND_UP)
            )
            covered += n * o.units
        assert ways.cost[i] == sum(by_key[k].cost(n) for k, n in buys)
        assert ways.short[i] or covered >= demand[buys[0][0][1]]
    # every product has a way that covers it (supplier 1 has everything in stock)
    assert {p for p, short in zip(ways.product, ways.short, strict=True) if not short} == set(
        range(len(offers))
    )


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_the_start_keeps_minimums_and_the_ways_mip_only_improves_it(seed):
    demand, _, offers, fees, movs = setup(seed, 15, 4)
    ways = build_ways(demand, offers, partners=None, movs=movs)
    assert ways is not None
    arrays = WayArrays.of(ways, fees, movs)
    greedy = greedy_buys(demand, offers, PackPolicy.ROUND_UP, fees, movs)
    start = choose_ways(arrays, None, open_first={k[0] for k, n in greedy.items() if n})
    short, money = arrays.total(start)
    assert short == 0 and money < float("inf")  # covered, every minimum kept
    better = solve_ways(arrays, start, None)
    assert arrays.total(better) <= arrays.total(start)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.05, 0.2, None]))
def test_a_plan_under_any_limit_keeps_the_rules_and_beats_the_greedy(seed, limit):
    demand, quotes, *_ = setup(seed, 30, 5)
    plan = plan_split(demand, quotes, time_limit=limit)
    greedy = plan_split(demand, quotes, use_solver=False)
    movs = {q.supplier_id: q.min_order_value_idr for q in quotes}
    assert all(p.backorder == 0 for p in plan.products)
    assert all(s.goods_idr >= movs[s.supplier_id] for s in plan.suppliers)
    assert plan.total_idr <= greedy.total_idr
    assert (plan.mip_gap is None) == bool(plan.gap_note)
    if limit is None:
        assert plan.status == "optimal" and plan.mip_gap is not None and plan.mip_gap <= 1e-4


@settings(max_examples=40, deadline=None)
@given(instance, st.sampled_from([None, 0.02]))
def test_a_reported_gap_is_a_true_bound(spec, limit):
    demand, quotes = build(spec)
    optimum = brute_force(demand, quotes)
    plan = plan_split(demand, quotes, time_limit=limit, mip_gap=1e-9)
    if optimum is None or plan.mip_gap is None:
        return
    assert plan.total_idr * (1 - plan.mip_gap) <= optimum + 1e-6 * optimum
    if limit is None:
        assert plan.total_idr == optimum


def test_the_greedy_alone_says_why_there_is_no_gap():
    demand, quotes, *_ = setup(1, 5, 3)
    plan = plan_split(demand, quotes, use_solver=False)
    assert plan.mip_gap is None and plan.gap_note == "no solver run"


def test_the_deadline_keeps_more_back_on_a_slower_machine():
    clock = Clock(1.0, offers=5_000)
    quiet = clock.end()
    clock.slowdown = 3.0
    busy = clock.end()
    assert quiet is not None and busy is not None and busy < quiet < clock.started + 1.0
    assert Clock(None).end() is None
