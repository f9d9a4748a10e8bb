"""The review page's fast formats give exactly Babel's text, in both languages."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from contracts import formatting
from services.web.fast_format import Formats


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_fast_formats_are_babels_to_the_character(language):
    locale = formatting.locale_for(language)
    fast = Formats(locale)
    rnd = random.Random(14)
    amounts = [
        0,
        1,
        -1,
        999,
        1000,
        -1000,
        12_345_678_901,
        *(rnd.randint(-(10**9), 10**10) for _ in range(2000)),
    ]
    for amount in amounts:
        assert fast.rupiah(amount) == formatting.rupiah(amount, locale), amount
    quantities = [
        Decimal("0"),
        Decimal("0.000"),
        Decimal("0.0004"),
        Decimal("0.0005"),
        Decimal("0.0015"),
        Decimal("2.500"),
        Decimal("-2.5"),
        Decimal("1234.5"),
        Decimal("1000000"),
        Decimal("7"),
        *(
            Decimal(rnd.randint(-(10**7), 10**9)) / Decimal(10 ** rnd.randint(0, 4))
            for _ in range(2000)
        ),
    ]
    for q in quantities:
        for unit in ("", "kg"):
            assert fast.quantity(q, unit) == formatting.quantity(q, unit, locale), (q, unit)
    with pytest.raises(TypeError):
        fast.rupiah(1.5)
    with pytest.raises(TypeError):
        fast.quantity(1.5)
