"""Landed cost and below-market retail prices, with real 2025 Palembang figures."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.domain.pricing import (
    BoughtLine,
    Margins,
    PriceFlag,
    PriceInputs,
    landed_unit_costs,
    resolve_margins,
    suggest_price,
)

SATKER = Margins(target=Decimal("0.08"), minimum=Decimal("0.02"))


def inputs(cost, market=None, het=None, margins=SATKER, below="0.05", step=100):
    return PriceInputs(
        unit_cost=Decimal(cost),
        margins=margins,
        market_ref_idr=market,
        het_idr=het,
        below_market_pct=Decimal(below),
        price_step_idr=step,
    )


def test_beras_medium_is_priced_below_market_and_het():
    # karung 25 kg at 275,000 → 11,000/kg; market 12,000; HET 13,500
    s = suggest_price(inputs(11000, market=12000, het=13500))
    assert s.cap_idr == 11400  # 12,000 × 0.95
    assert s.suggested_retail_idr == 11400  # target 11,880 capped, already on the step
    assert s.flags == ()
    assert (s.warung_saving_per_unit_idr, s.customer_saving_per_unit_idr) == (1000, 600)


def test_minyakita_is_squeezed_between_cost_and_ceiling():
    # karton 12 L at 174,000 → 14,500/L; HET and market both 15,700
    s = suggest_price(inputs(14500, market=15700, het=15700))
    assert s.suggested_retail_idr == 14900  # 15,700 × 0.95 = 14,915 → step down
    assert PriceFlag.MARGIN_SQUEEZED not in s.flags  # 14,900 ≥ 14,500 × 1.02 = 14,790
    tight = suggest_price(inputs(14700, market=15700, het=15700))
    assert PriceFlag.MARGIN_SQUEEZED in tight.flags


def test_cost_above_het_and_missing_market_reference_are_flagged():
    s = suggest_price(inputs(19000, het=18500))
    assert set(s.flags) == {
        PriceFlag.ABOVE_HET,
        PriceFlag.NO_MARKET_REFERENCE,
        PriceFlag.MARGIN_SQUEEZED,
    }
    free = suggest_price(inputs(2950, step=50))  # mie goreng, no reference and no HET
    assert free.suggested_retail_idr == 3150  # 3,186 → step 50 down
    assert free.flags == (PriceFlag.NO_MARKET_REFERENCE,)


def test_margin_rules_resolve_product_then_category_then_satker():
    product = Margins(target=Decimal("0.015"), minimum=Decimal("0.005"))
    category = Margins(target=Decimal("0.05"), minimum=Decimal("0.01"))
    assert resolve_margins(product, category, SATKER) == product
    assert resolve_margins(None, category, SATKER) == category
    assert resolve_margins(None, None, SATKER) == SATKER


def test_landed_cost_blends_suppliers_and_shares_fees_by_value():
    lines = [
        BoughtLine(
            sku="BRS-MED", supplier_id=1, packs=4, units_per_pack=Decimal(25), goods_idr=1_100_000
        ),
        BoughtLine(
            sku="GULA", supplier_id=1, packs=1, units_per_pack=Decimal(50), goods_idr=825_000
        ),
        BoughtLine(
            sku="BRS-MED", supplier_id=2, packs=2, units_per_pack=Decimal(25), goods_idr=560_000
        ),
    ]
    costs = landed_unit_costs(lines, {1: 77_000, 2: 0})
    # supplier 1's fee splits 1,100,000 : 825,000 → 44,000 and 33,000
    assert costs["GULA"] == Decimal(858_000) / 50
    assert costs["BRS-MED"] == Decimal(1_100_000 + 44_000 + 560_000) / 150


@given(
    cost=st.integers(500, 200_000),
    market=st.one_of(st.none(), st.integers(500, 250_000)),
    het=st.one_of(st.none(), st.integers(500, 250_000)),
    step=st.sampled_from([1, 50, 100, 500]),
)
def test_every_price_is_below_its_cap_and_keeps_the_minimum_margin_unless_flagged(
    cost, market, het, step
):
    s = suggest_price(inputs(cost, market=market, het=het, step=step))
    assert isinstance(s.suggested_retail_idr, int) and s.suggested_retail_idr % step == 0
    if s.cap_idr is not None:
        assert s.suggested_retail_idr <= s.cap_idr
    if not s.flags:
        assert s.suggested_retail_idr >= Decimal(cost) * Decimal("1.02")
        assert market is not None and s.suggested_retail_idr < market
