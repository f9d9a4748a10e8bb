"""What ``kulakan demo run`` reports: the cycle's orders, fill rate, invoices against the
suppliers' bills, savings and receipts, as JSON or as text."""

from __future__ import annotations

from decimal import Decimal

import msgspec


class DemoOrder(msgspec.Struct, kw_only=True):
    po_number: str
    supplier: str
    status: str
    goods_idr: int
    delivery_fee_idr: int


class DemoSummary(msgspec.Struct, kw_only=True):
    satker_id: int
    cycle_id: int
    bulk_buy_id: int
    warungs: int
    request_lines: int
    solver: str
    solver_status: str
    purchase_orders: list[DemoOrder]
    ordered_value_idr: int
    delivered_value_idr: int
    fill_rate: Decimal
    supplier_billed_idr: int
    invoices: int
    invoiced_idr: int
    warung_savings_idr: int
    customer_savings_idr: int
    receipts: int
    discrepancies: int
    seconds: float

    def text(self) -> str:
        rp = rupiah
        lines = [
            f"kulakan demo run: Satker Kalidoni (satker {self.satker_id}), cycle {self.cycle_id}",
            f"  {self.warungs} warungs sent {self.request_lines} restock lines",
            f"  bulk buy {self.bulk_buy_id}: split by {self.solver} ({self.solver_status}),"
            f" {len(self.purchase_orders)} purchase orders",
        ]
        for po in self.purchase_orders:
            lines.append(
                f"    {po.po_number:<22} {po.supplier:<40} {po.status:<10}"
                f" {rp(po.goods_idr)} + ongkir {rp(po.delivery_fee_idr)}"
            )
        lines += [
            f"  fill rate {self.fill_rate * 100:.1f} %: delivered {rp(self.delivered_value_idr)}"
            f" of {rp(self.ordered_value_idr)} ordered",
            f"  {self.invoices} invoices (warungs and satker stock) = {rp(self.invoiced_idr)};"
            f" suppliers bill {rp(self.supplier_billed_idr)}"
            + (" — equal to the rupiah" if self.invoiced_idr == self.supplier_billed_idr else ""),
            f"  savings against the market: warungs {rp(self.warung_savings_idr)},"
            f" their customers {rp(self.customer_savings_idr)}",
            f"  receipts: {self.receipts} lines confirmed, {self.discrepancies} short or damaged",
            f"  took {self.seconds:.1f} s",
        ]
        return "\n".join(lines)


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")
