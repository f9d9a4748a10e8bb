"""Invoice numbers: sequential per satker, never changed once issued. The migration that
introduced them gives invoices issued before it serials in the order they were written and
leaves their numbers alone; settlement then carries on from the satker's counter."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from services.app.invoices import write_invoices
from services.db.migrate import upgrade
from services.domain.settlement import SATKER, Invoice
from tests.fixtures_db import _admin, _dsn, with_database

INVOICE = (
    "INSERT INTO invoice (satker_id, id, bulk_buy_id, cycle_id, warung_id, number, goods_idr,"
    " fees_idr, total_idr, market_value_idr, savings_idr, customer_savings_idr, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 0, 0, 0, 0, $7::text::timestamptz)"
)


def empty_invoice(party: int) -> Invoice:
    return Invoice(
        party_id=party,
        lines=(),
        goods_idr=0,
        fees_idr=0,
        total_idr=0,
        due={},
        market_value_idr=0,
        savings_idr=0,
        customer_savings_idr=0,
    )


async def test_the_migration_numbers_earlier_invoices_without_renumbering_them(database_url):
    name = f"kulakan_serials_{uuid.uuid4().hex[:8]}"
    await _admin(database_url, f'CREATE DATABASE "{name}"')
    url = with_database(database_url, name)
    try:
        upgrade(url, "0010")
        conn = await asyncpg.connect(_dsn(url))
        try:
            # rows as settlement wrote them before serials (foreign keys off: only invoices
            # and their settlements matter here)
            await conn.execute("SET session_replication_role = replica")
            for satker in (1, 2):
                await conn.execute(
                    "INSERT INTO satker (id, name, kecamatan, kota, province, timezone)"
                    " VALUES ($1, $2, 'k', 'k', 'p', 'Asia/Jakarta')",
                    satker,
                    f"Satker {satker}",
                )
            for satker, bulk_buy in ((1, 5), (1, 6), (1, 7), (2, 8), (1, 9)):
                await conn.execute(
                    "INSERT INTO settlement (satker_id, bulk_buy_id, cycle_id, delivered_on,"
                    " supplier_billed_idr, invoiced_idr, ordered_value_idr, delivered_value_idr)"
                    " VALUES ($1, $2, 1, '2026-11-20', 0, 0, 0, 0)",
                    satker,
                    bulk_buy,
                )
            await conn.execute(INVOICE, 1, 10, 5, 3, 7, "INV-1-3-7", "2026-11-20T10:00Z")
            await conn.execute(INVOICE, 1, 11, 5, 3, None, "INV-1-3-SATKER", "2026-11-20T10:00Z")
            await conn.execute(INVOICE, 1, 12, 6, 4, 7, "INV-1-4-7", "2026-11-21T10:00Z")
            await conn.execute(INVOICE, 2, 13, 8, 9, 8, "INV-2-9-8", "2026-11-19T10:00Z")
            # a second bulk buy of cycle 4 once made a number twice
            await conn.execute(INVOICE, 1, 14, 7, 4, 7, "INV-1-4-7", "2026-11-22T10:00Z")
        finally:
            await conn.close()

        upgrade(url)

        conn = await asyncpg.connect(_dsn(url))
        try:
            rows = await conn.fetch(
                "SELECT satker_id, id, serial, number FROM invoice ORDER BY satker_id, serial"
            )
            assert [(r["satker_id"], r["id"], r["serial"], r["number"]) for r in rows] == [
                (1, 10, 1, "INV-1-3-7"),
                (1, 11, 2, "INV-1-3-SATKER"),
                (1, 12, 3, "INV-1-4-7"),
                (1, 14, 4, "INV-1-000004"),  # the duplicate takes the new form
                (2, 13, 1, "INV-2-9-8"),
            ]
            counters = await conn.fetch(
                "SELECT satker_id, last_serial FROM invoice_counter ORDER BY satker_id"
            )
            assert [tuple(r) for r in counters] == [(1, 4), (2, 1)]
            # settlement carries on from the counter
            await conn.execute("SET session_replication_role = replica")
            async with conn.transaction():
                await write_invoices(
                    conn,
                    1,
                    9,
                    5,
                    [empty_invoice(8), empty_invoice(SATKER), empty_invoice(2)],
                    product_of_sku={},
                    terms_of={},
                    now=datetime(2026, 11, 24, tzinfo=UTC),
                )
            issued = await conn.fetch(
                "SELECT warung_id, serial, number FROM invoice WHERE bulk_buy_id = 9 ORDER BY serial"
            )
            assert [tuple(r) for r in issued] == [
                (2, 5, "INV-1-000005"),
                (8, 6, "INV-1-000006"),
                (None, 7, "INV-1-000007"),
            ]
            assert (
                await conn.fetchval("SELECT last_serial FROM invoice_counter WHERE satker_id = 1")
                == 7
            )
            with pytest.raises(asyncpg.UniqueViolationError) as refused:
                await conn.execute(
                    "UPDATE invoice SET number = 'INV-1-000005' WHERE satker_id = 1 AND serial = 6"
                )
            assert refused.value.constraint_name == "uq_invoice_satker_id_number"
        finally:
            await conn.close()
    finally:
        await _admin(database_url, f'DROP DATABASE "{name}" WITH (FORCE)')
