"""Beranda of a warung owner: the open cycle with the time left to its cut-off (in the
satker's zone), the state of this warung's request, deliveries on the way, unpaid invoices and
the savings so far. No script needed but the countdown; light enough for a weak signal."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from services.app import warung_views
from services.app.warung_sessions import WarungViewer
from services.db.tx import Tx
from services.web.warung_render import WARUNG, owner_page


class WarungHomeController(Controller):
    path = WARUNG
    include_in_schema = False

    @get("/", name="warung:home")
    async def home(
        self, request: HTMXRequest, tx: Tx, owner: WarungViewer, now: datetime
    ) -> Template:
        home = await warung_views.warung_home(tx, owner.principal(), owner.warung_id, now)
        minutes = {
            oc.cycle.id: max(0, int((oc.cycle.cutoff_at - now).total_seconds() // 60))
            for oc in home.cycles
        }
        context = {"owner": owner, "home": home, "minutes_left": minutes, "now": now}
        return owner_page(request, "warung/home.html", context)
