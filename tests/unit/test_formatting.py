"""Indonesian formats from Babel, and phone numbers for wa.me."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest

from contracts.formatting import long_date, moment, quantity, rupiah, time_of_day
from contracts.phone import normalise_phone, wa_me_link

AT = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)


def test_rupiah():
    assert rupiah(1_234_567) == "Rp 1.234.567"
    assert rupiah(0) == "Rp 0"
    assert rupiah(-25_000) == "-Rp 25.000"
    assert rupiah(1_234_567, "en_ID") == "Rp 1.234.567"
    with pytest.raises(TypeError):
        rupiah(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        ("Asia/Jakarta", "Kamis, 26 November 2026 06:00 WIB"),
        ("Asia/Makassar", "Kamis, 26 November 2026 07:00 WITA"),
        ("Asia/Jayapura", "Kamis, 26 November 2026 08:00 WIT"),
    ],
)
def test_a_moment_in_the_satkers_zone(zone, text):
    assert moment(AT, zone) == text


def test_dates_times_and_english():
    assert moment(AT, "Asia/Jakarta", "en_ID") == "Thursday, 26 November 2026 06:00 WIB"
    assert time_of_day(AT, "Asia/Makassar") == "07:00 WITA"
    assert long_date(date(2026, 8, 17)) == "Senin, 17 Agustus 2026"
    with pytest.raises(ValueError):
        moment(datetime(2026, 1, 1), "Asia/Jakarta")


def test_quantities_with_their_unit():
    assert quantity(Decimal("2.500"), "kg") == "2,5 kg"
    assert quantity(Decimal("1234.125"), "kg") == "1.234,125 kg"
    assert quantity(40, "pcs") == "40 pcs"
    assert quantity(Decimal("12")) == "12"
    with pytest.raises(TypeError):
        quantity(2.5, "kg")  # type: ignore[arg-type]


def test_phone_numbers_and_wa_me_links():
    for raw in ("0812-3456-7890", "+62 812 3456 7890", "812 3456 7890"):
        assert normalise_phone(raw) == "6281234567890"
    for bad in ("", "12345", "0812-abc", "+1 212 555 0100"):
        with pytest.raises(ValueError):
            normalise_phone(bad)
    link = wa_me_link("0812 3456 7890", "Halo Bu, batas pesan 12:00 & besok?")
    assert link.startswith("https://wa.me/6281234567890?text=")
    assert unquote(link.split("text=")[1]) == "Halo Bu, batas pesan 12:00 & besok?"
