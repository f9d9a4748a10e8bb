"""The quote comparison and the single-cheapest-supplier baseline, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from contracts.adapter import PackOffer, SupplierQuote, TierPrice
from contracts.errors import InvalidInput
from services.domain import quote_comparison as qc
from services.domain.bulk_buy import Approval, decide_approval, decode_approvals, encode_approvals
from services.domain.cycle import one_off

NOW = datetime(2026, 11, 24, 3, tzinfo=UTC)


def offer(sku, tiers, *, units="1", moq=1, stock=None, pack="pack"):
    return PackOffer(
        sku=sku,
        pack_name=pack,
        units_per_pack=Decimal(units),
        tiers=tuple(TierPrice(min_packs=m, price_per_pack_idr=p) for m, p in tiers),
        moq_packs=moq,
        available_packs=stock,
    )


def quote(supplier_id, *offers, fee=0):
    return SupplierQuote(
        supplier_id=supplier_id, quote_ref="Q", valid_until=NOW, offers=offers, delivery_fee_idr=fee
    )


def test_the_cheapest_pack_count_reaches_a_tier_or_the_minimum_order():
    tiers = [(1, 100), (10, 70)]
    assert qc.cheapest_pack_count(offer("A", tiers), Decimal(8)) == (10, 700)  # tier beats 8×100
    assert qc.cheapest_pack_count(offer("A", [(1, 100), (10, 95)]), Decimal(8)) == (8, 800)
    assert qc.cheapest_pack_count(offer("A", [(1, 100)], moq=5), Decimal(2)) == (5, 500)
    assert qc.cheapest_pack_count(offer("A", [(1, 300)], units="15"), Decimal(25)) == (2, 600)
    # not enough stock, or round-down under the minimum order: cannot serve the line alone
    assert qc.cheapest_pack_count(offer("A", [(1, 100)], stock=3), Decimal(8)) is None
    assert qc.cheapest_pack_count(offer("A", [(1, 100)], moq=5), Decimal(3), "round_down") is None
    assert qc.cheapest_pack_count(offer("A", [(1, 100)]), Decimal("7.5"), "round_down") == (7, 700)


def test_each_line_lists_every_offer_cheapest_first_with_the_split_marked():
    quotes = [
        quote(1, offer("A", [(1, 100), (10, 90)])),
        quote(2, offer("A", [(1, 95)]), offer("B", [(1, 40)])),
        quote(3, offer("A", [(1, 50)], stock=2)),
    ]
    offers = qc.offers_by_sku(quotes)
    need = qc.LineNeed("A", Decimal(10), [qc.ChosenPart(2, "pack", 10, 950)])
    line = qc.compare_line(need, offers["A"])
    assert [(o.supplier_id, o.goods_idr, o.cheapest, o.chosen_packs) for o in line.options] == [
        (1, 900, True, 0),
        (2, 950, False, 10),
        (3, None, False, 0),  # two packs in stock: shown, not compared
    ]
    assert line.options[0].price_per_pack_idr == 90 and line.options[0].unit_cost_idr == 90
    assert line.options[0].tiers == ((1, 100), (10, 90))


def test_the_baseline_buys_each_line_alone_and_pays_each_suppliers_fee_once():
    quotes = [
        quote(1, offer("A", [(1, 100)]), offer("B", [(1, 60)]), fee=300),
        quote(2, offer("A", [(1, 90)]), offer("B", [(1, 50)]), fee=50),
        quote(3, offer("C", [(1, 10)], stock=1), fee=0),
    ]
    offers = qc.offers_by_sku(quotes)
    chosen = {
        "A": [qc.ChosenPart(2, "pack", 10, 900)],
        "B": [qc.ChosenPart(2, "pack", 4, 200)],
        "C": [qc.ChosenPart(3, "pack", 1, 10), qc.ChosenPart(1, "pack", 1, 15)],
    }
    demand = {"A": Decimal(10), "B": Decimal(4), "C": Decimal(2)}
    lines = [
        qc.compare_line(qc.LineNeed(s, demand[s], chosen[s]), offers.get(s, ())) for s in "ABC"
    ]
    baseline = qc.single_cheapest_baseline(lines, chosen, {1: 300, 2: 50, 3: 0})
    # A and B from supplier 2 (900 + 200); C cannot be bought alone: the split's 25 counts
    assert baseline.goods_idr == 900 + 200 + 25
    assert baseline.fees_idr == 50 + 0 + 300  # suppliers 2, 3 and 1 (through C's split)
    assert (baseline.lines_compared, baseline.lines_not_comparable) == (2, 1)
    assert qc.optimiser_saving(baseline, 1_000) == baseline.total_idr - 1_000


def test_a_line_nobody_offers_is_left_out_of_the_baseline():
    line = qc.compare_line(qc.LineNeed("X", Decimal(3), []), ())
    baseline = qc.single_cheapest_baseline([line], {"X": []}, {})
    assert line.options == () and baseline.total_idr == 0
    assert (baseline.lines_compared, baseline.lines_not_comparable) == (0, 0)


def test_two_people_in_the_console_are_two_approvers():
    lines = ()
    first = decide_approval(
        status="proposed",
        approvals=(),
        lines=lines,
        total_idr=10,
        second_approval_threshold_idr=5,
        key_id=0,
        user_id=7,
        now=NOW,
    )
    assert first.status == "proposed"
    stored = decode_approvals(encode_approvals(first.approvals))
    assert stored == [Approval(key_id=0, at=NOW, user_id=7)]
    second = decide_approval(
        status="proposed",
        approvals=stored,
        lines=lines,
        total_idr=10,
        second_approval_threshold_idr=5,
        key_id=0,
        user_id=8,
        now=NOW,
    )
    assert second.status == "approved"
    with pytest.raises(Exception, match="different coordinator"):
        decide_approval(
            status="proposed",
            approvals=stored,
            lines=lines,
            total_idr=10,
            second_approval_threshold_idr=5,
            key_id=0,
            user_id=7,
            now=NOW,
        )


def test_a_one_off_cycle_opens_now_and_delivers_the_day_after_its_cutoff():
    cutoff = datetime(2026, 11, 24, 8, tzinfo=UTC)  # 15:00 WIB
    occurrence, status = one_off(
        opens_at=None, cutoff_at=cutoff, delivery_date=None, zone="Asia/Jakarta", now=NOW
    )
    assert status == "open" and occurrence.opens_at == NOW
    assert occurrence.delivery_date == date(2026, 11, 25)
    later, status = one_off(
        opens_at=datetime(2026, 11, 24, 5, tzinfo=UTC),
        cutoff_at=cutoff,
        delivery_date=date(2026, 11, 24),
        zone="Asia/Jakarta",
        now=NOW,
    )
    assert status == "scheduled" and later.delivery_date == date(2026, 11, 24)
    with pytest.raises(InvalidInput) as refused:
        one_off(
            opens_at=cutoff,
            cutoff_at=NOW,
            delivery_date=date(2026, 11, 1),
            zone="Asia/Jakarta",
            now=NOW,
        )
    assert {e.pointer for e in refused.value.errors} == {
        "/cutoff_at",
        "/opens_at",
        "/delivery_date",
    }


def test_a_retail_price_override_is_kept_under_the_het():
    from contracts.errors import RuleViolation
    from services.domain.bulk_buy import check_override

    check_override(["ABOVE_HET"])  # a reason alone accepts a flagged line
    check_override([], retail_price_idr=12_000, het_idr=12_500)  # a price needs no flag
    check_override([], retail_price_idr=99_000, het_idr=None)
    with pytest.raises(RuleViolation):
        check_override([])
    with pytest.raises(RuleViolation) as above:
        check_override(["ABOVE_HET"], retail_price_idr=13_000, het_idr=12_500)
    assert above.value.errors[0].pointer == "/retail_price_idr"
