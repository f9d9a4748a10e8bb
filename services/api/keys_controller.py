"""Admin: API keys."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get, post

from contracts.api.registry import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from services.api.deps import admin_only
from services.api.paging import Cursor, Limit, Page, after_id, page_of
from services.app.api_keys import create_api_key, list_api_keys, revoke_api_key
from services.auth import Principal
from services.bootstrap import Container
from services.db.tx import Tx


class ApiKeyController(Controller):
    path = "/v1/api-keys"
    tags = ["api keys"]

    @post("/", summary="Create an API key (the key is shown once)")
    async def create(self, tx: Tx, principal: Principal, data: ApiKeyCreate) -> ApiKeyCreated:
        admin_only(principal)
        return await create_api_key(tx, data)

    @get("/", summary="List API keys")
    async def list_keys(
        self, tx: Tx, principal: Principal, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[ApiKeyOut]:
        admin_only(principal)
        rows = await list_api_keys(tx, limit=limit, after_id=after_id(cursor))
        return page_of(rows, limit, lambda r: (r.id,))

    @post("/{key_id:int}/revoke", summary="Revoke an API key", status_code=200)
    async def revoke(
        self, tx: Tx, principal: Principal, container: Container, now: datetime, key_id: int
    ) -> ApiKeyOut:
        admin_only(principal)
        out = await revoke_api_key(tx, key_id, now)
        container.keys.invalidate(out.prefix)
        return out
