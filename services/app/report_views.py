"""What the console's Laporan page reads: the same savings report and supplier scorecard as
the JSON API (``services.app.reports``), with the names a page shows next to the numbers (the
cycles' names, savings summed per warung), under the API's role rule for reports."""

from __future__ import annotations

from collections import defaultdict

import msgspec

from contracts.api.fulfilment import SavingsReport, SavingsRow, ScorecardReport
from services.app import reports
from services.app.console_home import SatkerHeader, satker_header
from services.auth import Principal, Role
from services.db.tx import Tx


class WarungSavings(msgspec.Struct, frozen=True, kw_only=True):
    warung_id: int | None  # None: the satker's own stock
    warung_name: str
    cycles: int
    paid_idr: int
    market_value_idr: int
    savings_idr: int
    customer_savings_idr: int


class ReportPage(msgspec.Struct, frozen=True, kw_only=True):
    satker: SatkerHeader
    cycle_id: int | None  # the chosen cycle, or None for all
    cycle_names: dict[int, str]  # every cycle of the satker that has invoices
    savings: SavingsReport
    per_warung: list[WarungSavings]
    scorecard: ScorecardReport


def may_read_reports(principal: Principal, satker_id: int) -> None:
    """The API's rule for reports: an admin, or the satker's own coordinator (404 otherwise)."""
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)


def per_warung(rows: list[SavingsRow]) -> list[WarungSavings]:
    """Savings summed over cycles for each warung, the largest saving first."""
    groups: dict[int | None, list[SavingsRow]] = defaultdict(list)
    for r in rows:
        groups[r.warung_id].append(r)
    out = [
        WarungSavings(
            warung_id=w,
            warung_name=group[0].warung_name,
            cycles=len({r.cycle_id for r in group}),
            paid_idr=sum(r.paid_idr for r in group),
            market_value_idr=sum(r.market_value_idr for r in group),
            savings_idr=sum(r.savings_idr for r in group),
            customer_savings_idr=sum(r.customer_savings_idr for r in group),
        )
        for w, group in groups.items()
    ]
    return sorted(out, key=lambda s: (-s.savings_idr, s.warung_name))


async def report_page(
    tx: Tx, principal: Principal, satker_id: int, cycle_id: int | None = None
) -> ReportPage:
    may_read_reports(principal, satker_id)
    satker = await satker_header(tx, principal, satker_id)
    raw = await tx.raw()
    names = {
        r["id"]: r["name"]
        for r in await raw.fetch(
            "SELECT c.id, c.name FROM order_cycle c WHERE c.satker_id = $1 AND EXISTS"
            " (SELECT 1 FROM invoice i WHERE i.satker_id = c.satker_id AND i.cycle_id = c.id)"
            " ORDER BY c.id",
            satker_id,
        )
    }
    if cycle_id is not None and cycle_id not in names:
        cycle_id = None  # an unknown or empty cycle shows the whole report
    savings = await reports.savings(tx, satker_id, cycle_id)
    return ReportPage(
        satker=satker,
        cycle_id=cycle_id,
        cycle_names=names,
        savings=savings,
        per_warung=per_warung(savings.rows),
        scorecard=await reports.scorecard(tx, satker_id),
    )


async def savings_csv(
    tx: Tx, principal: Principal, satker_id: int, cycle_id: int | None = None
) -> str:
    """The JSON API's CSV of ``/reports/savings``: rows per warung, then cycles, then total."""
    may_read_reports(principal, satker_id)
    report = await reports.savings(tx, satker_id, cycle_id)
    return reports.as_csv([*report.rows, *report.cycles, report.total])


async def scorecard_csv(tx: Tx, principal: Principal, satker_id: int) -> str:
    """The JSON API's CSV of ``/reports/suppliers``."""
    may_read_reports(principal, satker_id)
    return reports.as_csv((await reports.scorecard(tx, satker_id)).suppliers)
