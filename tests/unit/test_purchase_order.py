"""Purchase-order states and supplier events, including repeats and events out of order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import IllegalTransition
from contracts.events import (
    DeliveredLine,
    LineConfirmation,
    LineOutcome,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderDespatched,
    OrderInvoiced,
    OrderRejected,
)
from services.domain.purchase_order import (
    LineStatus,
    POLine,
    POStatus,
    PurchaseOrder,
    apply_event,
    cancel,
    close,
    decide_price,
    mark_sent,
)

AT = datetime(2026, 11, 24, 3, tzinfo=UTC)
TOL = Decimal("0.03")


def po(status: POStatus = POStatus.SENT) -> PurchaseOrder:
    return PurchaseOrder(
        po_number="PO-1-20261124-1",
        supplier_id=7,
        status=status,
        delivery_fee_idr=75_000,
        lines=(
            # MinyaKita karton 12 L at 174,000; beras medium karung 25 kg at 275,000
            POLine(
                line_no=1,
                sku="MINYAKITA",
                units_per_pack=Decimal(12),
                packs=10,
                price_per_pack_idr=174_000,
            ),
            POLine(
                line_no=2,
                sku="BRS-MED",
                units_per_pack=Decimal(25),
                packs=4,
                price_per_pack_idr=275_000,
            ),
        ),
    )


def confirmed(*lines: LineConfirmation, **kw) -> OrderConfirmed:
    return OrderConfirmed(
        event_id="c1", po_number="PO-1-20261124-1", occurred_at=AT, lines=lines, **kw
    )


def delivered(*lines: DeliveredLine) -> OrderDelivered:
    return OrderDelivered(event_id="d1", po_number="PO-1-20261124-1", occurred_at=AT, lines=lines)


def despatched() -> OrderDespatched:
    return OrderDespatched(event_id="s1", po_number="PO-1-20261124-1", occurred_at=AT)


def test_sending_a_draft_and_resending_after_a_retry():
    sent = mark_sent(po(POStatus.DRAFT), "MP-9")
    assert sent.status == POStatus.SENT and sent.supplier_ref == "MP-9"
    assert mark_sent(sent, "MP-9") == sent  # the retry's acknowledgement changes nothing


def test_full_confirmation_then_despatch_delivery_invoice_close():
    step = apply_event(po(), confirmed(), price_tolerance_pct=TOL)
    assert step.po.status == POStatus.CONFIRMED
    assert all(line.status == LineStatus.ACCEPTED for line in step.po.lines)
    step = apply_event(step.po, despatched(), price_tolerance_pct=TOL)
    assert step.po.status == POStatus.DESPATCHED
    step = apply_event(
        step.po,
        delivered(
            DeliveredLine(line_no=1, quantity=Decimal(120)),
            DeliveredLine(line_no=2, quantity=Decimal("99.6")),
        ),
        price_tolerance_pct=TOL,
    )
    assert step.po.status == POStatus.DELIVERED
    assert step.po.line(2).delivered_quantity == Decimal("99.6")
    invoice = OrderInvoiced(
        event_id="i1", po_number="x", occurred_at=AT, invoice_ref="INV-1", total_idr=2_915_000
    )
    step = apply_event(step.po, invoice, price_tolerance_pct=TOL)
    assert step.po.status == POStatus.INVOICED and step.po.invoiced_total_idr == 2_915_000
    assert close(step.po).status == POStatus.CLOSED


def test_changed_lines_within_and_above_tolerance():
    event = confirmed(
        LineConfirmation(
            line_no=1, outcome=LineOutcome.CHANGED, packs=8, price_per_pack_idr=178_000
        ),
        LineConfirmation(line_no=2, outcome=LineOutcome.CHANGED, price_per_pack_idr=300_000),
    )
    step = apply_event(po(), event, price_tolerance_pct=TOL)
    assert step.po.status == POStatus.CHANGED
    one, two = step.po.line(1), step.po.line(2)
    assert (one.status, one.effective_packs, one.effective_price_per_pack_idr) == (
        LineStatus.CHANGED,
        8,
        178_000,
    )
    assert two.status == LineStatus.PENDING_APPROVAL and two.effective_price_per_pack_idr == 275_000
    assert [d.line_no for d in step.decisions if d.kind == "needs_approval"] == [2]
    accepted = decide_price(step.po, 2, accept=True)
    assert accepted.line(2).effective_price_per_pack_idr == 300_000
    refused = decide_price(step.po, 2, accept=False)
    assert refused.line(2).effective_packs == 0
    with pytest.raises(IllegalTransition):
        decide_price(refused, 2, accept=True)


def test_rejecting_every_line_rejects_the_order():
    event = confirmed(
        LineConfirmation(line_no=1, outcome=LineOutcome.REJECTED),
        LineConfirmation(line_no=2, outcome=LineOutcome.REJECTED),
    )
    assert apply_event(po(), event, price_tolerance_pct=TOL).po.status == POStatus.REJECTED
    whole = OrderRejected(event_id="r", po_number="x", occurred_at=AT, reason="stok habis")
    assert apply_event(po(), whole, price_tolerance_pct=TOL).po.status == POStatus.REJECTED


def test_delivery_before_confirmation_still_ends_delivered_and_late_events_are_ignored():
    early = apply_event(
        po(), delivered(DeliveredLine(line_no=1, quantity=Decimal(96))), price_tolerance_pct=TOL
    )
    assert early.po.status == POStatus.DELIVERED
    assert early.po.line(1).status == LineStatus.ACCEPTED
    assert early.po.line(2).delivered_quantity == Decimal(0)  # not delivered
    for late in (confirmed(), despatched()):
        step = apply_event(early.po, late, price_tolerance_pct=TOL)
        assert step.po == early.po and not step.changed


def test_the_same_event_twice_counts_once():
    once = apply_event(po(), confirmed(), price_tolerance_pct=TOL).po
    twice = apply_event(once, confirmed(), price_tolerance_pct=TOL)
    assert twice.po == once and not twice.changed
    invoice = OrderInvoiced(
        event_id="i", po_number="x", occurred_at=AT, invoice_ref="INV-1", total_idr=1
    )
    done = apply_event(once, invoice, price_tolerance_pct=TOL).po
    assert apply_event(done, invoice, price_tolerance_pct=TOL).po == done


def test_cancel_only_before_despatch():
    assert cancel(po()).status == POStatus.CANCELLED
    despatched_po = apply_event(po(), despatched(), price_tolerance_pct=TOL).po
    with pytest.raises(IllegalTransition) as refused:
        cancel(despatched_po)
    assert refused.value.current == "despatched"
    cancelled = cancel(po())
    assert apply_event(cancelled, confirmed(), price_tolerance_pct=TOL).po == cancelled
    supplier_cancel = OrderCancelled(event_id="x", po_number="x", occurred_at=AT)
    assert (
        apply_event(po(), supplier_cancel, price_tolerance_pct=TOL).po.status == POStatus.CANCELLED
    )


EVENTS = [
    confirmed(),
    despatched(),
    delivered(
        DeliveredLine(line_no=1, quantity=Decimal(120)),
        DeliveredLine(line_no=2, quantity=Decimal(100)),
    ),
]


@given(st.permutations(EVENTS), st.lists(st.integers(0, 2), max_size=4))
def test_any_order_with_repeats_ends_delivered_with_the_delivered_quantities(order, repeats):
    state = po()
    for event in [*order, *(EVENTS[i] for i in repeats)]:
        state = apply_event(state, event, price_tolerance_pct=TOL).po
    assert state.status == POStatus.DELIVERED
    assert state.line(1).delivered_quantity == Decimal(120)
    assert state.line(2).delivered_quantity == Decimal(100)
    assert state.goods_idr == 10 * 174_000 + 4 * 275_000
