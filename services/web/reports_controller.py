"""Laporan: savings against the market per cycle and per warung, and the supplier scorecard,
each with a chart drawn on the server and the API's CSV to download."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent
from litestar import Response, get
from litestar.response import Template

from contracts import formatting
from services.app import report_views
from services.web.charts import Bar, bar_chart
from services.web.render import CONSOLE, ConsolePages, Visit, page
from services.web.templating import translations


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ReportsController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/reports"

    @get("/", name="console:reports")
    async def reports(self, visit: Visit, satker_id: int, cycle: int | None = None) -> Template:
        report = await report_views.report_page(
            visit.tx, visit.viewer.principal(), satker_id, cycle
        )
        language = visit.container.settings.language
        context: dict[str, Any] = {
            "viewer": visit.viewer,
            "satker_id": satker_id,
            "r": report,
            "pct": _percent(formatting.locale_for(language)),
            "charts": _charts(report, language),
        }
        return page(visit.request, "console/reports/index.html", context)

    @get("/savings.csv", name="console:reports:savings-csv")
    async def savings_csv(self, visit: Visit, satker_id: int, cycle: int | None = None) -> Response:
        text = await report_views.savings_csv(visit.tx, visit.viewer.principal(), satker_id, cycle)
        return _csv(text, f"savings-{satker_id}.csv")

    @get("/suppliers.csv", name="console:reports:suppliers-csv")
    async def suppliers_csv(self, visit: Visit, satker_id: int) -> Response:
        text = await report_views.scorecard_csv(visit.tx, visit.viewer.principal(), satker_id)
        return _csv(text, f"suppliers-{satker_id}.csv")


def _percent(locale: str):
    def pct(value: Decimal | None) -> str:
        return "—" if value is None else format_percent(value, "#,##0.0%", locale=locale)

    return pct


def _charts(report: report_views.ReportPage, language: str) -> dict[str, Any]:
    _ = translations(language).gettext
    locale = formatting.locale_for(language)
    pct = _percent(locale)
    names = report.cycle_names

    def money(value: int) -> str:
        return formatting.rupiah(value, locale=locale)

    cycles = [
        Bar(names.get(c.cycle_id, str(c.cycle_id)), c.savings_idr, money(c.savings_idr))
        for c in report.savings.cycles
    ]
    warungs = [
        Bar(w.warung_name or _("Satker stock"), w.savings_idr, money(w.savings_idr))
        for w in report.per_warung
    ]
    fill = [
        Bar(s.supplier_name, s.fill_rate or 0, pct(s.fill_rate)) for s in report.scorecard.suppliers
    ]
    return {
        "cycles": bar_chart(
            "chart-cycles",
            _("Savings per cycle"),
            _("What warungs saved against the market price, per cycle, in rupiah."),
            cycles,
        )
        if cycles
        else None,
        "warungs": bar_chart(
            "chart-warungs",
            _("Savings per warung"),
            _("What each warung saved against the market price, in rupiah."),
            warungs,
        )
        if warungs
        else None,
        "fill": bar_chart(
            "chart-fill",
            _("Fill rate per supplier"),
            _("The share of the ordered value each supplier delivered."),
            fill,
        )
        if fill
        else None,
        "hours": lambda h: "—" if h is None else format_decimal(h, "#,##0.0", locale=locale),
    }
