"""Rupiah and quantities for pages with hundreds of figures (the bulk-buy review): the same
text as :mod:`contracts.formatting` (Babel), made with string operations. The separators and
the currency's place come from Babel's own output for the locale, read once, so the two cannot
drift apart; ``tests/unit/test_fast_format.py`` checks them against Babel value by value.
Babel takes about 50 µs a figure; a review page of 200 lines has some 2,500."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from contracts import formatting

_PROBE = 1234567
_MILLI = Decimal("0.001")


class Formats:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        positive = formatting.rupiah(_PROBE, locale)
        negative = formatting.rupiah(-_PROBE, locale)
        start = positive.index("1")
        self.group = positive[start + 1]
        self.prefix, self.suffix = positive[:start], positive[positive.index("567") + 3 :]
        n_start = negative.index("1")
        self.n_prefix = negative[:n_start]
        self.n_suffix = negative[negative.index("567") + 3 :]
        sample = formatting.quantity(Decimal("1234.5"), "", locale)
        self.decimal = sample[sample.index("4") + 1]

    def _grouped(self, whole: int) -> str:
        return f"{whole:,}".replace(",", self.group)

    def rupiah(self, amount: int) -> str:
        if isinstance(amount, float):
            raise TypeError("money is integer rupiah, never a float")
        if amount < 0:
            return self.n_prefix + self._grouped(-amount) + self.n_suffix
        return self.prefix + self._grouped(amount) + self.suffix

    def quantity(self, value: Decimal | int, unit: str = "") -> str:
        if isinstance(value, float):
            raise TypeError("quantities are Decimal, never a float")
        q = Decimal(value).quantize(_MILLI, rounding=ROUND_HALF_EVEN)
        sign, text = ("-", str(-q)) if q < 0 else ("", str(q))
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0")
        out = sign + self._grouped(int(whole)) + (self.decimal + fraction if fraction else "")
        if out == "-0":
            out = "0"
        return f"{out} {unit}" if unit else out


@cache
def formats(language: str) -> Formats:
    return Formats(formatting.locale_for(language))
