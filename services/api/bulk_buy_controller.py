"""Bulk buys for the satker's coordinators: build or re-quote, review, resolve flags,
approve (one or two coordinators) or reject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, post
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
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, page_of
from services.app import bulk_buy_background, bulk_buy_review, bulk_buy_views, bulk_buys
from services.auth import Principal, Role
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.bulk_buy import BulkBuyStatus
from services.domain.versioning import etag


def _coordinator(principal: Principal, satker_id: int) -> None:
    principal.require(Role.ADMIN, Role.COORDINATOR)
    principal.satker_scope(satker_id)


def _out(out: BulkBuyOut, status_code: int = 200) -> Response[BulkBuyOut]:
    return Response(out, status_code=status_code, headers={"ETag": etag(out.version)})


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
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        satker_id: int,
        cycle_id: int,
        data: BulkBuyBuild | None = None,
        prefer: Annotated[str | None, HeaderParameter(name="Prefer", required=False)] = None,
    ) -> Response[BulkBuyOut]:
        _coordinator(principal, satker_id)
        pins = data.pins if data else {}
        if prefer is not None and "respond-async" in prefer.lower():
            started = await bulk_buy_background.start_build(
                container, satker_id, cycle_id, now, pins
            )
            return _out(started, 202)
        out = await bulk_buys.build_bulk_buy(tx, container, satker_id, cycle_id, now, pins)
        return _out(out, 201)

    @get("/bulk-buys", summary="The satker's bulk buys, newest first")
    async def list_bulk_buys(
        self,
        tx: Tx,
        principal: Principal,
        satker_id: int,
        cycle_id: Annotated[int | None, QueryParameter(name="cycle_id")] = None,
        status: Annotated[BulkBuyStatus | None, QueryParameter(name="status")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[BulkBuySummaryOut]:
        rows = await bulk_buy_views.list_bulk_buys(
            tx,
            principal,
            satker_id,
            cycle_id=cycle_id,
            status=str(status) if status else None,
            limit=limit,
            after_id=after_id(cursor),
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get(
        "/bulk-buys/{bulk_buy_id:int}/quote-comparison",
        summary="Per line, every supplier's quoted price, tier and pack beside the chosen split",
    )
    async def quote_comparison(
        self, tx: Tx, principal: Principal, satker_id: int, bulk_buy_id: int
    ) -> Response[QuoteComparisonOut]:
        _coordinator(principal, satker_id)
        out = await bulk_buy_views.quote_comparison(tx, satker_id, bulk_buy_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @get("/bulk-buys/{bulk_buy_id:int}", summary="Review a bulk buy: costs, prices, savings, flags")
    async def review(
        self, tx: Tx, principal: Principal, satker_id: int, bulk_buy_id: int
    ) -> Response[BulkBuyOut]:
        _coordinator(principal, satker_id)
        return _out(await bulk_buy_views.get_bulk_buy(tx, satker_id, bulk_buy_id))

    @post(
        "/bulk-buys/{bulk_buy_id:int}/lines/{product_id:int}/override",
        summary="Accept a flagged line with a written reason, and perhaps set its retail price",
        status_code=200,
    )
    async def override(
        self,
        tx: Tx,
        principal: Principal,
        now: datetime,
        satker_id: int,
        bulk_buy_id: int,
        product_id: int,
        data: OverrideIn,
        if_match: IfMatch = None,
    ) -> Response[BulkBuyOut]:
        _coordinator(principal, satker_id)
        out = await bulk_buy_review.resolve_line(
            tx,
            satker_id,
            bulk_buy_id,
            product_id,
            drop=False,
            reason=data.reason,
            if_match=if_match,
            now=now,
            retail_price_idr=data.retail_price_idr,
        )
        return _out(out)

    @post(
        "/bulk-buys/{bulk_buy_id:int}/lines/{product_id:int}/drop",
        summary="Leave a product out of this bulk buy",
        status_code=200,
    )
    async def drop(
        self,
        tx: Tx,
        principal: Principal,
        now: datetime,
        satker_id: int,
        bulk_buy_id: int,
        product_id: int,
        data: ReasonIn,
        if_match: IfMatch = None,
    ) -> Response[BulkBuyOut]:
        _coordinator(principal, satker_id)
        out = await bulk_buy_review.resolve_line(
            tx,
            satker_id,
            bulk_buy_id,
            product_id,
            drop=True,
            reason=data.reason,
            if_match=if_match,
            now=now,
        )
        return _out(out)

    @post(
        "/bulk-buys/{bulk_buy_id:int}/approve",
        summary="Approve (If-Match required); above the threshold a second coordinator must too",
        status_code=200,
    )
    async def approve(
        self,
        tx: Tx,
        principal: Principal,
        now: datetime,
        satker_id: int,
        bulk_buy_id: int,
        if_match: IfMatch = None,
    ) -> Response[BulkBuyOut]:
        _coordinator(principal, satker_id)
        if if_match is None:
            raise InvalidInput(
                "approval needs If-Match with the version you reviewed",
                errors=[FieldError("If-Match", "required", "header")],
            )
        return _out(
            await bulk_buy_review.approve(tx, principal, satker_id, bulk_buy_id, if_match, now)
        )

    @post("/bulk-buys/{bulk_buy_id:int}/reject", summary="Reject with a reason", status_code=200)
    async def reject(
        self,
        tx: Tx,
        principal: Principal,
        now: datetime,
        satker_id: int,
        bulk_buy_id: int,
        data: ReasonIn,
        if_match: IfMatch = None,
    ) -> Response[BulkBuyOut]:
        _coordinator(principal, satker_id)
        return _out(
            await bulk_buy_review.reject(tx, satker_id, bulk_buy_id, data.reason, if_match, now)
        )
