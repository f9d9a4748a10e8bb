"""Full pages for normal requests, fragments for htmx requests, and the guard that puts the
signed-in person in reach of every console handler (``viewer``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from urllib.parse import quote

from litestar import Controller, Request, Response
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.types import ExceptionHandlersMap

from contracts.errors import (
    Conflict,
    Forbidden,
    KulakanError,
    NotFound,
    Unauthorized,
    VersionMismatch,
)
from services.app import console_home
from services.app.users import WebUser
from services.app.web_sessions import current_user
from services.bootstrap import Container
from services.db.tx import Tx
from services.web.security import SESSION_COOKIE

CONSOLE = "/console"
SIGN_IN = f"{CONSOLE}/sign-in"
SET_PASSWORD = f"{CONSOLE}/password"


class SignInRequired(Exception):
    """No live session: go to the sign-in page (and come back afterwards)."""


class PasswordRequired(Exception):
    """Signed in with the one-time setup code: choose a password first."""


def page(
    request: HTMXRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Template:
    """``template`` for a normal request; ``fragment`` (a part of the same page) when htmx asks."""
    name = fragment if fragment is not None and request.htmx else template
    return Template(
        template_name=name,
        context={"request_path": request.url.path, **context},
        status_code=status_code,
        headers={"Vary": "HX-Request", "Cache-Control": "no-store"},
    )


@dataclass(frozen=True, slots=True)
class Visit:
    """One request to a console page: the request, its transaction, the signed-in user, the
    container and the time."""

    request: HTMXRequest
    tx: Tx
    viewer: WebUser
    container: Container
    now: datetime


def provide_visit(
    request: HTMXRequest, tx: Tx, viewer: WebUser, container: Container, now: datetime
) -> Visit:
    return Visit(request=request, tx=tx, viewer=viewer, container=container, now=now)


VISIT = {"visit": Provide(provide_visit, sync_to_thread=False)}
"""A controller's ``dependencies``: every handler may take ``visit: Visit``."""


class Outcome(TypedDict, total=False):
    """What a page says after a change: a notice (done), a problem (refused) and the status."""

    notice: str | None
    problem: str | None
    status: int


async def satker_of(visit: Visit, satker_id: int) -> console_home.SatkerHeader:
    """The satker a console page is about: an admin's any, a coordinator's own (another
    satker is 404)."""
    return await console_home.satker_header(visit.tx, visit.viewer.principal(), satker_id)


class ConsolePages(Controller):
    """A controller of console pages: not in the API document, every handler may take
    ``visit: Visit``."""

    include_in_schema = False
    dependencies = VISIT


def refusal(exc: Conflict) -> str:
    """Why a change was refused, as the page says it: ``stale`` (someone changed it since the
    page was shown) or ``state`` (the object no longer allows it)."""
    return "stale" if isinstance(exc, VersionMismatch) else "state"


def safe_next(target: str | None) -> str:
    """Only a path inside the console: a sign-in link must not send anyone elsewhere."""
    if target and target.startswith(f"{CONSOLE}/") and not target.startswith("//"):
        return target
    return f"{CONSOLE}/"


async def provide_viewer(request: Request, tx: Tx, now: datetime) -> WebUser:
    """The person signed in to this browser, by the session cookie alone: an
    ``Authorization`` header (an API key) never opens the console."""
    user = await current_user(tx, request.cookies.get(SESSION_COOKIE), now)
    if user is None:
        raise SignInRequired
    if user.must_set_password and request.url.path != SET_PASSWORD:
        raise PasswordRequired
    return user


def _go(request: Request, target: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(content=b"", status_code=204, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=HTTP_303_SEE_OTHER)


def sign_in_required(request: Request, _: SignInRequired) -> Response:
    path = request.url.path
    query = f"?next={quote(path, safe='/')}" if path != f"{CONSOLE}/" else ""
    return _go(request, SIGN_IN + query)


def password_required(request: Request, _: PasswordRequired) -> Response:
    return _go(request, SET_PASSWORD)


def _error_page(request: Request, status: int, title_key: str) -> Template:
    return Template(
        template_name="console/error.html",
        context={"status": status, "kind": title_key, "request_path": request.url.path},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


_ERROR_PAGES: tuple[tuple[type[KulakanError], int, str], ...] = (
    (Unauthorized, 401, "signed_out"),
    (NotFound, 404, "not_found"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
)


def error_page_kind(exc: KulakanError | HTTPException) -> tuple[int, str]:
    """The status and the kind of error page for a refused request (the console's and the
    warung pages' alike); a CSRF refusal is Litestar's 403."""
    if isinstance(exc, HTTPException):
        kinds = {403: "forbidden", 404: "not_found"}
        return exc.status_code, kinds.get(exc.status_code, "bad_request")
    for kind, status, name in _ERROR_PAGES:
        if isinstance(exc, kind):
            return status, name
    return 400, "bad_request"


def kulakan_error(request: Request, exc: KulakanError) -> Response:
    """Pages answer with a page, not problem+json; another satker's object is simply not there."""
    if isinstance(exc, Unauthorized):
        return sign_in_required(request, SignInRequired())
    return _error_page(request, *error_page_kind(exc))


def http_error(request: Request, exc: HTTPException) -> Response:
    return _error_page(request, *error_page_kind(exc))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    SignInRequired: sign_in_required,
    PasswordRequired: password_required,
    KulakanError: kulakan_error,
    HTTPException: http_error,
}
