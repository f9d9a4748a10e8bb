"""Satkers and their warungs."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post, put

from contracts.api import registry as api
from contracts.api.catalogue import Category
from services.api.deps import Ctx, admin_only
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, page_of
from services.app import registry
from services.auth import Role
from services.domain.versioning import etag


class SatkerController(Controller):
    path = "/v1/satkers"
    tags = ["satkers"]

    @post("/", summary="Register a satker (admin)")
    async def create(self, ctx: Ctx, data: api.SatkerCreate) -> api.SatkerOut:
        admin_only(ctx.principal)
        return await registry.create_satker(ctx.tx, data)

    @get("/", summary="List satkers the caller may see")
    async def list_satkers(
        self, ctx: Ctx, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[api.SatkerOut]:
        rows = await registry.list_satkers(
            ctx.tx, ctx.principal, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/{satker_id:int}", summary="One satker")
    async def get_satker(self, ctx: Ctx, satker_id: int) -> Response[api.SatkerOut]:
        out = await registry.get_satker(ctx.tx, ctx.principal, satker_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @patch("/{satker_id:int}", summary="Change a satker's settings (admin)")
    async def update(
        self, ctx: Ctx, satker_id: int, data: api.SatkerUpdate, if_match: IfMatch = None
    ) -> Response[api.SatkerOut]:
        admin_only(ctx.principal)
        out = await registry.update_satker(ctx.tx, satker_id, data, if_match, ctx.now)
        return Response(out, headers={"ETag": etag(out.version)})

    @post("/{satker_id:int}/warungs", summary="Register a warung (admin or its coordinator)")
    async def create_warung(
        self, ctx: Ctx, satker_id: int, data: api.WarungCreate
    ) -> api.WarungOut:
        ctx.principal.require(Role.ADMIN, Role.COORDINATOR)
        ctx.principal.satker_scope(satker_id)
        return await registry.create_warung(ctx.tx, satker_id, data)

    @get("/{satker_id:int}/warungs", summary="List a satker's warungs")
    async def list_warungs(
        self, ctx: Ctx, satker_id: int, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[api.WarungOut]:
        rows = await registry.list_warungs(
            ctx.tx, ctx.principal, satker_id, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/{satker_id:int}/warungs/{warung_id:int}", summary="One warung")
    async def get_warung(self, ctx: Ctx, satker_id: int, warung_id: int) -> Response[api.WarungOut]:
        out = await registry.get_warung(ctx.tx, ctx.principal, satker_id, warung_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @patch("/{satker_id:int}/warungs/{warung_id:int}", summary="Change a warung")
    async def update_warung(
        self,
        ctx: Ctx,
        satker_id: int,
        warung_id: int,
        data: api.WarungUpdate,
        if_match: IfMatch = None,
    ) -> Response[api.WarungOut]:
        ctx.principal.require(Role.ADMIN, Role.COORDINATOR)
        out = await registry.update_warung(
            ctx.tx, ctx.principal, satker_id, warung_id, data, if_match, ctx.now
        )
        return Response(out, headers={"ETag": etag(out.version)})

    @get("/{satker_id:int}/margin-rules", summary="Margins by product category")
    async def list_margin_rules(self, ctx: Ctx, satker_id: int) -> list[api.MarginRuleOut]:
        ctx.principal.require(Role.ADMIN, Role.COORDINATOR)
        return await registry.list_margin_rules(ctx.tx, ctx.principal, satker_id)

    @put(
        "/{satker_id:int}/margin-rules/{category:str}",
        summary="Set the margins for a product category (products without their own use them)",
    )
    async def set_margin_rule(
        self, ctx: Ctx, satker_id: int, category: Category, data: api.MarginRuleSet
    ) -> api.MarginRuleOut:
        ctx.principal.require(Role.ADMIN, Role.COORDINATOR)
        return await registry.set_margin_rule(ctx.tx, ctx.principal, satker_id, category, data)

    @delete(
        "/{satker_id:int}/margin-rules/{category:str}",
        summary="Remove a category's margins (the satker default applies again)",
    )
    async def delete_margin_rule(self, ctx: Ctx, satker_id: int, category: Category) -> None:
        ctx.principal.require(Role.ADMIN, Role.COORDINATOR)
        await registry.delete_margin_rule(ctx.tx, ctx.principal, satker_id, category)
