"""``kulakan import`` with a file that is not UTF-8, or with a NUL byte in a row: a
"line N, column C: …" message, a non-zero exit, and nothing saved."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fixtures_db import ROOT

pytestmark = pytest.mark.integration

HEADER = "sku,name,category,retail_unit\n"


async def run_import(database_url: str, path: Path) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.cli", "import", "products", str(path)],
        cwd=ROOT,
        env={**os.environ, "KULAKAN_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def product_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM product"))).scalar_one()


async def test_a_latin1_file_names_line_and_column_and_saves_nothing(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    rows = HEADER + "BRS-5,Beras 5 kg,sembako,karung\nGUL-1,Gula pasir café,sembako,kg\n"
    path.write_bytes(rows.encode("latin-1"))
    done = await run_import(database_url, path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "line 3, column name: byte 0xE9 is not UTF-8" in done.stderr
    assert await product_count(engine) == 0


async def test_a_nul_byte_in_a_row_names_line_and_column_and_saves_nothing(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        HEADER + "BRS-5,Beras 5 kg,sembako,karung\nGUL-1,Gula\x00pasir,sembako,kg\n",
        encoding="utf-8",
    )
    done = await run_import(database_url, path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "line 3, column name: contains a NUL byte (0x00)" in done.stderr
    assert await product_count(engine) == 0
