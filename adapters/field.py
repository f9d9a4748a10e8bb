"""What the field suppliers' adapters (a wholesale market, a WhatsApp trader) share: the time
from the context's clock, the supplier reference made from the PO number, an order status
that is always unknown (neither has a system to ask) and offers with one price per pack."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from contracts.adapter import (
    AdapterContext,
    OrderStatusReport,
    PackOffer,
    RemoteOrderStatus,
    TierPrice,
)
from contracts.money import Rupiah


def one_price_offer(
    *,
    sku: str,
    pack_name: str,
    units_per_pack: Decimal,
    price_per_pack_idr: Rupiah,
    moq_packs: int = 1,
    available_packs: int | None = None,
    lead_days: int = 1,
    supplier_sku: str | None = None,
    grade: str | None = None,
    volume_tiers: tuple[TierPrice, ...] = (),
) -> PackOffer:
    """An offer at one price per pack from the minimum order up, and lower prices from the
    ``volume_tiers`` the supplier gives (each from its own number of packs, above the MOQ)."""
    base = TierPrice(min_packs=moq_packs, price_per_pack_idr=price_per_pack_idr)
    return PackOffer(
        sku=sku,
        pack_name=pack_name,
        units_per_pack=units_per_pack,
        tiers=(base, *sorted(volume_tiers, key=lambda t: t.min_packs)),
        moq_packs=moq_packs,
        available_packs=available_packs,
        lead_days=lead_days,
        supplier_sku=supplier_sku,
        grade=grade,
    )


class FieldAdapter:
    """A base for adapters of suppliers with no system of their own."""

    ref_prefix: ClassVar[str]
    context: AdapterContext

    def now(self) -> datetime:
        clock = self.context.clock
        return clock() if clock is not None else datetime.now(UTC)

    def supplier_ref(self, po_number: str) -> str:
        return f"{self.ref_prefix}-{po_number}"

    async def order_status(self, po_number: str, supplier_ref: str | None) -> OrderStatusReport:
        return OrderStatusReport(
            supplier_ref=supplier_ref or self.supplier_ref(po_number),
            status=RemoteOrderStatus.UNKNOWN,
        )
