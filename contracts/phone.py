"""Indonesian phone numbers as wa.me and sign-in want them, and wa.me links. Pure."""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["normalise_phone", "wa_me_link"]

_SEPARATORS = re.compile(r"[\s().-]")


def normalise_phone(raw: str) -> str:
    """``0812-3456-7890``, ``+62 812 3456 7890`` and ``812 3456 7890`` all give
    ``6281234567890``. Raise ValueError for anything else."""
    digits = _SEPARATORS.sub("", raw or "").removeprefix("+")
    if not digits.isdigit():
        raise ValueError("must be a phone number of digits, e.g. 0812-3456-7890")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("62") or digits.startswith("620") or not 10 <= len(digits) <= 15:
        raise ValueError("must be an Indonesian number, e.g. 0812-3456-7890 or +62 812 3456 7890")
    return digits


def wa_me_link(phone: str, text: str) -> str:
    """``https://wa.me/<digits>?text=<text, percent-encoded>``."""
    return f"https://wa.me/{normalise_phone(phone)}?text={quote(text, safe='')}"
