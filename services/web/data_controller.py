"""Data: the satker's warungs (list, add, edit with If-Match) and their owners' phones (a
single-use sign-in link to send by WhatsApp, ending every session). The other Data tabs are in
``data_catalogue_controller`` (products, suppliers), ``data_prices_controller`` (market
prices, their CSV, the price board) and ``data_keys_controller`` (API keys)."""

from __future__ import annotations

from typing import Unpack

from litestar import Response, get, post
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_303_SEE_OTHER

from contracts.api.registry import WarungCreate, WarungUpdate
from contracts.errors import InvalidInput, VersionMismatch
from services.app import registry, warung_sessions
from services.app.unique_names import taken
from services.auth import Role
from services.domain.versioning import etag
from services.web.data_pages import PAGE_SIZE, Form, acting, data_url, list_page, render, saved
from services.web.forms import checkbox, errors_by_field, form_fields, given, refuse_if, to_struct
from services.web.render import CONSOLE, ConsolePages, Visit, satker_of
from services.web.security import secret_key
from services.web.templating import translations
from services.web.warung_links import SignInLinkView, sign_in_view

WARUNG_FIELDS = ("name", "owner_name", "phone", "address", "kota")


class DataController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/data"

    @get("/", name="console:data")
    async def index(self, visit: Visit, satker_id: int) -> Redirect:
        visit.viewer.principal().satker_scope(satker_id)  # another satker's is not found
        return Redirect(path=data_url(satker_id))

    @get("/warungs", name="console:data:warungs")
    async def warungs(self, visit: Visit, satker_id: int, after: int | None = None) -> Template:
        return await _warungs_page(visit, satker_id, after)

    @post("/warungs", name="console:data:warung-add")
    async def add_warung(self, visit: Visit, satker_id: int) -> Response:
        acting(visit, satker_id, Role.ADMIN, Role.COORDINATOR)  # the API's rule for adding a warung
        values, _ = await form_fields(visit.request)
        try:
            data = to_struct(given(values, WARUNG_FIELDS), WarungCreate)
            refuse_if(await taken(visit.tx, "warung", data.name, satker_id=satker_id))
            await registry.create_warung(visit.tx, satker_id, data)
        except InvalidInput as exc:
            return await _warungs_page(
                visit, satker_id, None, values=values, errors=errors_by_field(exc)
            )
        return saved(visit.request, satker_id, "warungs", "warung")

    @get("/warungs/{warung_id:int}", name="console:data:warung")
    async def warung(self, visit: Visit, satker_id: int, warung_id: int) -> Template:
        out = await registry.get_warung(visit.tx, visit.viewer.principal(), satker_id, warung_id)
        return await _warung_form(visit, satker_id, out)

    @post("/warungs/{warung_id:int}", name="console:data:warung-edit")
    async def edit_warung(self, visit: Visit, satker_id: int, warung_id: int) -> Response:
        principal = acting(visit, satker_id, Role.ADMIN, Role.COORDINATOR)
        values, _ = await form_fields(visit.request)
        fields = given(values, ("name", "owner_name", "phone", "address"))
        try:
            data = to_struct({**fields, "active": checkbox(values, "active")}, WarungUpdate)
            refuse_if(
                await taken(visit.tx, "warung", data.name, satker_id=satker_id, except_id=warung_id)
            )
            await registry.update_warung(
                visit.tx, principal, satker_id, warung_id, data, _if_match(values), visit.now
            )
        except VersionMismatch:
            fresh = await registry.get_warung(visit.tx, principal, satker_id, warung_id)
            return await _warung_form(visit, satker_id, fresh, stale=True)
        except InvalidInput as exc:
            current = await registry.get_warung(visit.tx, principal, satker_id, warung_id)
            return await _warung_form(visit, satker_id, current, values=values, exc=exc)
        return saved(visit.request, satker_id, "warungs", "warung")

    @post("/warungs/{warung_id:int}/sign-in-link", name="console:data:warung-sign-in-link")
    async def sign_in_link(self, visit: Visit, satker_id: int, warung_id: int) -> Template:
        """A new single-use sign-in link for the owner's phone, shown this once (the form
        sends no Idempotency-Key: a stored answer would keep the link's secret)."""
        principal = acting(visit, satker_id, Role.ADMIN, Role.COORDINATOR)
        warung = await registry.get_warung(visit.tx, principal, satker_id, warung_id)
        settings = visit.container.settings
        issued = await warung_sessions.issue_link(
            visit.tx,
            principal,
            warung_id,
            secret=secret_key(settings),
            base_url=settings.public_base_url,
            now=visit.now,
        )
        satker = await satker_of(visit, satker_id)
        link = sign_in_view(translations(settings.language), issued, satker.timezone)
        return await _warung_form(visit, satker_id, warung, link=link)

    @post("/warungs/{warung_id:int}/end-sessions", name="console:data:warung-end-sessions")
    async def end_sessions(self, visit: Visit, satker_id: int, warung_id: int) -> Redirect:
        principal = acting(visit, satker_id, Role.ADMIN, Role.COORDINATOR)
        await registry.get_warung(visit.tx, principal, satker_id, warung_id)  # this satker's
        ended = await warung_sessions.end_warung_sessions(visit.tx, principal, warung_id)
        return Redirect(
            path=f"{data_url(satker_id)}/{warung_id}?ended={ended}",
            status_code=HTTP_303_SEE_OTHER,
        )


def _if_match(values: dict[str, str]) -> str | None:
    """The version the form showed, as the API's If-Match (a form without one is refused)."""
    version = values.get("version", "")
    return etag(int(version)) if version.isdigit() else '"none"'


async def _warungs_page(
    visit: Visit, satker_id: int, after: int | None, **form: Unpack[Form]
) -> Template:
    rows = await registry.list_warungs(
        visit.tx, visit.viewer.principal(), satker_id, limit=PAGE_SIZE, after_id=after
    )
    return await list_page(visit, satker_id, "warungs", rows, {}, **form)


async def _warung_form(
    visit: Visit,
    satker_id: int,
    warung: object,
    *,
    values: dict[str, str] | None = None,
    exc: InvalidInput | None = None,
    stale: bool = False,
    link: SignInLinkView | None = None,
) -> Template:
    status = 409 if stale else 400 if exc is not None else HTTP_201_CREATED if link else 200
    ended = visit.request.query_params.get("ended", "")
    return await render(
        visit,
        satker_id,
        "warungs",
        "console/data/warung_edit.html",
        {
            "w": warung,
            "stale": stale,
            "values": values or {},
            "errors": errors_by_field(exc) if exc is not None else {},
            "link": link,
            "ended": int(ended) if ended.isdigit() else None,
        },
        status_code=status,
    )
