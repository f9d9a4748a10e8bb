"""A purchase order as a WhatsApp message in Indonesian, and the wa.me link that opens it."""

from __future__ import annotations

from datetime import datetime

from adapters.local_time import local_moment, long_date, quantity_text, rupiah, zone
from contracts.adapter import OrderLine, PurchaseOrderRequest
from contracts.phone import normalise_phone, wa_me_link

__all__ = [
    "greeting",
    "line_amount_text",
    "normalise_phone",
    "order_total_idr",
    "render_whatsapp_message",
    "wa_me_link",
]


def greeting(at: datetime, timezone: str = "Asia/Jakarta") -> str:
    """Selamat pagi / siang / sore / malam by the local hour."""
    hour = at.astimezone(zone(timezone)).hour
    if 4 <= hour < 11:
        return "Selamat pagi"
    if 11 <= hour < 15:
        return "Selamat siang"
    if 15 <= hour < 18:
        return "Selamat sore"
    return "Selamat malam"


def line_amount_text(line: OrderLine) -> str:
    """``15 kg`` or ``2 karung 10 kg (20 kg)``."""
    unit = line.retail_unit or line.pack_name
    packs = f"{line.packs} {line.pack_name}"
    if line.units_per_pack == 1 and unit == line.pack_name:
        return packs
    return f"{packs} ({quantity_text(line.units_per_pack * line.packs)} {unit})"


def render_whatsapp_message(
    order: PurchaseOrderRequest,
    *,
    confirmation_url: str,
    now: datetime,
    trader_name: str = "",
    buyer_name: str = "",
    link_expires_at: datetime | None = None,
    timezone: str = "Asia/Jakarta",
) -> str:
    """The order as one WhatsApp message (``*bold*`` is WhatsApp's own markup)."""
    hello = greeting(now, timezone)
    out = [f"{hello}, {trader_name}." if trader_name else f"{hello}."]
    who = f"Kami dari {buyer_name}" if buyer_name else "Kami"
    out += [f"{who} mau pesan barang berikut:", "", f"*Pesanan {order.po_number}*"]
    goods = 0
    for line in sorted(order.lines, key=lambda line: line.line_no):
        amount = line.packs * line.price_per_pack_idr
        goods += amount
        out.append(
            f"{line.line_no}. {line.product_name or line.sku}: {line_amount_text(line)}"
            f" @ {rupiah(line.price_per_pack_idr)}/{line.pack_name} = {rupiah(amount)}"
        )
    out += ["", f"Total barang: {rupiah(goods)}"]
    if order.delivery_fee_idr:
        out.append(f"Ongkir: {rupiah(order.delivery_fee_idr)}")
    else:
        out.append("Ongkir: mohon diisi di tautan konfirmasi")
    if order.delivery_date:
        when = long_date(order.delivery_date)
        out.append(
            f"Antar: {when}, {order.delivery_window}" if order.delivery_window else f"Antar: {when}"
        )
    if order.delivery_address:
        out.append(f"Alamat: {order.delivery_address}")
    if order.contact_name or order.contact_phone:
        contact = ", ".join(part for part in (order.contact_name, order.contact_phone) if part)
        out.append(f"Kontak: {contact}")
    if order.notes:
        out.append(f"Catatan: {order.notes}")
    out.append(f"No. PO: {order.po_number}")
    out.append("")
    until = (
        f" (berlaku sampai {local_moment(link_expires_at, timezone)})" if link_expires_at else ""
    )
    out.append(f"Mohon konfirmasi jumlah, harga, ongkir dan cara antar lewat tautan ini{until}:")
    out.append(confirmation_url)
    out += ["", "Terima kasih."]
    return "\n".join(out)


def order_total_idr(order: PurchaseOrderRequest) -> int:
    return sum(line.packs * line.price_per_pack_idr for line in order.lines)
