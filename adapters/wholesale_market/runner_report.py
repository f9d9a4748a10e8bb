"""What the market runner reports back: per line, what was bought at what price, or not found.

The runner's app echoes each buying-list line (``packs``, ``units_per_pack``,
``price_per_pack_idr``) and adds ``status``, ``bought_quantity`` and
``paid_price_per_unit_idr``::

    {"report_id": "RUN-0603-01", "po_number": "PO-1", "reported_at": "2025-06-03T06:10:00+07:00",
     "lines": [{"line_no": 1, "status": "bought", "bought_quantity": "9.6",
                "paid_price_per_unit_idr": 33000,
                "packs": 10, "units_per_pack": "1", "price_per_pack_idr": 34000},
               {"line_no": 2, "status": "not_found"}]}

Given the purchase order, the ordered figures come from the order instead of the echo.
Event ids are ``<po_number>:<report_id>:<kind>``, so the same report applied twice changes nothing.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import msgspec

from contracts.adapter import PurchaseOrderRequest
from contracts.capabilities import RunnerLineStatus, RunnerReport
from contracts.errors import FieldError, InvalidInput
from contracts.events import (
    DeliveredLine,
    LineConfirmation,
    LineOutcome,
    OrderConfirmed,
    OrderDelivered,
    OrderRejected,
    SupplierEvent,
)
from contracts.money import rupiah_round
from contracts.quantity import QuantityError, check_quantity

_PATH = re.compile(r"- at `\$(?P<path>[^`]*)`")


def pointer_from_validation(message: str, prefix: str = "") -> str:
    """msgspec's ``- at `$.lines[0].status``` → ``/lines/0/status``."""
    match = _PATH.search(message)
    if match is None:
        return prefix
    path = match.group("path").replace("[...]", "")
    parts = [part for part in re.split(r"\.|\[|\]", path) if part]
    return prefix + "".join(f"/{part}" for part in parts)


_report_decoder = msgspec.json.Decoder(RunnerReport)


def decode_runner_report(body: bytes) -> RunnerReport:
    """Decode and check a report; raise InvalidInput with JSON pointers."""
    try:
        report = _report_decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise InvalidInput(
            "malformed runner report",
            errors=[FieldError(pointer_from_validation(str(exc)), str(exc))],
        ) from exc
    except msgspec.DecodeError as exc:
        raise InvalidInput("runner report is not JSON", errors=[FieldError("", str(exc))]) from exc
    if report.reported_at.tzinfo is None:
        raise InvalidInput(
            "malformed runner report",
            errors=[FieldError("/reported_at", "must carry a UTC offset")],
        )
    errors: list[FieldError] = []
    seen: set[int] = set()
    for index, line in enumerate(report.lines):
        at = f"/lines/{index}"
        if line.line_no in seen:
            errors.append(FieldError(f"{at}/line_no", f"line {line.line_no} is reported twice"))
        seen.add(line.line_no)
        if line.status is RunnerLineStatus.BOUGHT:
            if line.bought_quantity is None:
                errors.append(FieldError(f"{at}/bought_quantity", "required when bought"))
            else:
                try:
                    check_quantity(line.bought_quantity, fractional=True)
                except QuantityError as exc:
                    errors.append(FieldError(f"{at}/bought_quantity", str(exc)))
            if line.paid_price_per_unit_idr is None:
                errors.append(FieldError(f"{at}/paid_price_per_unit_idr", "required when bought"))
        if line.units_per_pack is not None:
            try:
                check_quantity(line.units_per_pack, fractional=True)
            except QuantityError as exc:
                errors.append(FieldError(f"{at}/units_per_pack", str(exc)))
    if errors:
        raise InvalidInput("malformed runner report", errors=errors)
    return report


class _Ordered(msgspec.Struct, frozen=True):
    packs: int
    units_per_pack: Decimal
    price_per_pack_idr: int


