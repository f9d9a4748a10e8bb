"""Data: API keys of the satker's warungs and of the suppliers. As in the JSON API
(``/v1/api-keys``) only an admin lists, creates or revokes keys; a new key's secret is shown
once, and a revoked key stops working in every process at once."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.response import Template

from contracts.api.registry import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, KeyRole
from contracts.errors import InvalidInput, NotFound
from services.app import registry, suppliers
from services.app.api_keys import create_api_key, list_api_keys, revoke_api_key
from services.auth import Role
from services.db.tx import Tx
from services.web.data_pages import acting, is_admin, render, saved
from services.web.forms import errors_by_field, form_fields
from services.web.render import CONSOLE, ConsolePages, Visit

LIMIT = 500


async def _satker_keys(tx: Tx, satker_id: int) -> list[ApiKeyOut]:
    warungs = await list_api_keys(
        tx, limit=LIMIT, after_id=None, role=KeyRole.WARUNG, satker_id=satker_id
    )
    suppliers_ = await list_api_keys(tx, limit=LIMIT, after_id=None, role=KeyRole.SUPPLIER)
    return warungs[:LIMIT] + suppliers_[:LIMIT]


class DataKeysController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/data/api-keys"

    @get("/", name="console:data:api-keys")
    async def keys(self, visit: Visit, satker_id: int) -> Template:
        return await _keys_page(visit, satker_id)

    @post("/", name="console:data:api-key-add")
    async def create(self, visit: Visit, satker_id: int) -> Response:
        principal = acting(visit, satker_id, Role.ADMIN)  # the API's admin_only
        values, _ = await form_fields(visit.request)
        kind, _, ident = values.get("owner", "").partition(":")
        label = values.get("label", "")
        try:
            if not ident.isdigit() or kind not in ("warung", "supplier"):
                raise InvalidInput("choose a warung or a supplier")
            if kind == "warung":
                # this satker's warung, or 404
                await registry.get_warung(visit.tx, principal, satker_id, int(ident))
                data = ApiKeyCreate(
                    role=KeyRole.WARUNG, satker_id=satker_id, warung_id=int(ident), label=label
                )
            else:
                data = ApiKeyCreate(role=KeyRole.SUPPLIER, supplier_id=int(ident), label=label)
            created = await create_api_key(visit.tx, data)
        except (InvalidInput, NotFound) as exc:
            errors = errors_by_field(exc) if isinstance(exc, InvalidInput) else {"": exc.detail}
            return await _keys_page(visit, satker_id, values=values, errors=errors)
        return await _keys_page(visit, satker_id, created=created, status_code=201)

    @post("/{key_id:int}/revoke", name="console:data:api-key-revoke")
    async def revoke(self, visit: Visit, satker_id: int, key_id: int) -> Response:
        acting(visit, satker_id, Role.ADMIN)
        if key_id not in {k.id for k in await _satker_keys(visit.tx, satker_id)}:
            raise NotFound(f"api key {key_id} not found")  # not a key this page shows
        out = await revoke_api_key(visit.tx, key_id, visit.now)
        visit.container.keys.invalidate(out.prefix)
        return saved(visit.request, satker_id, "api-keys", "revoked")


async def _keys_page(
    visit: Visit,
    satker_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    created: ApiKeyCreated | None = None,
    status_code: int = 200,
) -> Template:
    context: dict[str, Any] = {"created": created, "values": values or {}, "errors": errors or {}}
    if is_admin(visit.viewer):
        principal = visit.viewer.principal()
        warungs = await registry.list_warungs(
            visit.tx, principal, satker_id, limit=LIMIT, after_id=None
        )
        sups = await suppliers.list_suppliers(visit.tx, limit=LIMIT, after_id=None)
        context |= {
            "keys": await _satker_keys(visit.tx, satker_id),
            "warung_names": {w.id: w.name for w in warungs},
            "supplier_names": {s.id: s.name for s in sups},
        }
    return await render(
        visit,
        satker_id,
        "api-keys",
        "console/data/api_keys.html",
        context,
        status_code=400 if errors else status_code,
    )
