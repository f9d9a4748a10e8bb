"""Per-request plumbing, outermost first: request id and logging, authentication, the
request's input (:mod:`services.api.request_input`), and the request's transaction with the
satker scope and ``Idempotency-Key`` handling.

The transaction is committed before the response leaves, and only for a status below 400;
an idempotent POST stores its response in the same transaction as its writes, so a crash
either loses both or keeps both.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

import structlog
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

from contracts.errors import FieldError, IdempotencyKeyReused, InvalidInput, NotFound
from services.api.asgi import HTTPMiddleware, replaying
from services.app.web_sessions import session_scope
from services.auth import Principal, Role
from services.db.tx import Tx

if TYPE_CHECKING:
    from services.bootstrap import Container

log = structlog.get_logger("kulakan.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REPLAY_HEADER = "idempotent-replayed"
# the console's session cookie (services.web.security.SESSION_COOKIE): a page's form posts
# keep their Idempotency-Key per browser session, not in one anonymous pool
SESSION_COOKIE = "kulakan_session"


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _container(scope: Scope) -> Container:
    return scope["app"].state.container


class RequestContextMiddleware(HTTPMiddleware):
    """Binds a request id to every log line and returns it as ``X-Request-ID``."""

    async def handle(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        incoming = header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                started_with_id: HTTPResponseStartEvent = {**message, "headers": headers}
                message = started_with_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=method,
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()


class AuthMiddleware:
    """Resolves ``Authorization: Bearer`` into ``scope["state"]["principal"]``. Routes with
    ``opt={"public": True}`` (health, docs, signed webhooks and links) skip it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        public = (handler is not None and handler.opt.get("public")) or scope["path"].startswith(
            "/schema"
        )
        if scope["type"] == "http" and not public:
            principal = await _container(scope).keys.authenticate(header(scope, b"authorization"))
            scope.setdefault("state", {})["principal"] = principal
            structlog.contextvars.bind_contextvars(key_id=principal.key_id, role=principal.role)
        await self.app(scope, receive, send)


async def check_satker_scope(principal: Principal, satker_id: int, tx: Tx) -> None:
    """The one satker scope check of a request whose path names a satker: outside the caller's
    scope it does not exist, and for an admin (whose scope is every satker) it must exist."""
    principal.satker_scope(satker_id)
    if principal.role == Role.ADMIN:
        raw = await tx.raw()
        if not await raw.fetchval("SELECT EXISTS (SELECT 1 FROM satker WHERE id = $1)", satker_id):
            raise NotFound(f"satker {satker_id} not found")


async def _idempotency_scope(scope: Scope, tx: Tx) -> str:
    """Whose keys these are: the API key's, or on a public route what authenticates the
    caller, which its path names (a supplier's webhooks, a trader's link token); on a page
    whose route names its ``session_cookie`` (the warung's pages), the session's warung; a
    console page's form, its browser session."""
    principal = scope["state"].get("principal")
    if principal is not None:
        return principal.identity
    handler = scope.get("route_handler")
    cookie_name = handler.opt.get("session_cookie") if handler is not None else None
    if cookie_name:
        cookies = SimpleCookie()
        try:
            cookies.load(header(scope, b"cookie") or "")
        except CookieError:
            cookies.clear()
        cookie = cookies.get(cookie_name)
        who = await session_scope(tx, cookie.value if cookie is not None else None)
        if who is not None:
            return who
    session = _session_identity(scope)
    if session is not None:
        return session
    return "public:" + hashlib.sha256(scope["path"].encode()).hexdigest()[:40]


