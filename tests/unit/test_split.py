"""The supplier split: each constraint on its own, and the MILP against brute force."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.adapter import PackOffer, SupplierQuote, TierPrice
from services.domain.split import PackPolicy, SplitFlag, plan_split

UNTIL = datetime(2026, 11, 25, tzinfo=UTC)


def offer(sku, units, tiers, moq=1, stock=None, pack="pack"):
    return PackOffer(
        sku=sku,
        pack_name=pack,
        units_per_pack=Decimal(units),
        tiers=tuple(TierPrice(min_packs=m, price_per_pack_idr=p) for m, p in tiers),
        moq_packs=moq,
        available_packs=stock,
    )


def quote(sid, *offers, fee=0, mov=0):
    return SupplierQuote(
        supplier_id=sid,
        quote_ref=f"Q{sid}",
        valid_until=UNTIL,
        offers=offers,
        delivery_fee_idr=fee,
        min_order_value_idr=mov,
    )


def packs(plan):
    return {(a.supplier_id, a.sku): a.packs for a in plan.allocations}


def test_reaching_a_tier_prices_every_pack():
    # terigu: 1–9 sacks at 215,000, from 10 sacks 190,000 each; 9 sacks wanted
    q = quote(1, offer("TERIGU", 25, [(1, 215_000), (10, 190_000)]))
    plan = plan_split({"TERIGU": Decimal(225)}, [q])
    assert packs(plan) == {(1, "TERIGU"): 10}  # 10 × 190,000 < 9 × 215,000
    assert plan.total_idr == 1_900_000 and plan.solver == "highs"
    assert plan.products[0].surplus == 25


def test_moq_and_stock_spill_to_the_next_supplier():
    a = quote(1, offer("MIE-GRG", 40, [(1, 110_000)], stock=3))
    b = quote(2, offer("MIE-GRG", 40, [(1, 120_000)], moq=2))
    plan = plan_split({"MIE-GRG": Decimal(200)}, [a, b])  # 5 cartons
    assert packs(plan) == {(1, "MIE-GRG"): 3, (2, "MIE-GRG"): 2}


def test_a_delivery_fee_makes_one_supplier_cheaper_overall():
    a = quote(1, offer("GULA", 50, [(1, 820_000)]), offer("TELUR", 15, [(1, 380_000)]), fee=75_000)
    b = quote(2, offer("TELUR", 15, [(1, 375_000)]), fee=50_000)
    plan = plan_split({"GULA": Decimal(50), "TELUR": Decimal(15)}, [a, b])
    assert packs(plan) == {(1, "GULA"): 1, (1, "TELUR"): 1}  # 5,000 saved < 50,000 fee
    assert plan.fees_idr == 75_000


def test_minimum_order_value_is_respected():
    a = quote(1, offer("KECAP", 12, [(1, 230_000)]), mov=1_000_000)
    b = quote(2, offer("KECAP", 12, [(1, 240_000)]))
    plan = plan_split({"KECAP": Decimal(24)}, [a, b])
    assert packs(plan) == {(2, "KECAP"): 2}  # 460,000 would be below supplier 1's minimum


def test_no_padding_up_to_a_minimum_order_value():
    # only supplier 1 has kecap, and 2 cartons are far below its 1,000,000 minimum: buying
    # 3 more cartons nobody asked for is not the split's call
    a = quote(1, offer("KECAP", 12, [(1, 230_000)]), mov=1_000_000)
    plan = plan_split({"KECAP": Decimal(24)}, [a])
    [outcome] = plan.products
    assert outcome.flag == SplitFlag.SHORT and outcome.backorder == 24
    assert "minimum order value" in outcome.reason and plan.allocations == ()


def test_a_supplier_minimum_is_reached_by_moving_products_to_it():
    # supplier 1 is cheaper for beras, a little dearer for gula; alone, beras is below its
    # 3,000,000 minimum. The greedy gives supplier 1 up (all from the dear supplier 2); the
    # split moves just enough gula to supplier 1 to reach its minimum.
    a = quote(
        1, offer("BERAS", 25, [(1, 300_000)]), offer("GULA", 50, [(1, 860_000)]), mov=3_000_000
    )
    b = quote(2, offer("BERAS", 25, [(1, 340_000)]), offer("GULA", 50, [(1, 850_000)]))
    demand = {"BERAS": Decimal(200), "GULA": Decimal(100)}
    greedy = plan_split(demand, [a, b], use_solver=False)
    plan = plan_split(demand, [a, b])
    assert packs(greedy) == {(2, "BERAS"): 8, (2, "GULA"): 2}
    assert packs(plan) == {(1, "BERAS"): 8, (1, "GULA"): 1, (2, "GULA"): 1}
    assert plan.total_idr == 8 * 300_000 + 860_000 + 850_000 < greedy.total_idr


def test_pins_and_exclusions():
    a = quote(1, offer("GULA", 50, [(1, 800_000)]))
    b = quote(2, offer("GULA", 50, [(1, 850_000)]))
    assert packs(plan_split({"GULA": Decimal(50)}, [a, b], pins={"GULA": 2})) == {(2, "GULA"): 1}
    assert packs(plan_split({"GULA": Decimal(50)}, [a, b], excluded=[("GULA", 1)])) == {
        (2, "GULA"): 1
    }


def test_round_down_never_exceeds_demand_and_backorders_the_rest():
    q = quote(1, offer("BRS-MED", 25, [(1, 275_000)], moq=1))
    plan = plan_split({"BRS-MED": Decimal(60)}, [q], policy=PackPolicy.ROUND_DOWN)
    assert packs(plan) == {(1, "BRS-MED"): 2}
    outcome = plan.products[0]
    assert (outcome.covered, outcome.backorder, outcome.flag) == (50, 10, SplitFlag.SHORT)
    assert "round down" in outcome.reason


def test_unsourced_and_short_of_stock_say_why():
    q = quote(1, offer("TELUR", 15, [(1, 380_000)], stock=2))
    plan = plan_split({"TELUR": Decimal(60), "SAPI": Decimal(10)}, [q])
    by_sku = {p.sku: p for p in plan.products}
    assert by_sku["SAPI"].flag == SplitFlag.UNSOURCED
    assert by_sku["TELUR"].flag == SplitFlag.SHORT
    assert by_sku["TELUR"].reason.startswith("stock: 30")
    assert packs(plan) == {(1, "TELUR"): 2}


def test_greedy_fallback_gives_a_valid_plan():
    q = quote(1, offer("TERIGU", 25, [(1, 215_000), (10, 200_000)]))
    plan = plan_split({"TERIGU": Decimal(100)}, [q], use_solver=False)
    assert plan.solver == "greedy" and plan.products[0].covered >= 100
    assert all(isinstance(v, int) for v in (plan.total_idr, plan.goods_idr, plan.fees_idr))


# --------------------------------------------------------------- brute force


def brute_force(demand, quotes):
    """Cheapest plan that covers all demand (None if none does), by enumeration."""
    offers = [(q, o) for q in quotes for o in q.offers]
    ranges = []
    for _, o in offers:
        # the split's rule: surplus only to reach a cheaper tier or the MOQ, never to pad an
        # order up to a supplier's minimum order value
        top = math.ceil(demand[o.sku] / o.units_per_pack)
        top = max(top, max(t.min_packs for t in o.tiers), o.moq_packs)
        top = min(top, o.available_packs) if o.available_packs is not None else top
        ranges.append([0, *range(o.moq_packs, top + 1)])
    best = None
    for choice in itertools.product(*ranges):
        covered = {sku: Decimal(0) for sku in demand}
        goods = {q.supplier_id: 0 for q in quotes}
        for (q, o), n in zip(offers, choice, strict=True):
            if n:
                price = max(
                    (t for t in o.tiers if n >= t.min_packs), key=lambda t: t.min_packs
                ).price_per_pack_idr
                covered[o.sku] += n * o.units_per_pack
                goods[q.supplier_id] += n * price
        if any(covered[s] < demand[s] for s in demand):
            continue
        if any(0 < goods[q.supplier_id] < q.min_order_value_idr for q in quotes):
            continue
        total = sum(goods.values()) + sum(
            q.delivery_fee_idr for q in quotes if goods[q.supplier_id]
        )
        best = total if best is None else min(best, total)
    return best


instance = st.fixed_dictionaries(
    {
        "skus": st.integers(1, 2),
        "suppliers": st.lists(
            st.tuples(
                st.integers(0, 60_000),  # fee
                st.sampled_from([0, 0, 300_000]),  # minimum order value
                st.lists(  # per sku: units, base price, second tier (min, discount), moq
                    st.tuples(
                        st.sampled_from([1, 2, 5]),
                        st.integers(10_000, 100_000),
                        st.tuples(st.integers(2, 4), st.integers(0, 15)),
                        st.integers(1, 2),
                        st.booleans(),  # offered at all
                    ),
                    min_size=2,
                    max_size=2,
                ),
            ),
            min_size=1,
            max_size=2,
        ),
        "demand": st.lists(st.integers(1, 8), min_size=2, max_size=2),
    }
)


def build(spec):
    skus = ["A", "B"][: spec["skus"]]
    quotes = []
    for sid, (fee, mov, per_sku) in enumerate(spec["suppliers"], start=1):
        offers = []
        for sku, (units, base, (tier_min, discount), moq, on) in zip(skus, per_sku, strict=False):
            if on:
                offers.append(
                    offer(
                        sku, units, [(1, base), (tier_min, base * (100 - discount) // 100)], moq=moq
                    )
                )
        quotes.append(quote(sid, *offers, fee=fee, mov=mov))
    demand = {sku: Decimal(q) for sku, q in zip(skus, spec["demand"], strict=False)}
    return demand, quotes


@settings(max_examples=40, deadline=None)
@given(instance)
def test_milp_matches_brute_force_and_greedy_never_beats_it(spec):
    demand, quotes = build(spec)
    optimum = brute_force(demand, quotes)
    plan = plan_split(demand, quotes, time_limit=None, mip_gap=1e-9)
    greedy = plan_split(demand, quotes, use_solver=False)
    if optimum is None:
        assert any(p.flag for p in plan.products)
        return
    assert all(p.backorder == 0 for p in plan.products)
    assert plan.total_idr == optimum
    if all(p.backorder == 0 for p in greedy.products):
        assert greedy.total_idr >= plan.total_idr
