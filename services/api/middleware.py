"""Per-request plumbing, outermost first: request id and logging, authentication, the
request's input (ids in range, media type, size and nesting of the body), and the request's
transaction with the satker scope and ``Idempotency-Key`` handling.

The transaction is committed before the response leaves, and only for a status below 400;
an idempotent POST stores its response in the same transaction as its writes, so a crash
either loses both or keeps both.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import types
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin
from urllib.parse import parse_qsl

import structlog
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from contracts.api.common import MAX_ID
from contracts.errors import (
    BodyTooLarge,
    FieldError,
    IdempotencyKeyReused,
    InvalidInput,
    UnsupportedMediaType,
)
from services.auth import check_satker_scope
from services.db.tx import Tx

if TYPE_CHECKING:
    from services.bootstrap import Container

log = structlog.get_logger("kulakan.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REPLAY_HEADER = "idempotent-replayed"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _container(scope: Scope) -> Container:
    return scope["app"].state.container


class RequestContextMiddleware:
    """Binds a request id to every log line and returns it as ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
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
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope["method"],
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
            principal = await _container(scope).keys.authenticate(_header(scope, b"authorization"))
            scope.setdefault("state", {})["principal"] = principal
            structlog.contextvars.bind_contextvars(key_id=principal.key_id, role=principal.role)
        await self.app(scope, receive, send)


MAX_BODY_BYTES = 1_048_576
MAX_DEPTH = 32
JSON = "application/json"
# Routes that take a body in more than JSON, by path template; every other route takes JSON.
MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "/v1/suppliers/{supplier_id}/price-board": (JSON, "text/csv", "application/csv"),
    "/v1/trader-links/{token}": ("application/x-www-form-urlencoded",),
}
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_INT_QUERY: dict[Any, tuple[str, ...]] = {}


def _out_of_range(value: int) -> str | None:
    if value > MAX_ID:
        return f"must be at most {MAX_ID}"
    if value < -MAX_ID:
        return "must be at least 1"
    return None


def _takes_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_takes_int(a) for a in get_args(annotation))
    return False


def _int_query_names(handler: Any) -> tuple[str, ...]:
    """The query parameters a route handler reads as integers."""
    names = _INT_QUERY.get(handler)
    if names is None:
        names = tuple(
            getattr(fd.kwarg_definition, "query", None) or name
            for name, fd in handler.parsed_fn_signature.parameters.items()
            if _takes_int(fd.annotation)
        )
        _INT_QUERY[handler] = names
    return names


def check_ids(scope: Scope) -> None:
    """Path and query integers beyond what a bigint holds are a 400, not a database error."""
    errors = [
        FieldError(name, problem, "path")
        for name, value in scope.get("path_params", {}).items()
        if isinstance(value, int) and (problem := _out_of_range(value))
    ]
    handler = scope.get("route_handler")
    names = _int_query_names(handler) if handler is not None else ()
    if names and scope.get("query_string"):
        for name, value in parse_qsl(scope["query_string"].decode("latin-1")):
            if name in names and _INTEGER.match(value) and (problem := _out_of_range(int(value))):
                errors.append(FieldError(name, problem, "query"))
    if errors:
        raise InvalidInput("The request is not valid; see errors.", errors=errors)


def check_depth(body: bytes) -> None:
    """JSON nested deeper than :data:`MAX_DEPTH` is refused before anything parses it."""
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        depth += 1 if bracket[0] in b"[{" else -1
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"the body is nested more than {MAX_DEPTH} levels deep",
                errors=[FieldError("", f"nested more than {MAX_DEPTH} levels deep")],
            )


async def _read_limited(receive: Receive) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
        parts.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(parts)


class InputMiddleware:
    """Refuses, before any handler runs, what no handler could take: ids beyond a bigint in
    the path or the query, a body over :data:`MAX_BODY_BYTES`, a body in a media type the
    route does not take (415), and JSON nested deeper than :data:`MAX_DEPTH`. A body with no
    ``Content-Type`` is read as the route's first media type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        check_ids(scope)
        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
        body = await _read_limited(receive)
        if body:
            accepted = MEDIA_TYPES.get(scope.get("path_template", ""), (JSON,))
            given = _header(scope, b"content-type")
            media = (given or accepted[0]).split(";")[0].strip().lower()
            if media not in accepted:
                raise UnsupportedMediaType(
                    f"this route takes {' or '.join(accepted)}, not {media or 'nothing'}",
                    extra={"accepted": list(accepted)},
                )
            if media == JSON:
                check_depth(body)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _idempotency_scope(scope: Scope) -> str:
    """Whose keys these are: the API key's, or on a public route what authenticates the
    caller, which its path names (a supplier's webhooks, a trader's link token)."""
    principal = scope["state"].get("principal")
    if principal is not None:
        return principal.identity
    return "public:" + hashlib.sha256(scope["path"].encode()).hexdigest()[:40]


class TransactionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        container = _container(scope)
        tx = Tx(container.engine)
        scope.setdefault("state", {})["tx"] = tx
        key = _header(scope, b"idempotency-key")
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

    async def _plain(self, scope: Scope, receive: Receive, send: Send, tx: Tx) -> None:
        async def finish_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and tx.started:
                if message["status"] < 400:
                    await tx.commit()
                else:
                    await tx.rollback()
            await send(message)

        await self.app(scope, receive, finish_then_send)

    async def _idempotent(
        self, scope: Scope, receive: Receive, send: Send, tx: Tx, key: str, container: Container
    ) -> None:
        if not 1 <= len(key) <= 200:
            raise InvalidInput(
                "Idempotency-Key must be 1 to 200 characters",
                errors=[FieldError("Idempotency-Key", "1 to 200 characters", "header")],
            )
        body = await _read_body(receive)
        who = _idempotency_scope(scope)
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
                    created_at = now(), expires_at = EXCLUDED.expires_at
                WHERE idempotency_record.expires_at < now()
            RETURNING true
            """,
            who,
            key,
            digest,
            scope["method"],
            scope["path"][:500],
            now + timedelta(hours=container.settings.idempotency_ttl_hours),
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
            await send(
                {"type": "http.response.start", "status": stored["status_code"], "headers": headers}
            )
            await send({"type": "http.response.body", "body": bytes(stored["response_body"])})
            return

        replayed = False

        async def replay_receive() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        start: Message | None = None
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
                await send({"type": "http.response.body", "body": content})
                return
            await send(message)

        await self.app(scope, replay_receive, capture)


async def _read_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(parts)
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)
