"""The trader's confirmation page: server-rendered, mobile-first, no JavaScript.

The form has, per order line ``n``: ``line_<n>_packs`` (packs the trader will send; 0 means
not available), ``line_<n>_price_per_pack_idr`` and an optional ``line_<n>_note``; then
``delivery_fee_idr`` (ongkir, 0 if free), ``delivery_method`` (see DELIVERY_METHODS) and
``decision`` = ``confirm`` | ``reject`` with an optional ``reject_reason``. Validation errors
point at the form field (``/line_2_packs``) and are worded in Indonesian for the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

import jinja2

from adapters.local_time import local_moment
from adapters.templates import page_templates
from adapters.whatsapp_trader.message import line_amount_text, order_total_idr
from contracts.adapter import PurchaseOrderRequest
from contracts.errors import FieldError, InvalidInput
from contracts.events import (
    LineConfirmation,
    LineOutcome,
    OrderConfirmed,
    OrderRejected,
    SupplierEvent,
)

DELIVERY_METHODS: dict[str, str] = {
    "ojek_online": "Ojek online",
    "diantar_sendiri": "Diantar sendiri",
    "diambil": "Diambil pembeli",
}
MAX_PACKS = 100_000
MAX_RUPIAH = 10_000_000_000


class _EventHead(TypedDict):
    """The fields every event of one answer shares."""

    event_id: str
    po_number: str
    occurred_at: datetime
    supplier_ref: str | None


_RUPIAH = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d{1,11})(?:,-|,00)?$", re.IGNORECASE)
_QUANTITY = re.compile(r"^\d{1,9}(?:[.,]\d{1,3})?$")


def packs_field(line_no: int) -> str:
    return f"line_{line_no}_packs"


def price_field(line_no: int) -> str:
    return f"line_{line_no}_price_per_pack_idr"


def note_field(line_no: int) -> str:
    return f"line_{line_no}_note"


def response_event_id(po_number: str) -> str:
    """One id for the trader's answer, confirm or reject: the first answer wins."""
    return f"{po_number}:trader-response"


