"""Bodies for suppliers without an API: wholesale-market price boards and WhatsApp traders."""

from __future__ import annotations

from datetime import date, datetime

from contracts.api.common import Out


class PriceBoardEntryOut(Out):
    date: date
    sku: str
    product_name: str
    grade: str
    unit: str
    min_idr: int
    max_idr: int


class PriceBoardOut(Out):
    """A market's latest board; ``board_date`` is null before any board was posted."""

    supplier_id: int
    board_date: date | None
    entries: list[PriceBoardEntryOut]


class WhatsAppMessageOut(Out):
    """The order as a WhatsApp message to the trader, with a wa.me link that opens it."""

    text: str
    wa_link: str
    confirmation_url: str
    expires_at: datetime
