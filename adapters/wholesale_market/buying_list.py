"""A purchase order as a buying list for the market runner: JSON, CSV and a printable page.

The runner buys each line within the session, up to the line's maximum price per unit, and
reports back per line (see :mod:`adapters.wholesale_market.runner_report`).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import jinja2
import msgspec

from adapters.local_time import (
    Session,
    local_moment,
    zone,
    zone_abbreviation,
)
from adapters.templates import page_templates
from contracts.adapter import OrderLine, PurchaseOrderRequest
from contracts.capabilities import BuyingList, BuyingListLine
from contracts.money import rupiah_round

GRADE_SEPARATOR = ":"  # offers carry supplier_sku "<sku>:<grade>"


def grade_of(line: OrderLine) -> str:
    """The grade the quote offered, carried in ``supplier_sku`` as ``<sku>:<grade>``."""
    prefix = f"{line.sku}{GRADE_SEPARATOR}"
    if line.supplier_sku and line.supplier_sku.startswith(prefix):
        return line.supplier_sku[len(prefix) :]
    return ""


def build_buying_list(
    order: PurchaseOrderRequest,
    *,
    session: Session,
    market_name: str,
    timezone: str = "Asia/Jakarta",
    supplier_ref: str | None = None,
) -> BuyingList:
    """The runner's list for ``order``, bought in ``session`` (see ``trading_session``)."""
    lines = tuple(
        BuyingListLine(
            line_no=line.line_no,
            sku=line.sku,
            product_name=line.product_name or line.sku,
            grade=grade_of(line),
            quantity=line.units_per_pack * line.packs,
            unit=line.retail_unit or line.pack_name,
            packs=line.packs,
            pack_name=line.pack_name,
            units_per_pack=line.units_per_pack,
            price_per_pack_idr=line.price_per_pack_idr,
            max_price_per_unit_idr=rupiah_round(
                Decimal(line.price_per_pack_idr) / line.units_per_pack
            ),
            budget_idr=line.price_per_pack_idr * line.packs,
        )
        for line in sorted(order.lines, key=lambda line: line.line_no)
    )
    return BuyingList(
        po_number=order.po_number,
        supplier_ref=supplier_ref or order.po_number,
        market_name=market_name,
        timezone=timezone,
        buy_from=session.starts_at,
        buy_until=session.ends_at,
        lines=lines,
        total_budget_idr=sum(line.budget_idr for line in lines),
        delivery_date=order.delivery_date,
        delivery_window=order.delivery_window,
        delivery_address=order.delivery_address,
        contact_name=order.contact_name,
        contact_phone=order.contact_phone,
        notes=order.notes,
    )


_json_encoder = msgspec.json.Encoder()


def buying_list_json(buying_list: BuyingList) -> bytes:
    return _json_encoder.encode(buying_list)


CSV_COLUMNS = (
    "line_no",
    "sku",
    "product_name",
    "grade",
    "quantity",
    "unit",
    "packs",
    "pack_name",
    "max_price_per_unit_idr",
    "budget_idr",
    "bought_quantity",
    "paid_price_per_unit_idr",
)


def _cell(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def buying_list_csv(buying_list: BuyingList) -> str:
    """One row per line; the last two columns are blank for the runner to fill in."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in buying_list.lines:
        writer.writerow(
            (
                line.line_no,
                _cell(line.sku),
                _cell(line.product_name),
                _cell(line.grade),
                format(line.quantity.normalize(), "f"),
                _cell(line.unit),
                line.packs,
                _cell(line.pack_name),
                line.max_price_per_unit_idr,
                line.budget_idr,
                "",
                "",
            )
        )
    return out.getvalue()


def _templates() -> jinja2.Environment:
    return page_templates(__package__)


def render_buying_list_html(buying_list: BuyingList) -> str:
    """A printable, phone-sized page in Indonesian with large type and boxes to write in."""
    tz = buying_list.timezone
    return (
        _templates()
        .get_template("buying_list.html")
        .render(
            bl=buying_list,
            buy_from=local_moment(buying_list.buy_from, tz),
            buy_until=f"{buying_list.buy_until.astimezone(zone(tz)):%H:%M} {zone_abbreviation(tz)}",
        )
    )
