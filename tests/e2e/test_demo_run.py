"""End to end through real HTTP: ``kulakan demo run`` starts the API server, the worker and
the marketplace and UBL supplier simulators as processes on the test database and plays a whole cycle, from
20 warungs' restock requests to invoices and receipts. The sums are checked here again,
from the database, independently of the demo's own summary."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from decimal import Decimal

from sqlalchemy import text

from tests.fixtures_db import ROOT


async def test_a_whole_cycle_from_requests_to_invoices(engine, database_url):
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", "demo", "run", "--json"],
        cwd=ROOT,
        env={**os.environ, "KULAKAN_DATABASE_URL": database_url, "KULAKAN_LOG_JSON": "1"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["warungs"] == 20 and summary["request_lines"] == 80
    kinds = {po["supplier"] for po in summary["purchase_orders"]}
    assert len(kinds) == 4  # the marketplace, Jakabaring, the WhatsApp trader and the UBL ERP
    assert {po["status"] for po in summary["purchase_orders"]} <= {"delivered", "invoiced"}
    assert Decimal("0.8") < Decimal(str(summary["fill_rate"])) < 1  # the marketplace fills 90 %
    assert summary["invoiced_idr"] == summary["supplier_billed_idr"]
    assert summary["warung_savings_idr"] > 0 and summary["discrepancies"] >= 1

    bb = summary["bulk_buy_id"]
    async with engine.connect() as conn:
        invoiced = (
            await conn.execute(
                text("SELECT sum(total_idr) FROM invoice WHERE bulk_buy_id = :b"), {"b": bb}
            )
        ).scalar()
        lines = (
            await conn.execute(
                text(
                    "SELECT sum(l.goods_idr + l.fee_idr) FROM invoice_line l JOIN invoice i"
                    " ON i.satker_id = l.satker_id AND i.id = l.invoice_id WHERE i.bulk_buy_id = :b"
                ),
                {"b": bb},
            )
        ).scalar()
        # what the suppliers delivered, at the price paid, plus the fees of their orders
        billed = (
            await conn.execute(
                text(
                    """
                    SELECT sum(g) FROM (
                      SELECT round(coalesce(l.delivered_quantity, 0) / l.units_per_pack
                             * coalesce(l.delivered_price_per_pack_idr,
                                        l.confirmed_price_per_pack_idr, l.price_per_pack_idr))
                             AS g
                      FROM purchase_order_line l JOIN purchase_order p
                        ON p.satker_id = l.satker_id AND p.id = l.purchase_order_id
                      WHERE p.bulk_buy_id = :b
                      UNION ALL
                      SELECT delivery_fee_idr FROM purchase_order WHERE bulk_buy_id = :b
                    ) parts
                    """
                ),
                {"b": bb},
            )
        ).scalar()
        movements = (
            await conn.execute(text("SELECT count(*) FROM stock_movement WHERE reason = 'receipt'"))
        ).scalar()
        received = (
            await conn.execute(
                text(
                    "SELECT count(*) FILTER (WHERE receipt <> 'pending'),"
                    " count(*) FILTER (WHERE received > 0) FROM warung_delivery"
                    " WHERE bulk_buy_id = :b"
                ),
                {"b": bb},
            )
        ).one()
    assert invoiced == lines == summary["invoiced_idr"]
    assert billed == summary["supplier_billed_idr"]
    # every confirmed line is recorded, and each with goods received moved the warung's stock
    assert received[0] == summary["receipts"] and movements == received[1]
