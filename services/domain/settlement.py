"""Settlement: each warung's invoice for a cycle, summing exactly to what suppliers billed.

Per supplier, its billed total (goods and delivery fee) is split over the parties that took
its goods — warungs, and the satker for stock it keeps — by value, with largest remainder,
so the parts add up to the rupiah. Savings compare what the warung paid and its suggested
retail price with the market reference.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

import msgspec

from contracts.money import rupiah_round, split_largest_remainder

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


def due_date(delivered_on: date, terms: PaymentTerms, tempo_days: int) -> date | None:
    if terms == PaymentTerms.COD:
        return delivered_on
    if terms == PaymentTerms.TEMPO:
        return delivered_on + timedelta(days=tempo_days)
    return None


def settle(
    shares: Sequence[DeliveredShare], bills: Sequence[SupplierBill], delivered_on: date
) -> list[Invoice]:
    """One invoice per party; per supplier, the parts sum exactly to its billed total."""
    by_supplier: dict[int, list[DeliveredShare]] = defaultdict(list)
    for s in sorted(shares, key=lambda s: (s.supplier_id, s.party_id, s.sku)):
        by_supplier[s.supplier_id].append(s)
    bill_of = {b.supplier_id: b for b in bills}
    missing = set(by_supplier) - set(bill_of)
    if missing:
        raise ValueError(f"no bill for supplier(s) {sorted(missing)}")
    lines: dict[int, list[InvoiceLine]] = defaultdict(list)
    for supplier_id, group in by_supplier.items():
        bill = bill_of[supplier_id]
        values = [s.quantity * s.unit_cost for s in group]
        goods = split_largest_remainder(bill.goods_idr, values)
        fees = split_largest_remainder(bill.delivery_fee_idr, values)
        for s, g, f in zip(group, goods, fees, strict=True):
            lines[s.party_id].append(
                InvoiceLine(
                    supplier_id=supplier_id, sku=s.sku, quantity=s.quantity, goods_idr=g, fee_idr=f
                )
            )
    share_of = {(s.party_id, s.supplier_id, s.sku): s for s in shares}
    invoices = []
    for party_id in sorted(lines):
        party_lines = tuple(lines[party_id])
        goods = sum(line.goods_idr for line in party_lines)
        fees = sum(line.fee_idr for line in party_lines)
        market = customer = paid_with_ref = 0
        for line in party_lines:
            s = share_of[(party_id, line.supplier_id, line.sku)]
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
                goods_idr=goods,
                fees_idr=fees,
                total_idr=goods + fees,
                due={
                    sid: due_date(delivered_on, bill_of[sid].terms, bill_of[sid].tempo_days)
                    for sid in sorted({line.supplier_id for line in party_lines})
                },
                market_value_idr=market,
                savings_idr=market - paid_with_ref,
                customer_savings_idr=customer,
            )
        )
    return invoices