def _value(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return value.strip() if isinstance(value, str) else ""


def parse_rupiah(text: str) -> int | None:
    """``"20000"``, ``"20.000"``, ``"Rp 20.000"``, ``"20.000,-"`` → 20000; else None."""
    match = _RUPIAH.match(text.replace(" ", ""))
    if match is None:
        return None
    amount = int(match.group(1).replace(".", ""))
    return amount if amount <= MAX_RUPIAH else None


def parse_quantity(text: str) -> Decimal | None:
    """``"10"``, ``"10,5"``, ``"10.5"`` → Decimal; at most three decimals; else None."""
    if not _QUANTITY.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def parse_confirmation_form(
    form: Mapping[str, Any],
    po: PurchaseOrderRequest,
    *,
    submitted_at: datetime,
    supplier_ref: str | None = None,
) -> list[SupplierEvent]:
    """The trader's answer as events: OrderConfirmed (lines accepted / changed / rejected,
    with ongkir and delivery method) or OrderRejected (rejected outright, or nothing available).
    Raise InvalidInput naming each bad field."""
    common: _EventHead = {
        "event_id": response_event_id(po.po_number),
        "po_number": po.po_number,
        "occurred_at": submitted_at,
        "supplier_ref": supplier_ref or f"WA-{po.po_number}",
    }
    decision = _value(form, "decision")
    if decision == "reject":
        reason = _value(form, "reject_reason")[:500] or "Pesanan ditolak pedagang"
        return [OrderRejected(reason=reason, **common)]
    if decision != "confirm":
        raise InvalidInput(
            "Pilih kirim konfirmasi atau tolak pesanan",
            errors=[FieldError("/decision", "Pilih kirim konfirmasi atau tolak pesanan")],
        )
    errors: list[FieldError] = []
    lines: list[LineConfirmation] = []
    for line in sorted(po.lines, key=lambda line: line.line_no):
        packs_name, price_name = packs_field(line.line_no), price_field(line.line_no)
        packs_text, price_text = _value(form, packs_name), _value(form, price_name)
        note = _value(form, note_field(line.line_no))[:200]
        quantity = parse_quantity(packs_text)
        if quantity is None or quantity > MAX_PACKS:
            errors.append(FieldError(f"/{packs_name}", "Isi jumlah dengan angka, 0 jika tidak ada"))
            continue
        if quantity != quantity.to_integral_value():
            errors.append(
                FieldError(f"/{packs_name}", f"Jumlah harus bulat, dalam {line.pack_name}")
            )
            continue
        packs = int(quantity)
        if packs == 0:
            lines.append(
                LineConfirmation(
                    line_no=line.line_no,
                    outcome=LineOutcome.REJECTED,
                    reason=note or "Tidak tersedia",
                )
            )
            continue
        price = parse_rupiah(price_text)
        if price is None or price == 0:
            errors.append(
                FieldError(f"/{price_name}", "Isi harga dalam rupiah tanpa desimal, mis. 20.000")
            )
            continue
        if packs == line.packs and price == line.price_per_pack_idr:
            lines.append(LineConfirmation(line_no=line.line_no, outcome=LineOutcome.ACCEPTED))
        else:
            lines.append(
                LineConfirmation(
                    line_no=line.line_no,
                    outcome=LineOutcome.CHANGED,
                    packs=packs,
                    price_per_pack_idr=price,
                    reason=note,
                )
            )
    fee = parse_rupiah(_value(form, "delivery_fee_idr"))
    if fee is None:
        errors.append(FieldError("/delivery_fee_idr", "Isi ongkir dalam rupiah, 0 jika gratis"))
    method = _value(form, "delivery_method")
    if method not in DELIVERY_METHODS:
        errors.append(FieldError("/delivery_method", "Pilih cara antar"))
    if errors:
        raise InvalidInput("Periksa isian yang ditandai", errors=errors)
    if all(line.outcome is LineOutcome.REJECTED for line in lines):
        return [OrderRejected(reason="Semua barang tidak tersedia", **common)]
    return [
        OrderConfirmed(lines=tuple(lines), delivery_fee_idr=fee, delivery_method=method, **common)
    ]


def _templates() -> jinja2.Environment:
    return page_templates(__package__)


def render_confirmation_page(
    po: PurchaseOrderRequest,
    token: str,
    *,
    action_url: str = "",
    trader_name: str = "",
    buyer_name: str = "",
    expires_at: datetime | None = None,
    errors: Sequence[FieldError] = (),
    values: Mapping[str, Any] | None = None,
    timezone: str = "Asia/Jakarta",
) -> str:
    """The form for one order, pre-filled with the ordered figures, or, after a failed
    submission, with the trader's ``values`` and the ``errors`` beside their fields.
    ``action_url`` empty posts back to the page's own address."""
    given = values or {}
    messages = {error.pointer.lstrip("/"): error.detail for error in errors}

    def filled(name: str, default: object) -> str:
        return _value(given, name) if name in given else str(default)

    rows = [
        {
            "line": line,
            "amount": line_amount_text(line),
            "packs_name": packs_field(line.line_no),
            "price_name": price_field(line.line_no),
            "note_name": note_field(line.line_no),
            "packs": filled(packs_field(line.line_no), line.packs),
            "price": filled(price_field(line.line_no), line.price_per_pack_idr),
            "note": filled(note_field(line.line_no), ""),
            "packs_error": messages.get(packs_field(line.line_no), ""),
            "price_error": messages.get(price_field(line.line_no), ""),
        }
        for line in sorted(po.lines, key=lambda line: line.line_no)
    ]
    fee_default = po.delivery_fee_idr if po.delivery_fee_idr else ""
    return (
        _templates()
        .get_template("confirmation.html")
        .render(
            po=po,
            token=token,
            action_url=action_url,
            trader_name=trader_name,
            buyer_name=buyer_name,
            expires=local_moment(expires_at, timezone) if expires_at else "",
            rows=rows,
            total_idr=order_total_idr(po),
            fee=filled("delivery_fee_idr", fee_default),
            fee_error=messages.get("delivery_fee_idr", ""),
            method=_value(given, "delivery_method"),
            method_error=messages.get("delivery_method", ""),
            decision_error=messages.get("decision", ""),
            methods=DELIVERY_METHODS,
            has_errors=bool(errors),
        )
    )


def render_submitted_page(
    result: OrderConfirmed | OrderRejected,
    po: PurchaseOrderRequest | None = None,
    *,
    timezone: str = "Asia/Jakarta",
) -> str:
    """A read-only view of the trader's answer, for a link already used."""
    names = {line.line_no: line.product_name or line.sku for line in po.lines} if po else {}
    packs = {line.line_no: line for line in po.lines} if po else {}
    rows = []
    if isinstance(result, OrderConfirmed):
        for confirmation in result.lines:
            ordered = packs.get(confirmation.line_no)
            rows.append(
                {
                    "line_no": confirmation.line_no,
                    "name": names.get(confirmation.line_no, f"Baris {confirmation.line_no}"),
                    "outcome": confirmation.outcome.value,
                    "packs": confirmation.packs
                    if confirmation.packs is not None
                    else (ordered.packs if ordered else None),
                    "pack_name": ordered.pack_name if ordered else "",
                    "price": confirmation.price_per_pack_idr
                    if confirmation.price_per_pack_idr is not None
                    else (ordered.price_per_pack_idr if ordered else None),
                    "reason": confirmation.reason,
                }
            )
    return (
        _templates()
        .get_template("submitted.html")
        .render(
            result=result,
            confirmed=isinstance(result, OrderConfirmed),
            rows=rows,
            method=DELIVERY_METHODS.get(getattr(result, "delivery_method", ""), ""),
            at=local_moment(result.occurred_at, timezone),
        )
    )


ERROR_TEXTS = {
    "tampered": (
        "Tautan tidak valid",
        "Tautan ini rusak atau tidak lengkap. Buka lagi tautan dari pesan WhatsApp, "
        "atau minta tautan baru ke pemesan.",
    ),
    "expired": (
        "Tautan sudah kedaluwarsa",
        "Batas waktu konfirmasi pesanan ini sudah lewat. Hubungi pemesan lewat WhatsApp "
        "bila pesanan masih bisa dilayani.",
    ),
    "cancelled": (
        "Pesanan dibatalkan",
        "Pemesan sudah membatalkan pesanan ini. Tidak perlu dikirim.",
    ),
}
_FALLBACK_ERROR = ("Terjadi kesalahan", "Halaman ini tidak bisa dibuka. Coba lagi nanti.")


def render_error_page(kind: str, *, contact_phone: str = "") -> str:
    """A plain page for a bad link: ``kind`` is ``tampered`` or ``expired``."""
    title, text = ERROR_TEXTS.get(kind, _FALLBACK_ERROR)
    return (
        _templates()
        .get_template("error.html")
        .render(kind=kind, title=title, text=text, contact_phone=contact_phone)
    )
