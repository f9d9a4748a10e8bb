"""Data: the satker's warungs (list, add, edit with If-Match). The other Data tabs are in
``data_catalogue_controller`` (products, suppliers), ``data_prices_controller`` (market
prices, their CSV, the price board) and ``data_keys_controller`` (API keys)."""

from __future__ import annotations

from typing import Unpack

from litestar import Response, get, post
from litestar.response import Redirect, Template

from contracts.api.registry import WarungCreate, WarungUpdate
from contracts.errors import InvalidInput, VersionMismatch
from services.app import registry
from services.app.unique_names import taken
from services.auth import Role
from services.domain.versioning import etag
from services.web.data_pages import PAGE_SIZE, Form, data_url, list_page, render, saved
from services.web.forms import checkbox, errors_by_field, form_fields, given, refuse_if, to_struct
from services.web.render import CONSOLE, ConsolePages, Visit

WARUNG_FIELDS = ("name", "owner_name", "phone", "address", "kota")


class DataController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/data"

    @get("/", name="console:data")
    async def index(self, satker_id: int) -> Redirect:
        return Redirect(path=data_url(satker_id))

    @get("/warungs", name="console:data:warungs")
    async def warungs(self, visit: Visit, satker_id: int, after: int | None = None) -> Template:
        return await _warungs_page(visit, satker_id, after)

    @post("/warungs", name="console:data:warung-add")
    async def add_warung(self, visit: Visit, satker_id: int) -> Response:
        principal = visit.viewer.principal()
        principal.require(Role.ADMIN, Role.COORDINATOR)  # the API's rule for adding a warung
        principal.satker_scope(satker_id)
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
        principal = visit.viewer.principal()
        principal.require(Role.ADMIN, Role.COORDINATOR)
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
) -> Template:
    status = 409 if stale else 400 if exc is not None else 200
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
        },
        status_code=status,
    )
