"""Sign-in, first password, sign-out. Plain HTML forms (they work without script), each with
the CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from contracts.errors import InvalidInput
from services.app import users, web_sessions
from services.app.users import WebUser
from services.bootstrap import Container
from services.db.tx import Tx
from services.web.render import CONSOLE, SET_PASSWORD, SIGN_IN, page, safe_next
from services.web.security import (
    SESSION_COOKIE,
    cleared_session_cookie,
    cookie_secure,
    session_cookie,
)

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


class SignInForm(msgspec.Struct, kw_only=True):
    phone: str = ""
    password: str = ""
    next: str = ""


class PasswordForm(msgspec.Struct, kw_only=True):
    password: str = ""
    confirm: str = ""


class SignInController(Controller):
    path = CONSOLE
    include_in_schema = False

    @get("/sign-in", name="console:sign-in")
    async def sign_in_page(self, request: HTMXRequest, next: str = "") -> Template:
        context = {"next": safe_next(next), "phone": "", "error": None}
        return page(request, "console/sign_in.html", context)

    @post("/sign-in", status_code=HTTP_303_SEE_OTHER)
    async def sign_in(
        self,
        request: HTMXRequest,
        container: Container,
        now: datetime,
        data: Annotated[SignInForm, FORM],
    ) -> Response:
        # its own transaction: a failed attempt is counted even though the answer is a 401
        async with Tx(container.engine) as tx:
            result = await web_sessions.sign_in(
                tx, data.phone, data.password, now, request.headers.get("user-agent", "")
            )
        if result.outcome is not web_sessions.Outcome.SIGNED_IN:
            context = {
                "next": safe_next(data.next),
                "phone": data.phone,
                "error": result.outcome.value,
                "locked_until": result.locked_until,
            }
            return page(request, "console/sign_in.html", context, status_code=401)
        assert result.token is not None and result.user is not None
        target = SET_PASSWORD if result.user.must_set_password else safe_next(data.next)
        response = Redirect(path=target, status_code=HTTP_303_SEE_OTHER)
        response.set_cookie(
            session_cookie(result.token, secure=cookie_secure(request, container.settings))
        )
        return response

    @post("/sign-out", status_code=HTTP_303_SEE_OTHER)
    async def sign_out(self, request: Request, tx: Tx, container: Container) -> Response:
        await web_sessions.end_session(tx, request.cookies.get(SESSION_COOKIE))
        response = Redirect(path=SIGN_IN, status_code=HTTP_303_SEE_OTHER)
        response.set_cookie(
            cleared_session_cookie(secure=cookie_secure(request, container.settings))
        )
        return response

    @get("/password", name="console:password")
    async def password_page(self, request: HTMXRequest, viewer: WebUser) -> Response:
        if not viewer.must_set_password:
            return Redirect(path=f"{CONSOLE}/", status_code=HTTP_303_SEE_OTHER)
        return page(request, "console/password.html", {"viewer": viewer, "problems": []})

    @post("/password", status_code=HTTP_303_SEE_OTHER)
    async def set_password(
        self,
        request: HTMXRequest,
        tx: Tx,
        viewer: WebUser,
        data: Annotated[PasswordForm, FORM],
    ) -> Response:
        if not viewer.must_set_password:
            return Redirect(path=f"{CONSOLE}/", status_code=HTTP_303_SEE_OTHER)
        problems: list[str] = []
        if data.password != data.confirm:
            problems.append("mismatch")
        else:
            try:
                await users.set_password(tx, viewer, data.password)
            except InvalidInput as exc:
                problems.extend(e.detail for e in exc.errors)
        if problems:
            context = {"viewer": viewer, "problems": problems}
            return page(request, "console/password.html", context, status_code=400)
        return Redirect(path=f"{CONSOLE}/", status_code=HTTP_303_SEE_OTHER)
