"""Bulk buys for the satker's coordinators: build or re-quote, review, resolve flags,
approve (one or two coordinators) or reject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import HeaderParameter, QueryParameter

from contracts.api.bulk_buy import (
    BulkBuyBuild,
    BulkBuyOut,
    BulkBuySummaryOut,
    OverrideIn,
    QuoteComparisonOut,
    ReasonIn,
)
from contracts.errors import FieldError, InvalidInput
from services.api.deps import Ctx
from services.api.paging import IfMatch, Page, PageQuery, after_id, page_of
from services.app import bulk_buy_background, bulk_buy_review, bulk_buy_views, bulk_buys
from services.auth import Principal, Role
from services.domain.bulk_buy import BulkBuyStatus
from services.domain.versioning import etag


def _coordinator(principal: Principal, satker_id: int) -> None:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)


def _out(out: BulkBuyOut, status_code: int = 200) -> Response[BulkBuyOut]:
    return Response(out, status_code=status_code, headers={"ETag": etag(out.version)})


@dataclass(frozen=True, slots=True)
class LineRef:
    """One line of a bulk buy, in a satker the coordinator may act for."""

    ctx: Ctx
    satker_id: int
    bulk_buy_id: int
    product_id: int


def provide_line_ref(ctx: Ctx, satker_id: int, bulk_buy_id: int, product_id: int) -> LineRef:
    _coordinator(ctx.principal, satker_id)
    return LineRef(ctx=ctx, satker_id=satker_id, bulk_buy_id=bulk_buy_id, product_id=product_id)


async def _resolve_line(
    line: LineRef,
    reason: str,
    if_match: str | None,
    *,
    drop: bool,
    retail_price_idr: int | None = None,
) -> Response[BulkBuyOut]:
    """Override (accept, perhaps at a retail price of the coordinator's) or drop a flagged
    line."""
    out = await bulk_buy_review.resolve_line(
        line.ctx.tx,
        line.ctx.principal,
        line.satker_id,
        line.bulk_buy_id,
        line.product_id,
        drop=drop,
        reason=reason,
        if_match=if_match,
        now=line.ctx.now,
        retail_price_idr=retail_price_idr,
    )
    return _out(out)


class BulkBuyController(Controller):
    path = "/v1/satkers/{satker_id:int}"
    tags = ["bulk buys"]

    @post(
        "/cycles/{cycle_id:int}/bulk-buy",
        summary="Consolidate a closed cycle, ask suppliers for quotes, split and price it"
        " (again, to re-quote or pin products to suppliers)",
        description="With `Prefer: respond-async` the answer is a 202 at once with the bulk buy"
        " in `draft`; the quotes run in the background and its status becomes `proposed`"
        " (poll `GET /bulk-buys/{id}`). Without it, the answer waits for every supplier.",
    )
    async def build(
        self,
        ctx: Ctx,
        satker_id: int,
        cycle_id: int,
        data: BulkBuyBuild | None = None,
        prefer: Annotated[str | None, HeaderParameter(name="Prefer", required=False)] = None,
    ) -> Response[BulkBuyOut]:
        _coordinator(ctx.principal, satker_id)
        pins = data.pins if data else {}
        if prefer is not None and "respond-async" in prefer.lower():
            started = await bulk_buy_background.start_build(
                ctx.container, satker_id, cycle_id, ctx.now, pins
            )
            return _out(started, 202)
        out = await bulk_buys.build_bulk_buy(
            ctx.tx, ctx.container, satker_id, cycle_id, ctx.now, pins
        )
        return _out(out, 201)

    @get("/bulk-buys", summary="The satker's bulk buys, newest first")
    async def list_bulk_buys(
        self,
        ctx: Ctx,
        satker_id: int,
        cycle_id: Annotated[int | None, QueryParameter(name="cycle_id")] = None,
        status: Annotated[BulkBuyStatus | None, QueryParameter(name="status")] = None,
        *,
        page: PageQuery,
    ) -> Page[BulkBuySummaryOut]:
        rows = await bulk_buy_views.list_bulk_buys(
            ctx.tx,
            ctx.principal,
            satker_id,
            cycle_id=cycle_id,
            status=str(status) if status else None,
            limit=page.limit,
            after_id=after_id(page.cursor),
        )
        return page_of(rows, page.limit, lambda r: (r.id,))

    @get(
        "/bulk-buys/{bulk_buy_id:int}/quote-comparison",
        summary="Per line, every supplier's quoted price, tier and pack beside the chosen split",
    )
    async def quote_comparison(
        self, ctx: Ctx, satker_id: int, bulk_buy_id: int
    ) -> Response[QuoteComparisonOut]:
        _coordinator(ctx.principal, satker_id)
        out = await bulk_buy_views.quote_comparison(ctx.tx, satker_id, bulk_buy_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @get("/bulk-buys/{bulk_buy_id:int}", summary="Review a bulk buy: costs, prices, savings, flags")
    async def review(self, ctx: Ctx, satker_id: int, bulk_buy_id: int) -> Response[BulkBuyOut]:
        _coordinator(ctx.principal, satker_id)
        return _out(await bulk_buy_views.get_bulk_buy(ctx.tx, satker_id, bulk_buy_id))

    @post(
        "/bulk-buys/{bulk_buy_id:int}/lines/{product_id:int}/override",
        summary="Accept a flagged line with a written reason, and perhaps set its retail price",
        status_code=200,
        dependencies={"line": Provide(provide_line_ref, sync_to_thread=False)},
    )
    async def override(
        self, line: LineRef, data: OverrideIn, if_match: IfMatch = None
    ) -> Response[BulkBuyOut]:
        return await _resolve_line(
            line, data.reason, if_match, drop=False, retail_price_idr=data.retail_price_idr
        )

    @post(
        "/bulk-buys/{bulk_buy_id:int}/lines/{product_id:int}/drop",
        summary="Leave a product out of this bulk buy",
        status_code=200,
        dependencies={"line": Provide(provide_line_ref, sync_to_thread=False)},
    )
    async def drop(
        self, line: LineRef, data: ReasonIn, if_match: IfMatch = None
    ) -> Response[BulkBuyOut]:
        return await _resolve_line(line, data.reason, if_match, drop=True)

    @post(
        "/bulk-buys/{bulk_buy_id:int}/approve",
        summary="Approve (If-Match required); above the threshold a second coordinator must too",
        status_code=200,
    )
    async def approve(
        self, ctx: Ctx, satker_id: int, bulk_buy_id: int, if_match: IfMatch = None
    ) -> Response[BulkBuyOut]:
        _coordinator(ctx.principal, satker_id)
        if if_match is None:
            raise InvalidInput(
                "approval needs If-Match with the version you reviewed",
                errors=[FieldError("If-Match", "required", "header")],
            )
        return _out(
            await bulk_buy_review.approve(
                ctx.tx, ctx.principal, satker_id, bulk_buy_id, if_match, ctx.now
            )
        )

    @post("/bulk-buys/{bulk_buy_id:int}/reject", summary="Reject with a reason", status_code=200)
    async def reject(
        self, ctx: Ctx, satker_id: int, bulk_buy_id: int, data: ReasonIn, if_match: IfMatch = None
    ) -> Response[BulkBuyOut]:
        _coordinator(ctx.principal, satker_id)
        return _out(
            await bulk_buy_review.reject(
                ctx.tx, satker_id, bulk_buy_id, data.reason, if_match, ctx.now
            )
        )
