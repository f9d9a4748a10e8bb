"""RFC 9457 problem details: the one mapping from errors to HTTP responses."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.exceptions import NotFoundException as LitestarNotFound
from litestar.exceptions import PermissionDeniedException as LitestarForbidden
from litestar.types import ExceptionHandlersMap

from contracts.api.common import PATTERN_HINTS
from contracts.errors import (
    BodyTooLarge,
    Conflict,
    FieldError,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    KulakanError,
    NotFound,
    RuleViolation,
    SupplierError,
    Unauthorized,
    UnsupportedMediaType,
    VersionMismatch,
)
from services.db.errors import translate

log = structlog.get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

# Most specific first.
STATUS: tuple[tuple[type[KulakanError], int], ...] = (
    (VersionMismatch, 412),
    (IdempotencyKeyReused, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Unauthorized, 401),
    (Forbidden, 403),
    (BodyTooLarge, 413),
    (UnsupportedMediaType, 415),
    (InvalidInput, 400),
    (RuleViolation, 422),
    (SupplierError, 502),
)


def status_for(exc: KulakanError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def _field_errors(errors: tuple[FieldError, ...] | list[FieldError]) -> list[dict[str, str]]:
    out = []
    for e in errors:
        if e.location == "body":
            out.append({"pointer": e.pointer, "detail": e.detail})
        else:
            out.append({"parameter": e.pointer, "in": e.location, "detail": e.detail})
    return out


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def kulakan_error_handler(_: Request, exc: KulakanError) -> Response[bytes]:
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status >= 500:
        log.warning("supplier_error", code=exc.code, detail=exc.detail)
    return problem(
        status,
        exc.code,
        exc.title,
        exc.detail,
        errors=_field_errors(exc.errors),
        extra=exc.extra,
        headers=headers,
    )


_UNKNOWN_FIELD = re.compile(r"unknown field `(?P<name>[^`]+)`")
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
# A body's own check names its field: "`quantity`: must be … - at `$.lines[0]`"
_FIELD = re.compile(r"^`(?P<name>\w+)`: ")
_HINTS = {
    f"Expected `str` matching regex {pattern!r}": hint for pattern, hint in PATTERN_HINTS.items()
}


def _located(message: str, path: str) -> dict[str, str]:
    """The pointer and the words for one msgspec message about ``path``."""
    pointer = msgspec_path_to_pointer(path)
    field = _FIELD.match(message)
    if field:
        pointer = f"{pointer}/{field['name']}"
        message = message[field.end() :]
    return {"pointer": pointer, "detail": _HINTS.get(message, message)}


def msgspec_path_to_pointer(path: str) -> str:
    """``.lines[2].quantity`` → ``/lines/2/quantity``."""
    parts = re.findall(r"\.([A-Za-z_][\w]*)|\[(\d+)\]|\[\"([^\"]*)\"\]|\[\'([^\']*)\'\]", path)
    tokens = [next(p for p in groups if p != "") for groups in parts]
    return "/" + "/".join(tokens) if tokens else ""


_PARAMETERS = ("query", "path", "header", "cookie")


def validation_error_handler(_: Request, exc: ValidationException) -> Response[bytes]:
    errors: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        source = item.get("source")
        key = item.get("key")
        match = _MSGSPEC_PATH.search(message)
        unknown = _UNKNOWN_FIELD.search(message)
        if unknown:
            if match:
                base = msgspec_path_to_pointer(match["path"])
            else:
                # Litestar names the body root "data"
                base = msgspec_path_to_pointer(f".{key}") if key and key != "data" else ""
            errors.append({"pointer": f"{base}/{unknown['name']}", "detail": "unknown field"})
        elif match:
            errors.append(_located(message[: match.start()], match["path"]))
        elif (where := getattr(source, "value", source)) in _PARAMETERS and key:
            detail = _HINTS.get(message, message)
            errors.append({"parameter": str(key), "in": str(where), "detail": detail})
        else:  # Litestar names the body itself "data"
            errors.append(_located(message, f".{key}" if key and key != "data" else ""))
    detail = str(exc.detail or "Validation failed")
    if detail.startswith("Validation failed for"):
        detail = "The request is not valid; see errors."
    if not errors and exc.detail:
        match = _MSGSPEC_PATH.search(str(exc.detail))
        if match:
            errors.append(_located(detail[: match.start()], match["path"]))
    return problem(400, "invalid-input", "Invalid input", detail, errors=errors)


def http_exception_handler(_: Request, exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if isinstance(exc, LitestarNotFound):
        return problem(404, "not-found", "Not found", str(exc.detail))
    if isinstance(exc, NotAuthorizedException):
        return problem(401, "unauthorized", "Unauthorized", str(exc.detail))
    if isinstance(exc, LitestarForbidden):
        return problem(403, "forbidden", "Forbidden", str(exc.detail))
    code = re.sub(r"[^a-z0-9]+", "-", str(exc.detail).lower()).strip("-") or "http-error"
    title = str(exc.detail) or "HTTP error"
    headers = dict(exc.headers or {})  # e.g. Allow on a 405
    return problem(
        status, code if status != 500 else "internal-error", title, str(exc.detail), headers=headers
    )


def internal_error_handler(request: Request, exc: Exception) -> Response[bytes]:
    """A database error a client caused (see :mod:`services.db.errors`) is its problem;
    anything else is ours: a 500, logged with its traceback."""
    mapped = translate(exc)
    if mapped is not None:
        log.info("database_refused", code=mapped.code, detail=mapped.detail)
        return kulakan_error_handler(request, mapped)
    log.error("unhandled_error", exc_info=exc)
    return problem(500, "internal-error", "Internal server error", "An unexpected error occurred")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    KulakanError: kulakan_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
