"""Settlement: warung invoices sum to the suppliers' bills to the rupiah; terms and savings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from contracts.money import split_largest_remainder
from services.domain.allocation import Allocation, LineAllocation
from services.domain.restock_line import LineId
from services.domain.settlement import (
    SATKER,
    DeliveredShare,
    PaidLine,
    PaymentTerms,
    SupplierBill,
    SupplierOrder,
    invoice_number,
    main_supplier,
    party_shares,
    received_by_party,
    settle,
    supplier_bills,
    tally_deliveries,
)

DAY = date(2026, 11, 25)


def test_two_warungs_share_goods_and_fee_by_value_with_tempo_due_dates():
    # beras medium 11,000/kg landed; market 12,000; suggested retail 11,800
    shares = [
        DeliveredShare(
            party_id=1,
            supplier_id=9,
            sku="BRS-MED",
            quantity=Decimal(50),
            unit_cost=Decimal(11000),
            market_price_idr=12000,
            retail_price_idr=11800,
        ),
        DeliveredShare(
            party_id=2,
            supplier_id=9,
            sku="BRS-MED",
            quantity=Decimal(25),
            unit_cost=Decimal(11000),
            market_price_idr=12000,
            retail_price_idr=11800,
        ),
    ]
    bills = [
        SupplierBill(
            supplier_id=9,
            goods_idr=825_000,
            delivery_fee_idr=75_001,
            terms=PaymentTerms.TEMPO,
            tempo_days=14,
        )
    ]
    one, two = settle(shares, bills, DAY)
    assert one.goods_idr + two.goods_idr == 825_000
    assert one.fees_idr + two.fees_idr == 75_001
    assert (one.goods_idr, one.fees_idr) == (550_000, 50_001)
    assert one.due == {9: date(2026, 12, 9)}
    assert one.market_value_idr == 600_000 and one.savings_idr == 600_000 - 600_001
    assert one.customer_savings_idr == 50 * 200


def test_satker_stock_carries_its_share_and_consignment_has_no_due_date():
    shares = [
        DeliveredShare(
            party_id=1, supplier_id=3, sku="MIE-GRG", quantity=Decimal(30), unit_cost=Decimal(2950)
        ),
        DeliveredShare(
            party_id=SATKER,
            supplier_id=3,
            sku="MIE-GRG",
            quantity=Decimal(10),
            unit_cost=Decimal(2950),
        ),
    ]
    bills = [
        SupplierBill(
            supplier_id=3, goods_idr=118_000, delivery_fee_idr=0, terms=PaymentTerms.CONSIGNMENT
        )
    ]
    invoices = {i.party_id: i for i in settle(shares, bills, DAY)}
    assert invoices[SATKER].total_idr + invoices[1].total_idr == 118_000
    assert invoices[1].due == {3: None}


share = st.builds(
    lambda party, supplier, q, cost: DeliveredShare(
        party_id=party,
        supplier_id=supplier,
        sku=f"S{supplier}",
        quantity=Decimal(q) / 10,
        unit_cost=Decimal(cost),
    ),
    st.integers(0, 6),
    st.integers(1, 3),
    st.integers(1, 500),
    st.integers(100, 60_000),
)


@given(
    st.lists(share, min_size=1, max_size=15, unique_by=lambda s: (s.party_id, s.supplier_id)),
    st.integers(0, 200_000),
)
def test_invoices_sum_exactly_to_the_bills(shares, fee):
    suppliers = sorted({s.supplier_id for s in shares})
    bills = [
        SupplierBill(
            supplier_id=sid,
            goods_idr=int(sum(s.quantity * s.unit_cost for s in shares if s.supplier_id == sid))
            + 7,
            delivery_fee_idr=fee,
        )
        for sid in suppliers
    ]
    invoices = settle(shares, bills, DAY)
    assert sum(i.total_idr for i in invoices) == sum(b.total_idr for b in bills)
    for b in bills:
        assert (
            sum(
                line.goods_idr
                for i in invoices
                for line in i.lines
                if line.supplier_id == b.supplier_id
            )
            == b.goods_idr
        )
        assert (
            sum(
                line.fee_idr
                for i in invoices
                for line in i.lines
                if line.supplier_id == b.supplier_id
            )
            == b.delivery_fee_idr
        )
    assert all(line.goods_idr >= 0 and line.fee_idr >= 0 for i in invoices for line in i.lines)


# ---------------------------------------------------------------- what suppliers delivered and bill


def paid(supplier, product, packs, delivered, *, paid=120_000, cancelled=False):
    return PaidLine(
        supplier_id=supplier,
        product_id=product,
        packs=packs,
        units_per_pack=Decimal(12),
        price_per_pack_idr=120_000,
        paid_per_pack_idr=paid,
        delivered=Decimal(delivered),
        cancelled=cancelled,
    )


def test_tally_values_deliveries_at_the_paid_price_and_ignores_cancelled_orders():
    tally = tally_deliveries(
        [
            paid(1, 10, 2, 24),  # MinyaKita 2 cartons of 12 L, all arrived
            paid(2, 10, 1, 6, paid=108_000),  # half a carton, at a changed price
            paid(2, 11, 1, 0),  # nothing arrived
            paid(3, 10, 5, 0, cancelled=True),
        ]
    )
    assert tally.ordered_units == {10: 36, 11: 12}
    assert tally.ordered_value_idr == 4 * 120_000
    assert tally.delivered == {10: {1: 24, 2: 6}}
    assert tally.goods_idr == {1: {10: 240_000}, 2: {10: 54_000}}
    assert tally.delivered_value_idr == 294_000


def order(supplier, fee, invoiced=None, *, cancelled=False, terms=PaymentTerms.COD, days=0):
    return SupplierOrder(
        supplier_id=supplier,
        delivery_fee_idr=fee,
        invoiced_total_idr=invoiced,
        cancelled=cancelled,
        terms=terms,
        tempo_days=days,
    )


def test_a_bill_is_the_delivered_goods_and_the_fees_of_orders_not_cancelled():
    orders = [
        order(4, 15_000, terms=PaymentTerms.TEMPO, days=14),
        order(4, 9_000, cancelled=True, terms=PaymentTerms.COD),
        order(5, 5_000),
    ]
    (bill,) = supplier_bills({4: 294_000}, orders)
    assert bill == SupplierBill(
        supplier_id=4,
        goods_idr=294_000,
        delivery_fee_idr=15_000,
        terms=PaymentTerms.TEMPO,  # the first order's terms
        tempo_days=14,
    )


def test_the_suppliers_invoiced_totals_win_once_every_order_is_invoiced():
    (bill,) = supplier_bills({4: 294_000}, [order(4, 15_000, 200_000), order(4, 0, 100_000)])
    assert (bill.goods_idr, bill.delivery_fee_idr, bill.total_idr) == (285_000, 15_000, 300_000)
    (partly,) = supplier_bills({4: 294_000}, [order(4, 15_000, 200_000), order(4, 0)])
    assert partly.goods_idr == 294_000  # one order not invoiced yet: the deliveries count
    (low,) = supplier_bills({4: 294_000}, [order(4, 15_000, 10_000)])
    assert (low.goods_idr, low.total_idr) == (0, 15_000)  # goods never below zero


def test_a_supplier_with_goods_but_no_order_is_an_error():
    try:
        supplier_bills({4: 1_000}, [order(5, 0)])
    except ValueError as exc:
        assert "supplier 4" in str(exc)
    else:
        raise AssertionError("a bill without an order was accepted")


@given(
    st.integers(0, 5_000_000),
    st.lists(
        st.tuples(st.integers(0, 50_000), st.integers(0, 2_000_000), st.booleans()),
        min_size=1,
        max_size=5,
    ),
)
def test_an_invoiced_bill_is_the_invoice_or_at_least_the_fees(goods, raw_orders):
    orders = [order(7, fee, inv, cancelled=c) for fee, inv, c in raw_orders]
    (bill,) = supplier_bills({7: goods}, orders)
    fees = sum(fee for fee, _, c in raw_orders if not c)
    invoiced = sum(inv for _, inv, _ in raw_orders)
    assert bill.delivery_fee_idr == fees
    assert bill.total_idr == max(invoiced, fees)
    assert bill.goods_idr >= 0


def test_the_main_supplier_delivered_most_ties_to_the_lower_id():
    assert main_supplier({3: Decimal(5), 2: Decimal(5), 9: Decimal(1)}, ordered_from=9) == 2
    assert main_supplier({}, ordered_from=9) == 9


# ---------------------------------------------------------------- who took what


def test_each_party_received_its_lines_its_surplus_and_the_satker_its_stock():
    allocation = Allocation(
        lines=(
            LineAllocation(line_id=LineId(1, 1), warung_id=1, requested=Decimal(5), allocated=4),
            LineAllocation(line_id=LineId(1, 2), warung_id=1, requested=Decimal(2), allocated=2),
            LineAllocation(line_id=LineId(2, 1), warung_id=2, requested=Decimal(3), allocated=0),
        ),
        surplus_to_warungs={2: Decimal(1)},
        satker_stock=Decimal("0.5"),
    )
    assert received_by_party(allocation) == {1: 6, 2: 1, SATKER: Decimal("0.5")}


def test_parties_take_of_each_supplier_in_proportion_at_its_unit_cost():
    # 30 L of MinyaKita: 24 from supplier 1 (at 10,000), 6 from supplier 2 (at 9,000)
    shares = party_shares(
        "MNY-KITA",
        {1: Decimal(20), 2: Decimal(10), SATKER: Decimal(0)},
        {1: Decimal(24), 2: Decimal(6)},
        {1: 240_000, 2: 54_000},
        market_price_idr=17_500,
        retail_price_idr=15_700,
    )
    got = {(s.party_id, s.supplier_id): (s.quantity, s.unit_cost) for s in shares}
    assert got == {
        (1, 1): (Decimal("16.000"), Decimal(10_000)),
        (2, 1): (Decimal("8.000"), Decimal(10_000)),
        (1, 2): (Decimal("4.000"), Decimal(9_000)),
        (2, 2): (Decimal("2.000"), Decimal(9_000)),
    }  # the satker kept nothing, so it has no share
    assert {(s.market_price_idr, s.retail_price_idr, s.sku) for s in shares} == {
        (17_500, 15_700, "MNY-KITA")
    }


def test_nothing_delivered_means_no_shares():
    assert party_shares("X", {1: Decimal(0), SATKER: Decimal(0)}, {}, {}) == []


@given(
    st.lists(st.integers(0, 5_000), min_size=1, max_size=6).filter(any),
    st.lists(st.tuples(st.integers(1, 100), st.integers(1, 900_000)), min_size=1, max_size=4),
)
def test_party_shares_add_up_to_what_each_supplier_delivered(received_grams, suppliers):
    # the parties received the whole delivery between them; suppliers delivered it in parts
    received = {party: Decimal(g) / 1000 for party, g in enumerate(received_grams)}
    grams = split_largest_remainder(sum(received_grams), [w for w, _ in suppliers])
    delivered = {sid: Decimal(g) / 1000 for sid, g in enumerate(grams, start=1) if g}
    goods = {sid: v for sid, (_, v) in enumerate(suppliers, start=1) if sid in delivered}
    shares = party_shares("S", received, delivered, goods)
    assert all(s.quantity > 0 for s in shares)
    half_gram = Decimal("0.0005")
    for sid, quantity in delivered.items():
        mine = [s for s in shares if s.supplier_id == sid]
        assert abs(sum(s.quantity for s in mine) - quantity) <= half_gram * len(received)
        assert all(s.unit_cost == Decimal(goods[sid]) / quantity for s in mine)
    for party, got in received.items():
        taken = sum(s.quantity for s in shares if s.party_id == party)
        assert abs(taken - got) <= half_gram * len(delivered)


def test_an_invoice_is_numbered_per_party_and_due_when_its_first_supplier_is():
    assert invoice_number(2, 31, 17) == "INV-2-31-17"
    assert invoice_number(2, 31, SATKER) == "INV-2-31-SATKER"
    shares = [
        DeliveredShare(party_id=1, supplier_id=s, sku=f"S{s}", quantity=Decimal(1), unit_cost=1)
        for s in (1, 2, 3)
    ]
    bills = [
        SupplierBill(
            supplier_id=1, goods_idr=1, delivery_fee_idr=0, terms=PaymentTerms.TEMPO, tempo_days=7
        ),
        SupplierBill(
            supplier_id=2, goods_idr=1, delivery_fee_idr=0, terms=PaymentTerms.TEMPO, tempo_days=3
        ),
        SupplierBill(
            supplier_id=3, goods_idr=1, delivery_fee_idr=0, terms=PaymentTerms.CONSIGNMENT
        ),
    ]
    (invoice,) = settle(shares, bills, DAY)
    assert invoice.due_on == date(2026, 11, 28)
    (consignment,) = settle(shares[2:], bills[2:], DAY)
    assert consignment.due_on is None
