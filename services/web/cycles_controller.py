"""Siklus: the satker's order cycles, one cycle's demand per product (by category), closing a
cycle early and starting its bulk buy, whose quotes run in the background."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from contracts.api.demand import Category, OneOffCycleCreate
from contracts.errors import FieldError, InvalidInput, VersionMismatch
from services.app import bulk_buy_background, console_home, cycle_demand, order_cycles
from services.app.users import WebUser
from services.auth import Role
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.versioning import etag
from services.web.render import CONSOLE, ConsolePages, Visit, page

RECENT = timedelta(days=21)  # the list shows cycles whose cut-off is after this long ago
CLOSABLE = ("scheduled", "open")
BUILDABLE = ("closed", "consolidated")


def _base(satker_id: int) -> str:
    return f"{CONSOLE}/satkers/{satker_id}"


def go(request: Request, target: str) -> Response:
    """After a change: htmx follows ``HX-Redirect``; a plain form post gets a 303."""
    if request.headers.get("hx-request") == "true":
        return Response(content=b"", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=HTTP_303_SEE_OTHER)


async def form_version(request: Request) -> str | None:
    """The ETag of the version the page showed (its hidden ``version`` field)."""
    form = await request.form()
    version = form.get("version")
    return etag(int(version)) if isinstance(version, str) and version.isdigit() else '"0"'


class CyclesController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/cycles"

    @get("/", name="console:cycles")
    async def list_cycles(
        self, request: HTMXRequest, tx: Tx, viewer: WebUser, now: datetime, satker_id: int
    ) -> Template:
        context = await _list_context(tx, viewer, now, satker_id)
        return page(request, "console/cycles/list.html", context)

    @post("/", name="console:cycle-create")
    async def create_one_off(
        self, request: HTMXRequest, tx: Tx, viewer: WebUser, now: datetime, satker_id: int
    ) -> Response | Template:
        """An urgent restock outside the templates: the same use case as ``POST /v1/…/cycles``."""
        principal = viewer.principal()
        satker = await console_home.satker_header(tx, principal, satker_id)
        form = await request.form()
        try:
            data = _one_off(form, satker.timezone)
            made = await order_cycles.create_one_off_cycle(tx, principal, satker_id, data, now)
        except (msgspec.ValidationError, InvalidInput) as exc:
            context = await _list_context(tx, viewer, now, satker_id)
            context["errors"] = _pointers(exc)
            context["form"] = {k: form.get(k) or "" for k in ("name", "cutoff", "delivery")}
            context["form_categories"] = form.getall("categories") if "categories" in form else []
            return page(request, "console/cycles/list.html", context, status_code=422)
        return go(request, f"{_base(satker_id)}/cycles/{made.id}")

    @get("/{cycle_id:int}", name="console:cycle")
    async def detail(
        self,
        request: HTMXRequest,
        tx: Tx,
        viewer: WebUser,
        satker_id: int,
        cycle_id: int,
        category: str | None = None,
    ) -> Template:
        context = await _detail_context(tx, viewer, satker_id, cycle_id, category)
        return page(
            request, "console/cycles/detail.html", context, fragment="console/cycles/_demand.html"
        )

    @post("/{cycle_id:int}/close", name="console:cycle-close")
    async def close(self, visit: Visit, satker_id: int, cycle_id: int) -> Response | Template:
        request, tx, viewer, now = visit.request, visit.tx, visit.viewer, visit.now
        try:
            await order_cycles.close_cycle(
                tx, viewer.principal(), satker_id, cycle_id, await form_version(request), now
            )
        except VersionMismatch:
            context = await _detail_context(tx, viewer, satker_id, cycle_id, None)
            context["stale"] = True
            return page(request, "console/cycles/detail.html", context, status_code=409)
        return go(request, f"{_base(satker_id)}/cycles/{cycle_id}")

    @post("/{cycle_id:int}/bulk-buy", name="console:cycle-build")
    async def build(
        self,
        request: HTMXRequest,
        viewer: WebUser,
        container: Container,
        now: datetime,
        satker_id: int,
        cycle_id: int,
    ) -> Response:
        """Claims the bulk buy and returns at once; the review page shows the quotes' progress."""
        principal = viewer.principal()
        principal.require(Role.ADMIN, Role.COORDINATOR)
        principal.satker_scope(satker_id)
        started = await bulk_buy_background.start_build(container, satker_id, cycle_id, now)
        return go(request, f"{_base(satker_id)}/bulk-buys/{started.id}")


async def _list_context(tx: Tx, viewer: WebUser, now: datetime, satker_id: int) -> dict[str, Any]:
    principal = viewer.principal()
    satker = await console_home.satker_header(tx, principal, satker_id)
    cycles = await order_cycles.list_cycles(
        tx, principal, satker_id, limit=200, after=(now - RECENT, 0), status=None
    )
    return {
        "viewer": viewer,
        "satker": satker,
        "satker_id": satker_id,
        "cycles": list(reversed(cycles[:200])),  # the latest cut-off first
        "now": now,
        "categories": [c.value for c in Category],
        "errors": [],
        "form": {"name": "", "cutoff": "", "delivery": ""},
        "form_categories": [],
        "idempotency_key": uuid.uuid4().hex,
    }


def _one_off(form: Any, zone: str) -> OneOffCycleCreate:
    """The form's fields as the API's body; the cut-off is a wall time in the satker's zone."""
    body: dict[str, Any] = {
        "name": str(form.get("name") or "").strip(),
        "categories": form.getall("categories") if "categories" in form else [],
    }
    try:
        cutoff = datetime.fromisoformat(str(form.get("cutoff") or ""))
    except ValueError as exc:
        raise InvalidInput("no cut-off", errors=[FieldError("/cutoff_at", "required")]) from exc
    body["cutoff_at"] = cutoff.replace(tzinfo=ZoneInfo(zone)).isoformat()
    if form.get("delivery"):
        body["delivery_date"] = str(form.get("delivery"))
    return msgspec.convert(body, OneOffCycleCreate, strict=False)


def _pointers(exc: Exception) -> list[str]:
    if isinstance(exc, InvalidInput):
        return [e.pointer for e in exc.errors] or ["/"]
    text = str(exc)
    return [
        f"/{name}" for name in ("name", "categories", "cutoff_at", "delivery_date") if name in text
    ] or ["/"]


async def _detail_context(
    tx: Tx, viewer: WebUser, satker_id: int, cycle_id: int, category: str | None
) -> dict[str, Any]:
    principal = viewer.principal()
    satker = await console_home.satker_header(tx, principal, satker_id)
    cycle = await order_cycles.get_cycle(tx, principal, satker_id, cycle_id)
    chosen = category if category in {c.value for c in Category} else None
    demand = await cycle_demand.cycle_demand(
        tx, principal, satker_id, cycle_id, limit=500, after_product_id=None, category=chosen
    )
    return {
        "viewer": viewer,
        "satker": satker,
        "satker_id": satker_id,
        "cycle": cycle,
        "demand": demand[:500],
        "categories": [c.value for c in Category],
        "category": chosen,
        "closable": cycle.status in CLOSABLE,
        "buildable": cycle.status in BUILDABLE,
        "idempotency_key": uuid.uuid4().hex,
        "stale": False,
    }
