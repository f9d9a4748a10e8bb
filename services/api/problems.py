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
from sqlalchemy.exc import DBAPIError, IntegrityError

from contracts.errors import (
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
    VersionMismatch,
)

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


def msgspec_path_to_pointer(path: str) -> str:
    """``.lines[2].quantity`` → ``/lines/2/quantity``."""
    parts = re.findall(r"\.([A-Za-z_][\w]*)|\[(\d+)\]|\[\"([^\"]*)\"\]|\[\'([^\']*)\'\]", path)
    tokens = [next(p for p in groups if p != "") for groups in parts]
    return "/" + "/".join(tokens) if tokens else ""


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
            errors.append(
                {
                    "pointer": msgspec_path_to_pointer(match["path"]),
                    "detail": message[: match.start()],
                }
            )
        elif source in ("query", "path", "header", "cookie") and key:
            errors.append({"parameter": str(key), "in": str(source), "detail": message})
        elif key:
            errors.append({"pointer": msgspec_path_to_pointer(f".{key}"), "detail": message})
        else:
            errors.append({"pointer": "", "detail": message})
    detail = str(exc.detail or "Validation failed")
    if detail.startswith("Validation failed for"):
        detail = "The request is not valid; see errors."
    if not errors and exc.detail:
        match = _MSGSPEC_PATH.search(str(exc.detail))
        if match:
            errors.append(
                {
                    "pointer": msgspec_path_to_pointer(match["path"]),
                    "detail": detail[: match.start()],
                }
            )
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


def integrity_error_handler(_: Request, exc: IntegrityError) -> Response[bytes]:
    constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
    log.info("integrity_conflict", constraint=constraint)
    detail = "The change conflicts with existing data"
    if constraint:
        detail += f" ({constraint})"
    return problem(409, "conflict", "Conflict", detail, extra={"constraint": constraint})


def dbapi_error_handler(request: Request, exc: DBAPIError) -> Response[bytes]:
    if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"):
        return problem(409, "retry", "Concurrent update", "Please retry the request")
    return internal_error_handler(request, exc)


def internal_error_handler(_: Request, exc: Exception) -> Response[bytes]:
    log.error("unhandled_error", exc_info=exc)
    return problem(500, "internal-error", "Internal server error", "An unexpected error occurred")


EXCEPTION_HANDLERS = {
    KulakanError: kulakan_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_exception_handler,
    IntegrityError: integrity_error_handler,
    DBAPIError: dbapi_error_handler,
    Exception: internal_error_handler,
}
