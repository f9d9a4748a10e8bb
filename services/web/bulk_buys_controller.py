"""Tinjau pembelian: the satker's bulk buys, and the review of one — lines with their split,
prices, savings and flags, the quote comparison, overriding or dropping a line with a reason
(inline, htmx, If-Match) and approving. A change made by someone else meanwhile is shown, with
the fresh version, never written over."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import msgspec
from litestar import Response, get, post
from litestar.plugins.htmx import HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template

from contracts.api.bulk_buy import BulkBuyLineOut, BulkBuyOut, OverrideIn, ReasonIn
from contracts.errors import InvalidInput, RuleViolation, VersionMismatch
from services.app import bulk_buy_background, bulk_buy_review, bulk_buy_views, console_home
from services.app.users import WebUser
from services.auth import Role
from services.db.tx import Tx
from services.web.cycles_controller import form_version, go
from services.web.fast_format import formats
from services.web.line_rows import line_rows
from services.web.render import CONSOLE, ConsolePages, Visit, page

STATUSES = ("draft", "proposed", "ordered", "rejected")
T = "console/bulk_buys/"


def _coordinator(viewer: WebUser, satker_id: int) -> Any:
    principal = viewer.principal()
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)
    return principal


def _url(satker_id: int, bb_id: int) -> str:
    return f"{CONSOLE}/satkers/{satker_id}/bulk-buys/{bb_id}"


async def _context(
    request: HTMXRequest,
    tx: Tx,
    viewer: WebUser,
    bb: BulkBuyOut,
    *,
    with_rows: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    satker = await console_home.satker_header(tx, viewer.principal(), bb.satker_id)
    people = [a.user_id for a in bb.approvals]
    people += [ln.retail_override.user_id for ln in bb.lines if ln.retail_override]
    names = await bulk_buy_views.approver_names(tx, people)
    approved_by_me = any(a.user_id == viewer.id for a in bb.approvals)
    context: dict[str, Any] = {
        "viewer": viewer,
        "satker": satker,
        "satker_id": bb.satker_id,
        "bb": bb,
        "url": _url(bb.satker_id, bb.id),
        "suppliers": {q.supplier_id: q.supplier_name for q in bb.quotes},
        "approvers": names,
        "approved_by_me": approved_by_me,
        "building": bb.status == "draft",
        "editable": bb.status == "proposed",
        "blocking": sum(1 for ln in bb.lines if ln.blocking),
        "stale": False,
        "error": None,
        "idempotency_key": uuid.uuid4().hex,
        "f": formats(request.app.state.container.settings.language),
        **extra,
    }
    if with_rows:  # each line's row, rendered once per state (see services.web.line_rows)
        engine = cast(JinjaTemplateEngine, request.app.template_engine)
        context["rows"] = line_rows(engine.engine, context)
    return context


def _line(bb: BulkBuyOut, product_id: int) -> BulkBuyLineOut:
    for ln in bb.lines:
        if ln.product_id == product_id:
            return ln
    raise InvalidInput(f"product {product_id} is not in this bulk buy")


def _refusal(exc: Exception) -> str:
    """What the page says when a change is refused (the detail is the rule's own words)."""
    if isinstance(exc, msgspec.ValidationError):
        return "reason" if "reason" in str(exc) else "price"
    if isinstance(exc, RuleViolation) and any(e.pointer == "/retail_price_idr" for e in exc.errors):
        return "het"
    if isinstance(exc, RuleViolation) and exc.errors and exc.errors[0].pointer.startswith("/lines"):
        return "blocking"
    if isinstance(exc, RuleViolation) and "different coordinator" in exc.detail:
        return "same_approver"
    return "refused"


class BulkBuysController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/bulk-buys"

    @get("/", name="console:bulk-buys")
    async def list_bulk_buys(
        self,
        request: HTMXRequest,
        tx: Tx,
        viewer: WebUser,
        satker_id: int,
        status: str | None = None,
        cycle_id: int | None = None,
    ) -> Template:
        principal = _coordinator(viewer, satker_id)
        satker = await console_home.satker_header(tx, principal, satker_id)
        chosen = status if status in STATUSES else None
        rows = await bulk_buy_views.list_bulk_buys(
            tx,
            principal,
            satker_id,
            cycle_id=cycle_id,
            status=chosen,
            limit=100,
            after_id=None,
        )
        context = {
            "viewer": viewer,
            "satker": satker,
            "satker_id": satker_id,
            "rows": rows[:100],
            "statuses": STATUSES,
            "status": chosen,
        }
        return page(request, T + "list.html", context)

    @get("/{bb_id:int}", name="console:bulk-buy")
    async def review(
        self, request: HTMXRequest, tx: Tx, viewer: WebUser, satker_id: int, bb_id: int
    ) -> Template:
        _coordinator(viewer, satker_id)
        bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
        context = await _context(request, tx, viewer, bb, with_rows=True)
        return page(request, T + "review.html", context)

    @get("/{bb_id:int}/progress", name="console:bulk-buy-progress")
    async def progress(
        self, request: HTMXRequest, tx: Tx, viewer: WebUser, satker_id: int, bb_id: int
    ) -> Response | Template:
        """Polled while the quotes are gathered; once proposed, the page reloads itself."""
        _coordinator(viewer, satker_id)
        bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
        if bb.status != "draft":
            return Response(content=b"", status_code=200, headers={"HX-Refresh": "true"})
        context = await _context(request, tx, viewer, bb)
        context["running"] = bulk_buy_background.is_building(satker_id, bb_id)
        return page(request, T + "_building.html", context)

    @get("/{bb_id:int}/quotes", name="console:bulk-buy-quotes")
    async def quotes(
        self, request: HTMXRequest, tx: Tx, viewer: WebUser, satker_id: int, bb_id: int
    ) -> Template:
        _coordinator(viewer, satker_id)
        comparison = await bulk_buy_views.quote_comparison(tx, satker_id, bb_id)
        bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
        context = await _context(request, tx, viewer, bb, comparison=comparison)
        return page(request, T + "quotes.html", context)

    @get("/{bb_id:int}/lines/{product_id:int}", name="console:bulk-buy-line")
    async def line(
        self,
        request: HTMXRequest,
        tx: Tx,
        viewer: WebUser,
        satker_id: int,
        bb_id: int,
        product_id: int,
        edit: bool = False,
    ) -> Response | Template:
        """One line's rows (htmx); ``edit=true`` opens its override and drop forms. Opened as
        a page, it is the review, at that line."""
        _coordinator(viewer, satker_id)
        bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
        if not request.htmx:
            _line(bb, product_id)  # a product of this bulk buy, or refused
            return go(request, f"{_url(satker_id, bb_id)}#l{product_id}")
        context = await _context(request, tx, viewer, bb, ln=_line(bb, product_id), edit=edit)
        return page(request, T + "review.html", context, fragment=T + "_line.html")

    @post("/{bb_id:int}/lines/{product_id:int}/override", name="console:bulk-buy-override")
    async def override(
        self, visit: Visit, satker_id: int, bb_id: int, product_id: int
    ) -> Response | Template:
        v = visit
        return await _resolve(
            v.request, v.tx, v.viewer, v.now, satker_id, bb_id, product_id, drop=False
        )

    @post("/{bb_id:int}/lines/{product_id:int}/drop", name="console:bulk-buy-drop")
    async def drop(
        self, visit: Visit, satker_id: int, bb_id: int, product_id: int
    ) -> Response | Template:
        v = visit
        return await _resolve(
            v.request, v.tx, v.viewer, v.now, satker_id, bb_id, product_id, drop=True
        )

    @post("/{bb_id:int}/approve", name="console:bulk-buy-approve")
    async def approve(self, visit: Visit, satker_id: int, bb_id: int) -> Response | Template:
        request, tx, viewer, now = visit.request, visit.tx, visit.viewer, visit.now
        principal = _coordinator(viewer, satker_id)
        try:
            await bulk_buy_review.approve(
                tx, principal, satker_id, bb_id, await form_version(request), now
            )
        except VersionMismatch:
            return await _stale(request, tx, viewer, satker_id, bb_id)
        except RuleViolation as exc:
            bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
            context = await _context(request, tx, viewer, bb, with_rows=True, error=_refusal(exc))
            return _whole(request, context, 422)
        return go(request, _url(satker_id, bb_id))


async def _resolve(
    request: HTMXRequest,
    tx: Tx,
    viewer: WebUser,
    now: datetime,
    satker_id: int,
    bb_id: int,
    product_id: int,
    *,
    drop: bool,
) -> Response | Template:
    principal = _coordinator(viewer, satker_id)
    form = await request.form()
    price = str(form.get("retail_price") or "").replace(".", "").replace(" ", "").strip()
    try:
        raw_in: dict[str, Any] = {"reason": str(form.get("reason") or "").strip()}
        if drop:
            data: Any = msgspec.convert(raw_in, ReasonIn)
        else:
            if price:
                raw_in["retail_price_idr"] = int(price) if price.isdigit() else price
            data = msgspec.convert(raw_in, OverrideIn)
        out = await bulk_buy_review.resolve_line(
            tx,
            principal,
            satker_id,
            bb_id,
            product_id,
            drop=drop,
            reason=data.reason,
            if_match=await form_version(request),
            now=now,
            retail_price_idr=None if drop else data.retail_price_idr,
        )
    except VersionMismatch:
        return await _stale(request, tx, viewer, satker_id, bb_id)
    except (msgspec.ValidationError, RuleViolation, InvalidInput) as exc:
        bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
        context = await _context(
            request, tx, viewer, bb, ln=_line(bb, product_id), edit=True, error=_refusal(exc)
        )
        return page(request, T + "review.html", context, fragment=T + "_line.html", status_code=422)
    if not request.htmx:
        return go(request, _url(satker_id, bb_id))
    context = await _context(request, tx, viewer, out, ln=_line(out, product_id), edit=False)
    return page(request, T + "review.html", context, fragment=T + "_changed.html")


async def _stale(
    request: HTMXRequest, tx: Tx, viewer: WebUser, satker_id: int, bb_id: int
) -> Template:
    """Someone changed the bulk buy since this page was shown: the fresh version, said so."""
    bb = await bulk_buy_views.get_bulk_buy(tx, satker_id, bb_id)
    context = await _context(request, tx, viewer, bb, with_rows=True, stale=True)
    return _whole(request, context, 409)


def _whole(request: HTMXRequest, context: dict[str, Any], status: int) -> Template:
    """The whole review (for htmx: the review section, swapped in place of the old one)."""
    response = page(
        request, T + "review.html", context, fragment=T + "_review.html", status_code=status
    )
    if request.htmx:
        response.headers.update({"HX-Retarget": "#review", "HX-Reswap": "outerHTML"})
    return response
