"""Admin: API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import QueryParameter

from contracts.api.registry import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, KeyRole
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

    @get("/", summary="List API keys (optionally of one role, or of one satker)")
    async def list_keys(
        self,
        tx: Tx,
        principal: Principal,
        limit: Limit = 50,
        cursor: Cursor = None,
        role: Annotated[KeyRole | None, QueryParameter(name="role")] = None,
        satker_id: Annotated[int | None, QueryParameter(name="satker_id", ge=1)] = None,
    ) -> Page[ApiKeyOut]:
        admin_only(principal)
        rows = await list_api_keys(
            tx, limit=limit, after_id=after_id(cursor), role=role, satker_id=satker_id
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @post("/{key_id:int}/revoke", summary="Revoke an API key", status_code=200)
    async def revoke(
        self, tx: Tx, principal: Principal, container: Container, now: datetime, key_id: int
    ) -> ApiKeyOut:
        admin_only(principal)
        out = await revoke_api_key(tx, key_id, now)
        container.keys.invalidate(out.prefix)
        return out
