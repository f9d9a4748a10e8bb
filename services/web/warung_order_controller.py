"""Pesan stok: the restock request of a cycle, pre-filled from the suggestion; quantities typed
(with + and − by the product's unit), the satker's carton fill per product, search and add
any catalogue product, save as a draft or submit; edit or cancel until the cut-off, after
which the page names the next one. Every write goes through ``services.app.restock`` with the
version the page showed (If-Match) and the form's Idempotency-Key."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from litestar import get, post
from litestar.response import Template

from contracts.api.demand import RestockLineIn, RestockLinesUpdate, RestockRequestCreate
from contracts.errors import Conflict, InvalidInput, VersionMismatch
from services.app import restock, warung_views
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.pack_fill import quantity_step
from services.domain.versioning import etag
from services.web.warung_forms import (
    NOT_A_NUMBER,
    explain,
    field_errors,
    parse_quantity,
    show_quantity,
)
from services.web.warung_render import WARUNG, OwnerPages, OwnerVisit, owner_page

ACTIONS = ("draft", "submit", "cancel")


def _plain(message: str) -> str:
    return message


class WarungOrderController(OwnerPages):
    path = f"{WARUNG}/pesan"

    @get("/", name="warung:order")
    async def order_page(
        self,
        visit: OwnerVisit,
        cycle: int | None = None,
    ) -> Template:
        return await _render(visit, cycle)

    @get("/cari", name="warung:order-search")
    async def search(self, visit: OwnerVisit, cycle: int, cari: str = "") -> Template:
        """Catalogue products of the cycle named like ``cari``, as rows to add to the form;
        those already on it (the form's own fields come along) are left out."""
        principal = visit.owner.principal()
        _, chosen = await warung_views.order_cycle(
            visit.tx, principal, visit.owner.warung_id, cycle
        )
        assert chosen is not None
        on_form = {
            int(k[2:]) for k in visit.request.query_params if k.startswith("q_") and k[2:].isdigit()
        }
        rows = []
        if cari.strip():
            rows = await warung_views.search_catalogue(
                visit.tx, principal, visit.owner.warung_id, chosen, cari.strip()[:60], on_form
            )
        context = {
            "rows": rows,
            "typed": {},
            "errors": {},
            "steps": _steps(rows),
            "found": True,
            "as_input": show_quantity,
        }
        return Template(
            template_name="warung/_found.html",
            context=context,
            headers={"Cache-Control": "no-store", "Vary": "HX-Request"},
        )

    @post("/", name="warung:order-save", status_code=200)
    async def save(
        self,
        visit: OwnerVisit,
    ) -> Template:
        form = await visit.request.form()
        action = str(form.get("action"))
        if action not in ACTIONS:
            action = "draft"
        cycle_id = _int(form.get("cycle"))
        request_id = _int(form.get("request"))
        if_match = etag(v) if (v := _int(form.get("version"))) is not None else None
        typed: dict[int, str] = {}
        preorder: set[int] = set()
        for key in form:
            if key.startswith("q_") and key[2:].isdigit():
                typed[int(key[2:])] = str(form.get(key))
            elif key.startswith("p_") and key[2:].isdigit():
                preorder.add(int(key[2:]))
        errors: dict[str, str] = {}
        lines: list[RestockLineIn] = []
        for pid, text in typed.items():
            quantity = parse_quantity(text)
            if quantity is None:
                errors[str(pid)] = NOT_A_NUMBER
            elif quantity > 0:
                lines.append(
                    RestockLineIn(product_id=pid, quantity=quantity, for_preorder=pid in preorder)
                )
        state: dict[str, Any] = {"typed": typed, "errors": errors}
        if errors:
            return await _render(visit, cycle_id, **state, status=400)
        principal = visit.owner.principal()
        try:
            message = await _apply(
                visit.tx, visit.container, principal, visit.now, action, request_id, if_match, lines
            )
        except VersionMismatch:
            return await _render(
                visit,
                cycle_id,
                notice="changed",
                status=409,
            )
        except InvalidInput as exc:
            keys = [str(ln.product_id) for ln in lines]
            state["errors"] = {k: explain(v, _plain) for k, v in field_errors(exc, keys).items()}
            if not lines:
                state["notice"] = "empty"
            return await _render(visit, cycle_id, **state, status=400)
        except Conflict as exc:  # the cut-off has passed: nothing was written
            return await _render(
                visit,
                cycle_id,
                **state,
                notice="closed",
                next_cutoff=_instant(exc.extra.get("next_cutoff_at")),
                status=409,
            )
        return await _render(visit, cycle_id, notice=message)


async def _apply(
    tx: Tx,
    container: Container,
    principal: Any,
    now: datetime,
    action: str,
    request_id: int | None,
    if_match: str | None,
    lines: list[RestockLineIn],
) -> str:
    """One use case per action; returns the notice to show."""
    if action == "cancel":
        if request_id is None:
            raise InvalidInput("nothing to cancel")
        await restock.change_status(tx, principal, request_id, "cancel", if_match, now)
        return "cancelled"
    if not lines:
        raise InvalidInput("the request has no quantities")
    if request_id is None:
        data = RestockRequestCreate(lines=lines, submit=action == "submit")
        await restock.create_request(tx, container, principal, data, now)
        return "submitted" if action == "submit" else "saved"
    out = await restock.replace_lines(
        tx, container, principal, request_id, RestockLinesUpdate(lines=lines), if_match, now
    )
    if action == "submit" and out.status == "draft":
        await restock.change_status(tx, principal, request_id, "submit", etag(out.version), now)
        return "submitted"
    return "submitted" if out.status == "submitted" else "saved"


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else None


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _steps(rows: list[warung_views.OrderRow]) -> dict[int, Decimal]:
    return {r.product_id: quantity_step(r.fractional) for r in rows}


async def _render(
    visit: OwnerVisit,
    cycle_id: int | None,
    *,
    typed: dict[int, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    next_cutoff: datetime | None = None,
    status: int = 200,
) -> Template:
    principal = visit.owner.principal()
    cycles, cycle = await warung_views.order_cycle(
        visit.tx, principal, visit.owner.warung_id, cycle_id
    )
    context: dict[str, Any] = {
        "owner": visit.owner,
        "cycles": cycles,
        "cycle": cycle,
        "notice": notice,
        "next_cutoff": next_cutoff,
        "typed": {str(k): v for k, v in (typed or {}).items()},
        "errors": errors or {},
        "now": visit.now,
    }
    if cycle is None or visit.now >= cycle.cutoff_at or cycle.status not in ("open", "scheduled"):
        context["next_cutoff"] = next_cutoff or await warung_views.next_cutoff(
            visit.tx,
            principal,
            visit.owner.warung_id,
            cycle.categories if cycle else None,
            visit.now,
        )
    if cycle is None:
        return owner_page(
            visit.request, "warung/order.html", {**context, "form": None, "steps": {}}
        )
    form = await warung_views.order_form(
        visit.tx, visit.container, principal, visit.owner.warung_id, cycle
    )
    rows = list(form.rows)
    extra = [pid for pid in (typed or {}) if pid not in {r.product_id for r in rows}]
    if extra:  # products added from the search, kept when the form comes back with an error
        raw = await visit.tx.raw()
        info = await warung_views.products_info(raw, visit.owner.satker_id, cycle.id, extra)
        rows += [warung_views.order_row(info[p], quantity=Decimal(0)) for p in extra if p in info]
    context.update(
        form=form,
        rows=rows,
        steps=_steps(rows),
        open=cycle.status in ("open", "scheduled") and visit.now < cycle.cutoff_at,
        minutes_left=max(0, int((cycle.cutoff_at - visit.now).total_seconds() // 60)),
    )
    return owner_page(visit.request, "warung/order.html", context, status_code=status)
