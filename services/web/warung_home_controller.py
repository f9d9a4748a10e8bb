"""Beranda of a warung owner: the open cycle with the time left to its cut-off (in the
satker's zone), the state of this warung's request, deliveries on the way, unpaid invoices and
the savings so far. No script needed but the countdown; light enough for a weak signal."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from services.app import warung_views
from services.web.warung_render import WARUNG, OwnerPages, OwnerVisit, owner_page


class WarungHomeController(OwnerPages):
    path = WARUNG

    @get("/", name="warung:home")
    async def home(self, visit: OwnerVisit) -> Template:
        home = await warung_views.warung_home(
            visit.tx, visit.owner.principal(), visit.owner.warung_id, visit.now
        )
        minutes = {
            oc.cycle.id: max(0, int((oc.cycle.cutoff_at - visit.now).total_seconds() // 60))
            for oc in home.cycles
        }
        context = {"owner": visit.owner, "home": home, "minutes_left": minutes, "now": visit.now}
        return owner_page(visit.request, "warung/home.html", context)
