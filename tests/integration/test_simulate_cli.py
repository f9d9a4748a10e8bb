"""`kulakan simulate marketplace --catalogue FILE` refuses a file it cannot sell from before it
starts serving, naming the line and column."""

from __future__ import annotations

import subprocess
import sys

from tests.fixtures_db import ROOT


def test_a_bad_catalogue_stops_the_simulator_with_line_and_column(tmp_path):
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "sku,pack_name,units_per_pack,min_packs,price_per_pack_idr,moq_packs,stock_packs,lead_days\n"
        "LELE,keranjang 10 kg,10,1,240000,2,30,1\n"
        "LELE,keranjang 10 kg,ten,5,230000,2,30,1\n"
    )
    command = ["simulate", "marketplace", "--catalogue", str(catalogue), "--port", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "line 3, column 3 (units_per_pack): 'ten' is not a number" in done.stderr
