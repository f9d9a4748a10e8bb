"""The guard and the error pages of the warung owner's pages (``/w/…``): the phone signed in
by a link (``owner``), a page saying how to get a link when it is not, and errors as pages in
the owner's layout. A warung's session sees only its own warung: anything else is 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from litestar import Controller, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from contracts.errors import KulakanError
from services.app.warung_sessions import WarungViewer, current_warung
from services.bootstrap import Container
from services.db.tx import Tx
from services.web.render import error_page_kind
from services.web.warung_forms import show_quantity

WARUNG = "/w"
OWNER_COOKIE = "kulakan_warung"


class OwnerSignInRequired(Exception):
    """No live warung session on this phone."""


async def provide_owner(request: Request, tx: Tx, now: datetime) -> WarungViewer:
    """The warung this phone is signed in for, by its cookie alone (never an API key)."""
    owner = await current_warung(tx, request.cookies.get(OWNER_COOKIE), now)
    if owner is None:
        raise OwnerSignInRequired
    return owner


@dataclass(frozen=True, slots=True)
class OwnerVisit:
    """One request to a warung owner's page: the request, its transaction, the container, the
    warung signed in and the time."""

    request: HTMXRequest
    tx: Tx
    container: Container
    owner: WarungViewer
    now: datetime


def provide_owner_visit(
    request: HTMXRequest, tx: Tx, container: Container, owner: WarungViewer, now: datetime
) -> OwnerVisit:
    return OwnerVisit(request=request, tx=tx, container=container, owner=owner, now=now)


OWNER_VISIT = {"visit": Provide(provide_owner_visit, sync_to_thread=False)}
"""A warung controller's ``dependencies``: every handler may take ``visit: OwnerVisit``."""


class OwnerPages(Controller):
    """A controller of the owner's pages: not in the API document, every handler may take
    ``visit: OwnerVisit``."""

    include_in_schema = False
    dependencies = OWNER_VISIT


class Shown(TypedDict, total=False):
    """What a page with a form shows again after a post: the values typed, the errors by
    field, a notice, and the status."""

    typed: dict[str, str]
    errors: dict[str, str]
    notice: str | None
    status: int


def form_page(
    visit: OwnerVisit, template: str, context: dict[str, Any], **shown: Unpack[Shown]
) -> Template:
    full = {
        "owner": visit.owner,
        **context,
        "typed": shown.get("typed") or {},
        "errors": shown.get("errors") or {},
        "notice": shown.get("notice"),
    }
    return owner_page(visit.request, template, full, status_code=shown.get("status", 200))


def idempotency_key() -> str:
    """Made when a form is rendered: a double tap, or a resend after the connection dropped,
    carries the same key, so the server does the thing once."""
    return uuid.uuid4().hex


def owner_page(
    request: HTMXRequest,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Template:
    """The full page normally; for htmx, only what goes inside ``<main>`` (the template's
    ``_``-prefixed twin, e.g. ``warung/_order.html`` for ``warung/order.html``)."""
    name = template
    if request.htmx:
        folder, _, base = template.rpartition("/")
        name = f"{folder}/_{base}"
    return Template(
        template_name=name,
        context={
            "request_path": request.url.path,
            "new_key": idempotency_key,
            "as_input": show_quantity,
            **context,
        },
        status_code=status_code,
        headers={"Vary": "HX-Request", "Cache-Control": "no-store"},
    )


def _error(request: Request, status: int, kind: str) -> Template:
    headers = {"Cache-Control": "no-store"}
    if request.headers.get("hx-request") == "true":
        headers["HX-Refresh"] = "true"  # a whole page, not a page inside the page
    return Template(
        template_name="warung/error.html",
        context={"status": status, "kind": kind, "request_path": request.url.path},
        status_code=status,
        headers=headers,
    )


def signed_out(request: Request, _: OwnerSignInRequired) -> Response:
    return _error(request, 401, "signed_out")


def kulakan_error(request: Request, exc: KulakanError) -> Response:
    return _error(request, *error_page_kind(exc))


def http_error(request: Request, exc: HTTPException) -> Response:
    return _error(request, *error_page_kind(exc))


EXCEPTION_HANDLERS = {
    OwnerSignInRequired: signed_out,
    KulakanError: kulakan_error,
    HTTPException: http_error,
}
