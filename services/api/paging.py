"""Cursor pagination and ETag / If-Match helpers shared by every controller."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import HeaderParameter, QueryParameter

from contracts.api.common import MAX_ID
from contracts.errors import FieldError, InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

Limit = Annotated[int, QueryParameter(name="limit", ge=1, le=MAX_LIMIT, description="Page size")]
Cursor = Annotated[
    str | None,
    QueryParameter(name="cursor", description="Opaque cursor from the previous page's next_cursor"),
]


@dataclass(frozen=True, slots=True)
class PageQuery:
    """The ``limit`` and ``cursor`` of a paged list, as one dependency (``page``)."""

    limit: int
    cursor: str | None


def provide_page_query(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> PageQuery:
    return PageQuery(limit=limit, cursor=cursor)


IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", required=False, description="The ETag the change is based on"),
]


class Page(msgspec.Struct, Generic[T], kw_only=True):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int = 1) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, msgspec.DecodeError, ValueError) as exc:
        raise InvalidInput(
            "cursor is not valid", errors=[FieldError("cursor", "not a cursor we issued", "query")]
        ) from exc
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput(
            "cursor is not valid", errors=[FieldError("cursor", "not a cursor we issued", "query")]
        )
    return values


def after_id(cursor: str | None) -> int | None:
    """The id a single-key cursor points past, or None for the first page."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    if not isinstance(values[0], int) or isinstance(values[0], bool) or abs(values[0]) > MAX_ID:
        raise InvalidInput(
            "cursor is not valid", errors=[FieldError("cursor", "not a cursor we issued", "query")]
        )
    return values[0]


def page_of(rows: list[T], limit: int, key: Any) -> Page[T]:
    """Rows were fetched with ``limit + 1``; the extra row means there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        values = key(last)
        return Page(items=rows, next_cursor=encode_cursor(*values))
    return Page(items=rows, next_cursor=None)
