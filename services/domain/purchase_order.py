"""Purchase orders: states, transitions and applying supplier events.

::

    draft → sent → confirmed | changed | rejected → despatched → delivered → invoiced → closed
    draft | sent | confirmed | changed → cancelled

``changed`` means the supplier confirmed with other quantities or prices. A price rise above
the satker's tolerance leaves that line ``pending_approval`` until the coordinator decides.

Events may arrive twice or out of order. Applying one that was already applied, or one older
than the PO's state (a confirmation after delivery), changes nothing and says so; a delivery
that arrives before its confirmation or despatch implies them.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import msgspec

from contracts.errors import IllegalTransition
from contracts.events import (
    LineOutcome,
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderDespatched,
    OrderInvoiced,
    OrderRejected,
    SupplierEvent,
)
from contracts.money import rupiah_round


class POStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CONFIRMED = "confirmed"
    CHANGED = "changed"
    REJECTED = "rejected"
    DESPATCHED = "despatched"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class LineStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    CHANGED = "changed"
    PENDING_APPROVAL = "pending_approval"  # price rise above tolerance
    REJECTED = "rejected"


# How far along each status is; an event for an earlier stage than the PO's is stale.
_RANK = {
    POStatus.DRAFT: 0,
    POStatus.SENT: 1,
    POStatus.CONFIRMED: 2,
    POStatus.CHANGED: 2,
    POStatus.REJECTED: 2,
    POStatus.DESPATCHED: 3,
    POStatus.DELIVERED: 4,
    POStatus.INVOICED: 5,
    POStatus.CLOSED: 6,
    POStatus.CANCELLED: 6,
}
_TERMINAL = {POStatus.CLOSED, POStatus.CANCELLED, POStatus.REJECTED}
_CANCELLABLE = {POStatus.DRAFT, POStatus.SENT, POStatus.CONFIRMED, POStatus.CHANGED}


class POLine(msgspec.Struct, frozen=True, kw_only=True):
    line_no: int
    sku: str
    units_per_pack: Decimal
    packs: int  # as ordered
    price_per_pack_idr: int  # as ordered
    status: LineStatus = LineStatus.OPEN
    confirmed_packs: int | None = None
    confirmed_price_per_pack_idr: int | None = None
    proposed_price_per_pack_idr: int | None = None  # awaiting the coordinator
    delivered_quantity: Decimal | None = None  # retail units
    delivered_price_per_pack_idr: int | None = None

    @property
    def effective_packs(self) -> int:
        if self.status == LineStatus.REJECTED:
            return 0
        return self.confirmed_packs if self.confirmed_packs is not None else self.packs

    @property
    def effective_price_per_pack_idr(self) -> int:
        if self.delivered_price_per_pack_idr is not None:
            return self.delivered_price_per_pack_idr
        if self.confirmed_price_per_pack_idr is not None:
            return self.confirmed_price_per_pack_idr
        return self.price_per_pack_idr


class PurchaseOrder(msgspec.Struct, frozen=True, kw_only=True):
    po_number: str
    supplier_id: int
    status: POStatus
    lines: tuple[POLine, ...]
    delivery_fee_idr: int = 0
    supplier_ref: str | None = None
    invoice_ref: str | None = None
    invoiced_total_idr: int | None = None
    version: int = 1

    def line(self, line_no: int) -> POLine:
        for line in self.lines:
            if line.line_no == line_no:
                return line
        raise KeyError(line_no)

    @property
    def goods_idr(self) -> int:
        return sum(line.effective_packs * line.effective_price_per_pack_idr for line in self.lines)


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """Something the event caused that a person or the caller should know."""

    kind: str  # applied | ignored | needs_approval | unknown_line
    detail: str
    line_no: int | None = None


class Applied(msgspec.Struct, frozen=True, kw_only=True):
    po: PurchaseOrder
    decisions: tuple[Decision, ...]

    @property
    def changed(self) -> bool:
        return any(d.kind != "ignored" for d in self.decisions)


def delivered_value_idr(
    delivered: Decimal, units_per_pack: Decimal, price_per_pack_idr: int
) -> int:
    """What a delivered quantity (retail units) of a line costs at a pack price."""
    return rupiah_round(delivered / units_per_pack * price_per_pack_idr)


def _move(po: PurchaseOrder, to: POStatus, **changes: object) -> PurchaseOrder:
    return msgspec.structs.replace(po, status=to, version=po.version + 1, **changes)


def mark_sent(po: PurchaseOrder, supplier_ref: str | None) -> PurchaseOrder:
    if po.status == POStatus.SENT or _RANK[po.status] > _RANK[POStatus.SENT]:
        # the supplier accepted it again after a retry: keep the state, learn the reference
        if po.supplier_ref is None and supplier_ref is not None:
            return msgspec.structs.replace(po, supplier_ref=supplier_ref, version=po.version + 1)
        return po
    if po.status != POStatus.DRAFT:
        raise IllegalTransition("purchase order", po.status, "mark it sent")
    return _move(po, POStatus.SENT, supplier_ref=supplier_ref)


def cancellable(status: str) -> bool:
    """Whether an order in ``status`` may still be cancelled (before despatch)."""
    return status in _CANCELLABLE


def cancel(po: PurchaseOrder) -> PurchaseOrder:
    if po.status not in _CANCELLABLE:
        raise IllegalTransition("purchase order", po.status, "cancel it")
    return _move(po, POStatus.CANCELLED)


def close(po: PurchaseOrder) -> PurchaseOrder:
    if po.status != POStatus.INVOICED:
        raise IllegalTransition("purchase order", po.status, "close it")
    return _move(po, POStatus.CLOSED)


def decide_price(po: PurchaseOrder, line_no: int, *, accept: bool) -> PurchaseOrder:
    """The coordinator accepts or refuses a price rise that was above tolerance."""
    line = po.line(line_no)
    if line.status != LineStatus.PENDING_APPROVAL:
        raise IllegalTransition("purchase order line", line.status, "decide its price")
    if accept:
        new = msgspec.structs.replace(
            line,
            status=LineStatus.CHANGED,
            confirmed_price_per_pack_idr=line.proposed_price_per_pack_idr,
            proposed_price_per_pack_idr=None,
        )
    else:
        new = msgspec.structs.replace(
            line, status=LineStatus.REJECTED, proposed_price_per_pack_idr=None
        )
    return msgspec.structs.replace(po, lines=_replace_line(po.lines, new), version=po.version + 1)


def _replace_line(lines: tuple[POLine, ...], new: POLine) -> tuple[POLine, ...]:
    return tuple(new if line.line_no == new.line_no else line for line in lines)


def apply_event(
    po: PurchaseOrder, event: SupplierEvent, *, price_tolerance_pct: Decimal
) -> Applied:
    """Apply one supplier event. Never raises for stale or repeated events: it reports them."""
    if po.status in _TERMINAL and not isinstance(event, OrderInvoiced):
        return _ignored(po, f"the order is {po.status}")
    match event:
        case OrderConfirmed():
            return _confirm(po, event, price_tolerance_pct)
        case OrderRejected():
            if _RANK[po.status] >= _RANK[POStatus.CONFIRMED]:
                return _ignored(po, f"rejection arrived after the order was {po.status}")
            return Applied(
                po=_move(po, POStatus.REJECTED),
                decisions=(Decision(kind="applied", detail="rejected"),),
            )
        case OrderDespatched():
            if _RANK[po.status] >= _RANK[POStatus.DESPATCHED]:
                return _ignored(po, f"despatch arrived after the order was {po.status}")
            return Applied(
                po=_move(po, POStatus.DESPATCHED),
                decisions=(Decision(kind="applied", detail="despatched"),),
            )
        case OrderDelivered():
            return _deliver(po, event)
        case OrderInvoiced():
            if po.status == POStatus.CANCELLED:
                return _ignored(po, "the order was cancelled")
            if po.invoice_ref == event.invoice_ref:
                return _ignored(po, "invoice already recorded")
            status = (
                po.status
                if po.status in (POStatus.INVOICED, POStatus.CLOSED)
                else POStatus.INVOICED
            )
            return Applied(
                po=_move(
                    po, status, invoice_ref=event.invoice_ref, invoiced_total_idr=event.total_idr
                ),
                decisions=(Decision(kind="applied", detail=f"invoiced {event.total_idr}"),),
            )
        case OrderCancelled():
            if po.status not in _CANCELLABLE:
                return _ignored(po, f"cancellation arrived after the order was {po.status}")
            return Applied(
                po=_move(po, POStatus.CANCELLED),
                decisions=(Decision(kind="applied", detail="cancelled by the supplier"),),
            )
    return _ignored(po, f"unknown event {type(event).__name__}")  # pragma: no cover


def _ignored(po: PurchaseOrder, why: str) -> Applied:
    return Applied(po=po, decisions=(Decision(kind="ignored", detail=why),))


def _by_number(po: PurchaseOrder) -> dict[int, POLine]:
    return {line.line_no: line for line in po.lines}


def _unknown_lines(po: PurchaseOrder, line_nos: list[int]) -> list[Decision]:
    """A decision for each line an event names that is not on the order."""
    known = {line.line_no for line in po.lines}
    return [
        Decision(kind="unknown_line", detail="not on this order", line_no=n)
        for n in line_nos
        if n not in known
    ]


def _confirm(po: PurchaseOrder, event: OrderConfirmed, tolerance: Decimal) -> Applied:
    if _RANK[po.status] >= _RANK[POStatus.CONFIRMED]:
        return _ignored(po, f"confirmation arrived after the order was {po.status}")
    lines, decisions = _by_number(po), _unknown_lines(po, [c.line_no for c in event.lines])
    for c in event.lines:
        line = lines.get(c.line_no)
        if line is None:
            continue
        if c.outcome == LineOutcome.ACCEPTED:
            lines[c.line_no] = msgspec.structs.replace(line, status=LineStatus.ACCEPTED)
        elif c.outcome == LineOutcome.REJECTED:
            lines[c.line_no] = msgspec.structs.replace(line, status=LineStatus.REJECTED)
        else:
            packs = c.packs if c.packs is not None else line.packs
            price = (
                c.price_per_pack_idr
                if c.price_per_pack_idr is not None
                else line.price_per_pack_idr
            )
            limit = Decimal(line.price_per_pack_idr) * (1 + tolerance)
            if price > limit:
                lines[c.line_no] = msgspec.structs.replace(
                    line,
                    status=LineStatus.PENDING_APPROVAL,
                    confirmed_packs=packs,
                    proposed_price_per_pack_idr=price,
                )
                decisions.append(
                    Decision(
                        kind="needs_approval",
                        detail=f"price {price} is above {line.price_per_pack_idr} plus tolerance",
                        line_no=c.line_no,
                    )
                )
            else:
                lines[c.line_no] = msgspec.structs.replace(
                    line,
                    status=LineStatus.CHANGED,
                    confirmed_packs=packs,
                    confirmed_price_per_pack_idr=price,
                )
    # Lines the supplier did not mention are accepted as ordered.
    new_lines = tuple(
        msgspec.structs.replace(line, status=LineStatus.ACCEPTED)
        if line.status == LineStatus.OPEN
        else line
        for line in (lines[n] for n in sorted(lines))
    )
    if all(line.status == LineStatus.REJECTED for line in new_lines):
        status = POStatus.REJECTED
    elif all(line.status == LineStatus.ACCEPTED for line in new_lines):
        status = POStatus.CONFIRMED
    else:
        status = POStatus.CHANGED
    fee = event.delivery_fee_idr if event.delivery_fee_idr is not None else po.delivery_fee_idr
    decisions.insert(0, Decision(kind="applied", detail=f"confirmed as {status}"))
    return Applied(
        po=_move(po, status, lines=new_lines, delivery_fee_idr=fee), decisions=tuple(decisions)
    )


def _deliver(po: PurchaseOrder, event: OrderDelivered) -> Applied:
    if _RANK[po.status] >= _RANK[POStatus.DELIVERED]:
        return _ignored(po, f"delivery arrived after the order was {po.status}")
    lines, decisions = _by_number(po), _unknown_lines(po, [d.line_no for d in event.lines])
    for d in event.lines:
        line = lines.get(d.line_no)
        if line is None:
            continue
        status = LineStatus.ACCEPTED if line.status == LineStatus.OPEN else line.status
        lines[d.line_no] = msgspec.structs.replace(
            line,
            status=status,
            delivered_quantity=d.quantity,
            delivered_price_per_pack_idr=d.price_per_pack_idr,
        )
    # A line the delivery does not name was not delivered.
    new_lines = tuple(
        msgspec.structs.replace(line, delivered_quantity=Decimal(0))
        if line.delivered_quantity is None
        else line
        for line in (lines[n] for n in sorted(lines))
    )
    decisions.insert(0, Decision(kind="applied", detail="delivered"))
    return Applied(po=_move(po, POStatus.DELIVERED, lines=new_lines), decisions=tuple(decisions))
