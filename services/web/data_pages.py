"""What every Data page shares: the satker header, the tabs, who may change what (the JSON
API's role rules), and rendering with the form parts (CSRF, Idempotency-Key, errors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict, Unpack

from litestar import Request
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from services.app.users import WebUser
from services.auth import Principal, Role
from services.web.forms import new_key
from services.web.render import CONSOLE, Visit, page, satker_of

TABS = ("warungs", "products", "suppliers", "market-prices", "price-board", "api-keys")
PAGE_SIZE = 100


def data_url(satker_id: int, tab: str = "warungs") -> str:
    return f"{CONSOLE}/satkers/{satker_id}/data/{tab}"


def acting(visit: Visit, satker_id: int, *roles: Role) -> Principal:
    """The signed-in person acting on this satker's Data: another satker's is not found
    (404, whatever their role), then the API's role rule for the change (403)."""
    principal = visit.viewer.principal()
    principal.satker_scope(satker_id)
    principal.require(*roles)
    return principal


def is_admin(viewer: WebUser) -> bool:
    """Products, suppliers, market prices and API keys are the operator's, as in the API
    (``admin_only``): a coordinator sees them read-only."""
    return viewer.principal().role == Role.ADMIN


async def render(
    visit: Visit,
    satker_id: int,
    tab: str,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Template:
    """The page, after the satker check every Data page makes (admin, or this satker's
    coordinator; another satker is 404)."""
    satker = await satker_of(visit, satker_id)
    full: dict[str, Any] = {
        "viewer": visit.viewer,
        "satker_id": satker_id,
        "satker": satker,
        "tab": tab,
        "tabs": TABS,
        "base": f"{CONSOLE}/satkers/{satker_id}/data",
        "admin": is_admin(visit.viewer),
        "idem": new_key,
        "errors": {},
        "values": {},
        "notice": visit.request.query_params.get("saved"),
        **context,
    }
    return page(visit.request, template, full, status_code=status_code)


class Form(TypedDict, total=False):
    """What an add form sent back to its list page: the values typed and the errors by field."""

    values: dict[str, str]
    errors: dict[str, str]


async def list_page(
    visit: Visit,
    satker_id: int,
    tab: str,
    rows: Sequence[Any],
    context: dict[str, Any],
    **form: Unpack[Form],
) -> Template:
    """A Data tab's list: ``PAGE_SIZE`` rows (``rows`` holds one more when there are more) and
    its add form, 400 when that form was refused."""
    errors = form.get("errors") or {}
    full = {
        "rows": rows[:PAGE_SIZE],
        "next_after": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
        "values": form.get("values") or {},
        "errors": errors,
        **context,
    }
    template = f"console/data/{tab}.html"
    return await render(visit, satker_id, tab, template, full, status_code=400 if errors else 200)


def saved(request: Request, satker_id: int, tab: str, what: str, **query: object) -> Redirect:
    """After a change: back to the list with a note (303, so a reload does not post again)."""
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return Redirect(
        path=f"{data_url(satker_id, tab)}?saved={what}{extra}", status_code=HTTP_303_SEE_OTHER
    )
