"""A warung owner's sign-in by the link the coordinator sent, and sign-out.

Opening the link shows a page with one button; the button (a POST) uses the link. A link
preview made by a chat app therefore never spends it. A tampered link is a 400 page; an
expired, used or withdrawn one a page that says to ask the coordinator for a new link."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from services.app import warung_sessions
from services.app.warung_sessions import LinkOutcome
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.warung_session import SESSION_LIFETIME
from services.web.security import cookie_secure, secret_key
from services.web.warung_render import OWNER_COOKIE, WARUNG, owner_page

_STATUS = {LinkOutcome.SIGNED_IN: 200, LinkOutcome.TAMPERED: 400, LinkOutcome.SPENT: 410}


def owner_cookie(token: str, *, secure: bool) -> Cookie:
    return Cookie(
        key=OWNER_COOKIE,
        value=token,
        path=WARUNG,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )


class WarungSignInController(Controller):
    path = WARUNG
    include_in_schema = False

    @get("/masuk/{token:str}", name="warung:link")
    async def link_page(
        self, request: HTMXRequest, tx: Tx, container: Container, now: datetime, token: str
    ) -> Template:
        outcome = await warung_sessions.check_link(tx, secret_key(container.settings), token, now)
        return owner_page(
            request, "warung/link.html", {"outcome": outcome.value}, status_code=_STATUS[outcome]
        )

    @post("/masuk/{token:str}", status_code=HTTP_303_SEE_OTHER)
    async def open_link(
        self, request: HTMXRequest, tx: Tx, container: Container, now: datetime, token: str
    ) -> Response:
        result = await warung_sessions.open_link(
            tx,
            secret_key(container.settings),
            token,
            now,
            request.headers.get("user-agent", ""),
        )
        if result.outcome is not LinkOutcome.SIGNED_IN:
            return owner_page(
                request,
                "warung/link.html",
                {"outcome": result.outcome.value},
                status_code=_STATUS[result.outcome],
            )
        assert result.token is not None
        response = Redirect(path=f"{WARUNG}/", status_code=HTTP_303_SEE_OTHER)
        response.set_cookie(
            owner_cookie(result.token, secure=cookie_secure(request, container.settings))
        )
        return response

    @post("/keluar", status_code=200)
    async def sign_out(self, request: Request, tx: Tx, container: Container) -> Response:
        await warung_sessions.end_session(tx, request.cookies.get(OWNER_COOKIE))
        response = Template(
            template_name="warung/error.html",
            context={"status": 200, "kind": "signed_out", "request_path": request.url.path},
            headers={"Cache-Control": "no-store"},
        )
        cookie = owner_cookie("", secure=cookie_secure(request, container.settings))
        response.set_cookie(dataclasses.replace(cookie, max_age=0))
        return response
