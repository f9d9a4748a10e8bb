"""Settlement: each warung's invoice for a cycle, summing exactly to what suppliers billed.

What each supplier delivered is valued at the price it was paid (delivered, else confirmed,
else ordered); that and its delivery fees are its bill, unless the supplier has invoiced every
one of its orders, when its own invoiced totals win. Each party that took a product — the
warungs, and the satker for stock it keeps — takes its part of every supplier's delivery of
it. Per supplier, its billed total (goods and delivery fee) is split over those parties by
value, with largest remainder, so the parts add up to the rupiah. Savings compare what the
warung paid and its suggested retail price with the market reference.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter

import msgspec

from contracts.money import rupiah_round, split_totals_largest_remainder
from contracts.quantity import QUANTUM
from services.domain.allocation import Allocation
from services.domain.purchase_order import delivered_value_idr

SATKER = 0  # the party id used for stock the satker keeps


class PaymentTerms(enum.StrEnum):
    COD = "cod"
    TEMPO = "tempo"
    CONSIGNMENT = "consignment"


class DeliveredShare(msgspec.Struct, frozen=True, kw_only=True):
    """What one party (a warung, or SATKER) received of one supplier's goods."""

    party_id: int
    supplier_id: int
    sku: str
    quantity: Decimal  # retail units received
    unit_cost: Decimal  # landed goods cost per retail unit, before the fee
    market_price_idr: int | None = None  # market reference per retail unit
    retail_price_idr: int | None = None  # suggested retail price per unit


