"""Beranda: the satker's open cycle with its cut-off countdown, and which warungs have sent
their restock request (with a WhatsApp reminder for those that have not)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import get
from litestar.response import Template

from contracts import formatting
from services.app import console_home
from services.web.reminders import reminder_link
from services.web.render import CONSOLE, ConsolePages, Visit, page
from services.web.templating import translations


class ConsoleController(ConsolePages):
    path = CONSOLE

    @get("/", name="console:home")
    async def home(self, visit: Visit, cycle: int | None = None) -> Template:
        """A coordinator's Beranda; an admin first picks a satker."""
        viewer = visit.viewer
        if viewer.satker_id is None:
            satkers = await console_home.list_satkers(visit.tx, viewer.principal())
            return page(
                visit.request, "console/satkers.html", {"viewer": viewer, "satkers": satkers}
            )
        return await _beranda(visit, viewer.satker_id, cycle)

    @get("/satkers/{satker_id:int}", name="console:satker")
    async def satker_home(self, visit: Visit, satker_id: int, cycle: int | None = None) -> Template:
        return await _beranda(visit, satker_id, cycle)


async def _beranda(visit: Visit, satker_id: int, cycle_id: int | None) -> Template:
    viewer, now = visit.viewer, visit.now
    home = await console_home.console_home(visit.tx, viewer.principal(), satker_id, now, cycle_id)
    language = visit.container.settings.language
    tr, locale = translations(language), formatting.locale_for(language)
    reminders: dict[int, str | None] = {}
    if home.cycle is not None:
        for w in home.warungs:
            if not w.sent:
                reminders[w.id] = reminder_link(tr, locale, home.satker, home.cycle, w)
    context: dict[str, Any] = {
        "viewer": viewer,
        "home": home,
        "now": now,
        "reminders": reminders,
        "minutes_left": _minutes_left(home, now),
        "self_url": f"{CONSOLE}/satkers/{satker_id}"
        + (f"?cycle={home.cycle.id}" if cycle_id is not None and home.cycle else ""),
    }
    return page(
        visit.request, "console/beranda.html", context, fragment="console/_warung_status.html"
    )


def _minutes_left(home: console_home.Home, now: datetime) -> int | None:
    if home.cycle is None:
        return None
    return max(0, int((home.cycle.cutoff_at - now).total_seconds() // 60))
