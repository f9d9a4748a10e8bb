"""Reading the owner's forms: quantities typed the Indonesian way ("1,5") or the other
("1.5"), and the field errors of a use case's refusal, in the page's words."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from contracts.errors import InvalidInput

MAX_LENGTH = 12


def parse_quantity(text: str | None) -> Decimal | None:
    """``"1,5"`` → ``Decimal("1.5")``; empty → 0; None when it is not a number ≥ 0."""
    value = (text or "").strip().replace(" ", "")
    if not value:
        return Decimal(0)
    if len(value) > MAX_LENGTH:
        return None
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    return number


def show_quantity(value: Decimal) -> str:
    """``Decimal("1.500")`` → ``"1,5"``: what the input shows."""
    text = format(value.normalize(), "f") if value else "0"
    return text.replace(".", ",")


def field_errors(exc: InvalidInput, keys: list[str]) -> dict[str, str]:
    """``/lines/3/quantity`` → the 4th key's error; messages in the catalogue's terms."""
    found: dict[str, str] = {}
    for e in exc.errors:
        parts = e.pointer.strip("/").split("/")
        if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(keys):
            found.setdefault(keys[int(parts[1])], e.detail)
        elif parts and parts[0]:
            found.setdefault(parts[0], e.detail)
    return found


def N_(message: str) -> str:
    return message


# the use cases' field errors an owner can cause, in the catalogue (msgids as they are raised)
KNOWN = {
    N_("must be greater than 0"),
    N_("must not be negative"),
    N_("must be a decimal number"),
    N_("must have at most 3 decimal places"),
    N_("this product is sold in whole units only"),
    N_("the date has passed"),
    N_("listed twice"),
    N_("not delivered to this warung"),
}
NOT_A_NUMBER = N_("Type a number, e.g. 2 or 1,5")
OTHER = N_("This value is not accepted")


def explain(detail: str, gettext: Callable[[str], str]) -> str:
    if detail in KNOWN or detail == NOT_A_NUMBER:
        return gettext(detail)
    if detail.startswith("more than the"):
        return gettext(N_("More than was delivered"))
    return gettext(OTHER)
