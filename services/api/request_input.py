"""What no handler could take is refused before any runs: ids beyond a bigint in the path or
the query, a body too large, in a media type the route does not take, or nested too deep.
The limits are listed in docs/api.md."""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin
from urllib.parse import parse_qsl

from litestar.types import HTTPScope, Receive, Scope, Send

from contracts.api.common import MAX_ID
from contracts.errors import BodyTooLarge, FieldError, InvalidInput, UnsupportedMediaType
from services.api.asgi import HTTPMiddleware, replaying
from services.api.middleware import header

MAX_BODY_BYTES = 1_048_576
MAX_DEPTH = 32
JSON = "application/json"
# Routes that take a body in more than JSON, by path template; every other route takes JSON.
MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "/v1/suppliers/{supplier_id}/price-board": (JSON, "text/csv", "application/csv"),
    "/v1/market-prices/import": ("text/csv", "application/csv"),
    "/v1/trader-links/{token}": ("application/x-www-form-urlencoded",),
    # UBL 2.1 business documents; application/xml first, so a body without a type is XML
    "/v1/suppliers/{supplier_id}/documents": ("application/xml", "text/xml"),
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
    errors: list[FieldError] = []
    for name, value in scope.get("path_params", {}).items():
        if isinstance(value, int) and (problem := _out_of_range(value)):
            errors.append(FieldError(name, problem, "path"))
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


def check_media_type(scope: Scope) -> str:
    """The body's media type, if the route takes it: the JSON API's routes take JSON (or what
    :data:`MEDIA_TYPES` names); the console's pages take their forms as they come."""
    given = header(scope, b"content-type")
    accepted = MEDIA_TYPES.get(scope.get("path_template", ""))
    if accepted is None and scope["path"].startswith("/v1/"):
        accepted = (JSON,)
    media = (given or (accepted or ("",))[0]).split(";")[0].strip().lower()
    if accepted is not None and media not in accepted:
        raise UnsupportedMediaType(
            f"this route takes {' or '.join(accepted)}, not {media or 'nothing'}",
            extra={"accepted": list(accepted)},
        )
    return media


async def _read_limited(receive: Receive) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
        parts.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(parts)


class InputMiddleware(HTTPMiddleware):
    """Refuses, before any handler runs, what no handler could take: ids beyond a bigint in
    the path or the query, a body over :data:`MAX_BODY_BYTES`, a body in a media type the
    route does not take (415), and JSON nested deeper than :data:`MAX_DEPTH`. A body with no
    ``Content-Type`` is read as the route's first media type."""

    async def handle(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        check_ids(scope)
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
        body = await _read_limited(receive)
        if body:
            media = check_media_type(scope)
            if media == JSON:
                check_depth(body)
        await self.app(scope, replaying(body, receive), send)