class SupplierBill(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    goods_idr: int
    delivery_fee_idr: int
    terms: PaymentTerms = PaymentTerms.COD
    tempo_days: int = 0

    @property
    def total_idr(self) -> int:
        return self.goods_idr + self.delivery_fee_idr


class SupplierOrder(msgspec.Struct, frozen=True, kw_only=True):
    """One purchase order, as far as its supplier's bill goes."""

    supplier_id: int
    delivery_fee_idr: int
    invoiced_total_idr: int | None = None  # the supplier's own invoice (goods and fee)
    cancelled: bool = False
    terms: PaymentTerms = PaymentTerms.COD
    tempo_days: int = 0


class PaidLine(msgspec.Struct, frozen=True, kw_only=True):
    """One purchase-order line: what was ordered, what arrived and the price it is paid at."""

    supplier_id: int
    product_id: int
    packs: int
    units_per_pack: Decimal
    price_per_pack_idr: int  # as ordered
    paid_per_pack_idr: int  # as delivered, else as confirmed, else as ordered
    delivered: Decimal  # retail units
    cancelled: bool = False  # its order was cancelled: the line counts for nothing


class Deliveries(msgspec.Struct, frozen=True, kw_only=True):
    """What was ordered and delivered of each product, and from whom."""

    delivered: dict[int, dict[int, Decimal]]  # product_id -> supplier_id -> retail units
    goods_idr: dict[int, dict[int, int]]  # supplier_id -> product_id -> value at the paid price
    ordered_units: dict[int, Decimal]  # product_id -> retail units ordered
    ordered_value_idr: int  # what was ordered, at the ordered prices

    @property
    def delivered_value_idr(self) -> int:
        return sum(sum(per_product.values()) for per_product in self.goods_idr.values())


class InvoiceLine(msgspec.Struct, frozen=True, kw_only=True):
    supplier_id: int
    sku: str
    quantity: Decimal
    goods_idr: int
    fee_idr: int


class Invoice(msgspec.Struct, frozen=True, kw_only=True):
    party_id: int
    lines: tuple[InvoiceLine, ...]
    goods_idr: int
    fees_idr: int
    total_idr: int
    due: dict[int, date | None]  # supplier_id -> due date (None: consignment, pay on sale)
    market_value_idr: int  # what the same goods cost at the market reference
    savings_idr: int  # market value − total paid (goods with a market reference only)
    customer_savings_idr: int  # (market − suggested retail) × quantity

    @property
    def due_on(self) -> date | None:
        """The earliest date a supplier's part falls due (None: all on consignment)."""
        return min((d for d in self.due.values() if d is not None), default=None)


def invoice_number(satker_id: int, serial: int) -> str:
    """A satker numbers its invoices 1, 2, 3, … as it issues them: ``INV-<satker>-<serial>``
    with the serial in six digits (``INV-2-000031``). Issued once, never changed."""
    if serial < 1:
        raise ValueError("invoice serials start at 1")
    return f"INV-{satker_id}-{serial:06d}"


def numbering_order(invoices: Sequence[Invoice]) -> list[Invoice]:
    """The order a settlement's invoices take their serials in: the warungs by id, then the
    satker's own stock."""
    return sorted(invoices, key=lambda i: (i.party_id == SATKER, i.party_id))


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """An open invoice whose due date has passed (consignment, with no due date, never is)."""
    return status == "open" and due_on is not None and due_on < today


def due_date(delivered_on: date, terms: PaymentTerms, tempo_days: int) -> date | None:
    if terms == PaymentTerms.COD:
        return delivered_on
    if terms == PaymentTerms.TEMPO:
        return delivered_on + timedelta(days=tempo_days)
    return None


def tally_deliveries(lines: Iterable[PaidLine]) -> Deliveries:
    """Sum the lines of orders that were not cancelled: units and value ordered per product,
    and per product and supplier what was delivered and what it is worth."""
    delivered: dict[int, dict[int, Decimal]] = {}
    goods: dict[int, dict[int, int]] = {}
    ordered_units: dict[int, Decimal] = {}
    ordered_value = 0
    for ln in lines:
        if ln.cancelled:
            continue
        units = ln.packs * ln.units_per_pack
        ordered_units[ln.product_id] = ordered_units.get(ln.product_id, Decimal(0)) + units
        ordered_value += ln.packs * ln.price_per_pack_idr
        if ln.delivered > 0:
            by_supplier = delivered.setdefault(ln.product_id, {})
            by_supplier[ln.supplier_id] = by_supplier.get(ln.supplier_id, Decimal(0)) + ln.delivered
            by_product = goods.setdefault(ln.supplier_id, {})
            by_product[ln.product_id] = by_product.get(ln.product_id, 0) + delivered_value_idr(
                ln.delivered, ln.units_per_pack, ln.paid_per_pack_idr
            )
    return Deliveries(
        delivered=delivered,
        goods_idr=goods,
        ordered_units=ordered_units,
        ordered_value_idr=ordered_value,
    )


def supplier_bills(
    goods_idr: Mapping[int, int], orders: Sequence[SupplierOrder]
) -> list[SupplierBill]:
    """One bill per supplier that delivered goods (``goods_idr``: supplier -> value of what
    it delivered). The fee is the sum of its orders' fees, cancelled orders aside. When every
    order of the supplier carries its invoiced total, the supplier's invoice is the bill: the
    goods are the invoiced totals less the fees, never below zero. Payment terms are those
    of its first order."""
    bills = []
    for supplier_id, goods in goods_idr.items():
        mine = [o for o in orders if o.supplier_id == supplier_id]
        if not mine:
            raise ValueError(f"supplier {supplier_id} delivered goods but has no order")
        fee = sum(o.delivery_fee_idr for o in mine if not o.cancelled)
        invoiced = [o.invoiced_total_idr for o in mine]
        if all(v is not None for v in invoiced):
            goods = max(sum(v for v in invoiced if v is not None) - fee, 0)
        bills.append(
            SupplierBill(
                supplier_id=supplier_id,
                goods_idr=goods,
                delivery_fee_idr=fee,
                terms=mine[0].terms,
                tempo_days=mine[0].tempo_days,
            )
        )
    return bills


def main_supplier(delivered: Mapping[int, Decimal], ordered_from: int) -> int:
    """The supplier a warung's delivery of a product is booked to: the one that delivered
    most of it (the lower id on a tie), else the one it was ordered from."""
    if not delivered:
        return ordered_from
    return max(delivered.items(), key=lambda kv: (kv[1], -kv[0]))[0]


def received_by_party(allocation: Allocation) -> dict[int, Decimal]:
    """What each party received of one product: per warung its lines' allocations and any
    surplus; for SATKER the stock it keeps."""
    parties: dict[int, Decimal] = {}
    for a in allocation.lines:
        parties[a.warung_id] = parties.get(a.warung_id, Decimal(0)) + a.allocated
    for warung_id, extra in allocation.surplus_to_warungs.items():
        parties[warung_id] = parties.get(warung_id, Decimal(0)) + extra
    parties[SATKER] = allocation.satker_stock
    return parties


def party_shares(
    sku: str,
    received: Mapping[int, Decimal],
    delivered: Mapping[int, Decimal],
    goods_idr: Mapping[int, int],
    *,
    market_price_idr: int | None = None,
    retail_price_idr: int | None = None,
) -> list[DeliveredShare]:
    """Who took what of each supplier's delivery of one product.

    ``received``: party -> units it received; ``delivered``: supplier -> units it delivered;
    ``goods_idr``: supplier -> what those units are billed at. Each party takes of every
    supplier the fraction it received of the whole (to 0.001 of a unit), at that supplier's
    unit cost; parts of zero are left out.
    """
    total = sum(delivered.values(), Decimal(0))
    if total <= 0:
        return []
    shares = []
    for supplier_id, quantity in sorted(delivered.items()):
        unit_cost = Decimal(goods_idr[supplier_id]) / quantity
        for party, got in sorted(received.items()):
            part = (got * quantity / total).quantize(QUANTUM)
            if part > 0:
                shares.append(
                    DeliveredShare(
                        party_id=party,
                        supplier_id=supplier_id,
                        sku=sku,
                        quantity=part,
                        unit_cost=unit_cost,
                        market_price_idr=market_price_idr,
                        retail_price_idr=retail_price_idr,
                    )
                )
    return shares


def settle(
    shares: Sequence[DeliveredShare], bills: Sequence[SupplierBill], delivered_on: date
) -> list[Invoice]:
    """One invoice per party; per supplier, the parts sum exactly to its billed total."""
    by_supplier: dict[int, list[DeliveredShare]] = defaultdict(list)
    for s in sorted(shares, key=attrgetter("supplier_id", "party_id", "sku")):
        by_supplier[s.supplier_id].append(s)
    bill_of = {b.supplier_id: b for b in bills}
    missing = set(by_supplier) - set(bill_of)
    if missing:
        raise ValueError(f"no bill for supplier(s) {sorted(missing)}")
    lines: dict[int, list[tuple[InvoiceLine, DeliveredShare]]] = defaultdict(list)
    for supplier_id, group in by_supplier.items():
        bill = bill_of[supplier_id]
        goods, fees = split_totals_largest_remainder(
            [bill.goods_idr, bill.delivery_fee_idr], [s.quantity * s.unit_cost for s in group]
        )
        for s, g, f in zip(group, goods, fees, strict=True):
            line = InvoiceLine(
                supplier_id=supplier_id, sku=s.sku, quantity=s.quantity, goods_idr=g, fee_idr=f
            )
            lines[s.party_id].append((line, s))
    due_of = {b.supplier_id: due_date(delivered_on, b.terms, b.tempo_days) for b in bills}
    invoices = []
    for party_id in sorted(lines):
        party_lines = tuple(line for line, _ in lines[party_id])
        party_goods = sum(line.goods_idr for line in party_lines)
        party_fees = sum(line.fee_idr for line in party_lines)
        market = customer = paid_with_ref = 0
        for line, s in lines[party_id]:
            if s.market_price_idr is None:
                continue
            value = rupiah_round(s.quantity * s.market_price_idr)
            market += value
            paid_with_ref += line.goods_idr + line.fee_idr
            if s.retail_price_idr is not None:
                customer += rupiah_round(s.quantity * (s.market_price_idr - s.retail_price_idr))
        invoices.append(
            Invoice(
                party_id=party_id,
                lines=party_lines,
                goods_idr=party_goods,
                fees_idr=party_fees,
                total_idr=party_goods + party_fees,
                due={sid: due_of[sid] for sid in sorted({ln.supplier_id for ln in party_lines})},
                market_value_idr=market,
                savings_idr=market - paid_with_ref,
                customer_savings_idr=customer,
            )
        )
    return invoices