class TransactionMiddleware(HTTPMiddleware):
    async def handle(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        container = _container(scope)
        tx = Tx(container.engine)
        scope.setdefault("state", {})["tx"] = tx
        key = header(scope, b"idempotency-key")
        try:
            principal = scope["state"].get("principal")
            satker_id = scope.get("path_params", {}).get("satker_id")
            if principal is not None and isinstance(satker_id, int):
                await check_satker_scope(principal, satker_id, tx)
            if key is not None and scope["method"] == "POST":
                await self._idempotent(scope, receive, send, tx, key, container)
            else:
                await self._plain(scope, receive, send, tx)
        finally:
            await tx.rollback()  # no-op once committed

    async def _plain(self, scope: HTTPScope, receive: Receive, send: Send, tx: Tx) -> None:
        async def finish_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and tx.started:
                if message["status"] < 400:
                    await tx.commit()
                else:
                    await tx.rollback()
            await send(message)

        await self.app(scope, receive, finish_then_send)

    async def _idempotent(
        self, scope: HTTPScope, receive: Receive, send: Send, tx: Tx, key: str, container: Container
    ) -> None:
        if not 1 <= len(key) <= 200:
            raise InvalidInput(
                "Idempotency-Key must be 1 to 200 characters",
                errors=[FieldError("Idempotency-Key", "1 to 200 characters", "header")],
            )
        body = await _read_body(receive)
        who = await _idempotency_scope(scope, tx)
        digest = hashlib.sha256(
            b"\0".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        now = datetime.now(UTC)
        raw = await tx.raw()
        claimed = await raw.fetchval(
            """
            INSERT INTO idempotency_record
                (principal, key, request_hash, method, path, status_code,
                 response_headers, response_body, expires_at)
            VALUES ($1, $2, $3, $4, $5, 0, '{}'::jsonb, ''::bytea, $6)
            ON CONFLICT (principal, key) DO UPDATE
                SET request_hash = EXCLUDED.request_hash, status_code = 0,
                    response_headers = '{}', response_body = ''::bytea,
                    method = EXCLUDED.method, path = EXCLUDED.path,
                    created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
                WHERE idempotency_record.expires_at < $7
            RETURNING true
            """,
            who,
            key,
            digest,
            scope["method"],
            scope["path"][:500],
            now + timedelta(hours=container.settings.idempotency_ttl_hours),
            now,
        )
        if not claimed:
            stored = await raw.fetchrow(
                "SELECT request_hash, status_code, response_headers, response_body"
                " FROM idempotency_record WHERE principal = $1 AND key = $2",
                who,
                key,
            )
            await tx.rollback()
            if stored["request_hash"] != digest:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was used with a different request; use a new key"
                )
            saved: dict[str, str] = stored[
                "response_headers"
            ]  # jsonb: the engine's codec decodes it
            headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in saved.items()]
            headers.append((REPLAY_HEADER.encode(), b"true"))
            replay_start: HTTPResponseStartEvent = {
                "type": "http.response.start",
                "status": stored["status_code"],
                "headers": headers,
            }
            await send(replay_start)
            await send(_body_event(bytes(stored["response_body"])))
            return

        start: HTTPResponseStartEvent | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                assert start is not None
                status = start["status"]
                content = b"".join(chunks)
                if status < 400:
                    keep = {
                        k.decode("latin-1"): v.decode("latin-1")
                        for k, v in start.get("headers", [])
                        if k.lower() in (b"content-type", b"location", b"etag")
                    }
                    await raw.execute(
                        "UPDATE idempotency_record SET status_code = $3, response_headers = $4,"
                        " response_body = $5 WHERE principal = $1 AND key = $2",
                        who,
                        key,
                        status,
                        json.dumps(keep),  # SQLAlchemy's jsonb codec takes text, returns dicts
                        content,
                    )
                    await tx.commit()
                else:
                    await tx.rollback()
                await send(start)
                await send(_body_event(content))
                return
            await send(message)

        await self.app(scope, replaying(body, receive), capture)


def _session_identity(scope: Scope) -> str | None:
    """A console session (by a hash of its cookie), or None."""
    if not scope["path"].startswith("/console/"):
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(header(scope, b"cookie") or "")
    except CookieError:
        return None
    session = cookies.get(SESSION_COOKIE)
    if session is None or not session.value:
        return None
    return "session:" + hashlib.sha256(session.value.encode()).hexdigest()[:32]


def _body_event(content: bytes) -> HTTPResponseBodyEvent:
    return {"type": "http.response.body", "body": content, "more_body": False}


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect
            return b"".join(parts)
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)