def _ordered_figures(
    report: RunnerReport, order: PurchaseOrderRequest | None
) -> dict[int, _Ordered]:
    errors: list[FieldError] = []
    figures: dict[int, _Ordered] = {}
    if order is not None:
        if order.po_number != report.po_number:
            raise InvalidInput(
                "the report is for another order",
                errors=[FieldError("/po_number", f"expected {order.po_number}")],
            )
        ordered = {
            line.line_no: _Ordered(line.packs, line.units_per_pack, line.price_per_pack_idr)
            for line in order.lines
        }
        reported = {line.line_no for line in report.lines}
        for index, line in enumerate(report.lines):
            if line.line_no not in ordered:
                errors.append(FieldError(f"/lines/{index}/line_no", "no such line in the order"))
            else:
                figures[line.line_no] = ordered[line.line_no]
        errors.extend(
            FieldError("/lines", f"line {line_no} of the order is not reported")
            for line_no in sorted(ordered.keys() - reported)
        )
    else:
        for index, line in enumerate(report.lines):
            if line.packs is None or line.units_per_pack is None or line.price_per_pack_idr is None:
                errors.append(
                    FieldError(
                        f"/lines/{index}",
                        "packs, units_per_pack and price_per_pack_idr from the buying list "
                        "are required",
                    )
                )
            else:
                figures[line.line_no] = _Ordered(
                    line.packs, line.units_per_pack, line.price_per_pack_idr
                )
    if errors:
        raise InvalidInput("the report does not match the order", errors=errors)
    return figures


def events_from_runner_report(
    report: RunnerReport, order: PurchaseOrderRequest | None = None
) -> list[SupplierEvent]:
    """Turn a report into an OrderConfirmed (accepted / changed / rejected per line) and an
    OrderDelivered (actual quantities and, where they differ, actual pack prices); or into
    one OrderRejected when nothing was found.

    A line is accepted only if exactly the ordered quantity was bought at the ordered price;
    otherwise it is changed: pack count rounded half up (at least 1), pack price from the
    price paid per unit.
    """
    figures = _ordered_figures(report, order)
    supplier_ref = report.supplier_ref or f"WM-{report.po_number}"
    bought = [line for line in report.lines if line.status is RunnerLineStatus.BOUGHT]
    if not bought:
        return [
            OrderRejected(
                event_id=f"{report.po_number}:{report.report_id}:rejected",
                po_number=report.po_number,
                occurred_at=report.reported_at,
                supplier_ref=supplier_ref,
                reason="none of the items was found at the market",
            )
        ]
    confirmations: list[LineConfirmation] = []
    delivered: list[DeliveredLine] = []
    for line in sorted(report.lines, key=lambda line: line.line_no):
        ordered = figures[line.line_no]
        if line.status is RunnerLineStatus.NOT_FOUND:
            confirmations.append(
                LineConfirmation(
                    line_no=line.line_no,
                    outcome=LineOutcome.REJECTED,
                    reason=line.note or "not found at the market",
                )
            )
            continue
        assert line.bought_quantity is not None and line.paid_price_per_unit_idr is not None
        paid_per_pack = rupiah_round(line.paid_price_per_unit_idr * ordered.units_per_pack)
        same_price = paid_per_pack == ordered.price_per_pack_idr
        same_quantity = line.bought_quantity == ordered.packs * ordered.units_per_pack
        if same_price and same_quantity:
            confirmations.append(
                LineConfirmation(line_no=line.line_no, outcome=LineOutcome.ACCEPTED)
            )
        else:
            packs = (line.bought_quantity / ordered.units_per_pack).to_integral_value(ROUND_HALF_UP)
            confirmations.append(
                LineConfirmation(
                    line_no=line.line_no,
                    outcome=LineOutcome.CHANGED,
                    packs=max(1, int(packs)),
                    price_per_pack_idr=paid_per_pack,
                    reason=line.note
                    or f"bought {line.bought_quantity} at {line.paid_price_per_unit_idr} per unit",
                )
            )
        delivered.append(
            DeliveredLine(
                line_no=line.line_no,
                quantity=line.bought_quantity,
                price_per_pack_idr=None if same_price else paid_per_pack,
            )
        )
    return [
        OrderConfirmed(
            event_id=f"{report.po_number}:{report.report_id}:confirmed",
            po_number=report.po_number,
            occurred_at=report.reported_at,
            supplier_ref=supplier_ref,
            lines=tuple(confirmations),
        ),
        OrderDelivered(
            event_id=f"{report.po_number}:{report.report_id}:delivered",
            po_number=report.po_number,
            occurred_at=report.reported_at,
            supplier_ref=supplier_ref,
            lines=tuple(delivered),
        ),
    ]
