"""Settlement: warung invoices sum to the suppliers' bills to the rupiah; terms and savings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from services.domain.settlement import (
    SATKER,
    DeliveredShare,
    PaymentTerms,
    SupplierBill,
    settle,
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
