"""Form posts of the Data pages: turning a form into the JSON API's body Struct (so the same
validation applies), errors by field for the page, and the parts every form carries (the CSRF
token, an Idempotency-Key made when the page was rendered, the version it showed)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from contracts.errors import FieldError, InvalidInput, KulakanError

T = TypeVar("T")
_PATH = re.compile(r"at `\$\.?([A-Za-z_][A-Za-z0-9_]*)")
HIDDEN = ("_csrf_token",)


def new_key() -> str:
    """An Idempotency-Key for one rendered form: a double submit does one thing."""
    return uuid.uuid4().hex


async def form_fields(request: Request) -> tuple[dict[str, str], dict[str, UploadFile]]:
    """The posted text fields (stripped; the CSRF token left out) and the uploaded files."""
    form = await request.form()
    texts: dict[str, str] = {}
    files: dict[str, UploadFile] = {}
    for key, value in form.multi_items():
        if key in HIDDEN:
            continue
        if isinstance(value, UploadFile):
            files[key] = value
        else:
            texts[key] = str(value).strip()
    return texts, files


def to_struct(values: dict[str, Any], target: type[T]) -> T:
    """``values`` as ``target`` (strings converted like a query string); a bad field raises
    InvalidInput naming it, as the API's 400 does."""
    try:
        return msgspec.convert(values, target, strict=False)
    except msgspec.ValidationError as exc:
        found = _PATH.search(str(exc))
        name = found.group(1) if found else ""
        message = str(exc).split(" - at ")[0]
        raise InvalidInput(message, errors=[FieldError(f"/{name}", message)]) from exc


def given(values: dict[str, str], names: Iterable[str]) -> dict[str, str]:
    """The named fields that are not empty (an empty optional field is "not given")."""
    return {n: values[n] for n in names if values.get(n, "") != ""}


def checkbox(values: dict[str, str], name: str) -> bool:
    return values.get(name) in ("on", "true", "1")


def errors_by_field(exc: KulakanError) -> dict[str, str]:
    """``{"name": "too long", ...}`` from the error's pointers; ``""`` for the whole form."""
    out: dict[str, str] = {}
    for e in exc.errors:
        name = e.pointer.strip("/").split("/")[0]
        out.setdefault(name, e.detail)
    if not out:
        out[""] = exc.detail
    return out


def refuse_if(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput("already used", errors=errors)
