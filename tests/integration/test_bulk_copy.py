"""Rows written with COPY come back exactly: text with tabs, backslashes and line breaks,
NULLs, numerics, dates, and more rows than one encoded chunk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.db import bulk_insert
from services.db.bulk_insert import copy_rows
from services.db.tx import Tx


async def test_copied_rows_read_back_exactly(engine, monkeypatch):
    monkeypatch.setattr(bulk_insert, "COPY_CHUNK_ROWS", 3)
    rows = [
        (1, "Beras\tpremium", Decimal("12.500"), date(2026, 12, 2), True),
        (2, "C:\\gudang\\rak 2", Decimal("0.001"), None, False),
        (3, "dua\nbaris\r", Decimal("1E+1"), date(2026, 1, 31), True),
        (4, "", Decimal(0), None, False),
        (5, "biasa", Decimal("99999999999.999"), date(2027, 2, 28), True),
    ]
    async with Tx(engine) as tx:
        raw = await tx.raw()
        await raw.execute(
            "CREATE TEMP TABLE copied (id bigint, label text, quantity numeric(14, 3),"
            " due_on date, paid boolean)"
        )
        await copy_rows(raw, "copied", ["id", "label", "quantity", "due_on", "paid"], rows)
        back = [tuple(r) for r in await raw.fetch("SELECT * FROM copied ORDER BY id")]
    assert back == rows
