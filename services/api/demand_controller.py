"""Warung demand: stock, pre-orders, the restock suggestion, restock requests and order cycles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Response, get, post, put
from litestar.params import QueryParameter

from contracts.api.demand import (
    Category,
    CycleTemplateCreate,
    CycleTemplateOut,
    OneOffCycleCreate,
    OrderCycleOut,
    PackFillOut,
    PreorderClose,
    PreorderCreate,
    PreorderOut,
    ProductDemandOut,
    RestockLinesUpdate,
    RestockRequestCreate,
    RestockRequestOut,
    RestockRequestSummaryOut,
    StockLevelOut,
    StockMovementIn,
    StockMovementOut,
    StockUpdate,
    SuggestionOut,
)
from contracts.errors import FieldError, InvalidInput
from services.api.deps import Ctx
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, decode_cursor, page_of
from services.app import (
    cycle_demand,
    order_cycles,
    pack_fill,
    preorders,
    restock,
    restock_suggestion,
    stock,
)
from services.app.restock_submission import MEDIA_TYPE
from services.domain.versioning import etag

StatusFilter = Annotated[str | None, QueryParameter(name="status", required=False)]


class WarungDemandController(Controller):
    path = "/v1/warungs/{warung_id:int}"
    tags = ["demand"]

    @put("/stock", summary="Stock-take and reorder points (minimum, maximum) of some products")
    async def update_stock(
        self, ctx: Ctx, warung_id: int, data: StockUpdate
    ) -> list[StockLevelOut]:
        return await stock.update_stock(ctx.tx, ctx.container, ctx.principal, warung_id, data)

    @get("/stock", summary="The warung's stock levels")
    async def list_stock(
        self, ctx: Ctx, warung_id: int, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[StockLevelOut]:
        rows = await stock.list_stock(
            ctx.tx, ctx.principal, warung_id, limit=limit, after_product_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.product_id,))

    @post("/stock-movements", summary="Record a receipt, sale or adjustment")
    async def record_movement(
        self, ctx: Ctx, warung_id: int, data: StockMovementIn
    ) -> StockMovementOut:
        return await stock.record_movement(ctx.tx, ctx.container, ctx.principal, warung_id, data)

    @get("/stock-movements", summary="Stock movements, oldest first")
    async def list_movements(
        self,
        ctx: Ctx,
        warung_id: int,
        product_id: Annotated[int | None, QueryParameter(name="product_id")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[StockMovementOut]:
        rows = await stock.list_movements(
            ctx.tx,
            ctx.principal,
            warung_id,
            product_id=product_id,
            limit=limit,
            after_id=after_id(cursor),
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @post("/preorders", summary="Record a customer's pre-order")
    async def create_preorder(self, ctx: Ctx, warung_id: int, data: PreorderCreate) -> PreorderOut:
        return await preorders.create_preorder(
            ctx.tx, ctx.container, ctx.principal, warung_id, data, ctx.now
        )

    @post(
        "/preorders/{preorder_id:int}/status",
        summary="Mark a pre-order served or cancelled",
        status_code=200,
    )
    async def close_preorder(
        self, ctx: Ctx, warung_id: int, preorder_id: int, data: PreorderClose
    ) -> Response[PreorderOut]:
        out = await preorders.close_preorder(ctx.tx, ctx.principal, warung_id, preorder_id, data)
        return Response(out, status_code=200)

    @get("/preorders", summary="The warung's pre-orders")
    async def list_preorders(
        self,
        ctx: Ctx,
        warung_id: int,
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[PreorderOut]:
        rows = await preorders.list_preorders(
            ctx.tx, ctx.principal, warung_id, status=status, limit=limit, after_id=after_id(cursor)
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/restock-suggestion", summary="What to order: open pre-orders and stock below minimum")
    async def suggestion(self, ctx: Ctx, warung_id: int) -> SuggestionOut:
        return await restock_suggestion.restock_suggestion(
            ctx.tx, ctx.container, ctx.principal, warung_id
        )

    @get(
        "/pack-fill",
        summary="How full the satker's next carton or sack of each product is in a cycle",
    )
    async def pack_fill(self, ctx: Ctx, warung_id: int, cycle_id: int) -> list[PackFillOut]:
        return await pack_fill.pack_fills(ctx.tx, ctx.principal, warung_id, cycle_id)


class RestockRequestController(Controller):
    path = "/v1/restock-requests"
    tags = ["restock requests"]

    @post(
        "/",
        summary="Submit a restock request (warung key) into the open cycle",
        opt={"idempotency": "inline"},  # create_request claims the key in its one statement
    )
    async def create(self, ctx: Ctx, data: RestockRequestCreate) -> Response[RestockRequestOut]:
        out = await restock.create_request(ctx.tx, ctx.container, ctx.principal, data, ctx.now)
        headers = {"ETag": etag(out.version)}
        stored = ctx.tx.stored_response  # with a key: the very bytes a replay will send
        if stored is not None:
            return Response(stored, status_code=201, headers=headers, media_type=MEDIA_TYPE)  # type: ignore[arg-type]
        return Response(out, status_code=201, headers=headers)

    @get("/", summary="Restock requests the caller may see")
    async def list_requests(
        self,
        ctx: Ctx,
        cycle_id: Annotated[int | None, QueryParameter(name="cycle_id")] = None,
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[RestockRequestSummaryOut]:
        rows = await restock.list_requests(
            ctx.tx,
            ctx.principal,
            limit=limit,
            after_id=after_id(cursor),
            cycle_id=cycle_id,
            status=status,
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/{request_id:int}", summary="One restock request with its lines")
    async def get_request(self, ctx: Ctx, request_id: int) -> Response[RestockRequestOut]:
        out = await restock.get_request(ctx.tx, ctx.principal, request_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @put("/{request_id:int}/lines", summary="Replace the lines, until the cut-off")
    async def replace_lines(
        self, ctx: Ctx, request_id: int, data: RestockLinesUpdate, if_match: IfMatch = None
    ) -> Response[RestockRequestOut]:
        out = await restock.replace_lines(
            ctx.tx, ctx.container, ctx.principal, request_id, data, if_match, ctx.now
        )
        return Response(out, headers={"ETag": etag(out.version)})

    @post("/{request_id:int}/submit", summary="Submit a draft, until the cut-off", status_code=200)
    async def submit(
        self, ctx: Ctx, request_id: int, if_match: IfMatch = None
    ) -> Response[RestockRequestOut]:
        out = await restock.change_status(
            ctx.tx, ctx.principal, request_id, "submit", if_match, ctx.now
        )
        return Response(out, status_code=200, headers={"ETag": etag(out.version)})

    @post("/{request_id:int}/cancel", summary="Cancel, until the cut-off", status_code=200)
    async def cancel(
        self, ctx: Ctx, request_id: int, if_match: IfMatch = None
    ) -> Response[RestockRequestOut]:
        out = await restock.change_status(
            ctx.tx, ctx.principal, request_id, "cancel", if_match, ctx.now
        )
        return Response(out, status_code=200, headers={"ETag": etag(out.version)})


class OrderCycleController(Controller):
    path = "/v1/satkers/{satker_id:int}"
    tags = ["order cycles"]

    @post("/cycle-templates", summary="Add a recurring order cycle (coordinator)")
    async def create_template(
        self, ctx: Ctx, satker_id: int, data: CycleTemplateCreate
    ) -> CycleTemplateOut:
        return await order_cycles.create_template(ctx.tx, ctx.principal, satker_id, data, ctx.now)

    @get("/cycle-templates", summary="The satker's recurring order cycles")
    async def list_templates(self, ctx: Ctx, satker_id: int) -> list[CycleTemplateOut]:
        return await order_cycles.list_templates(ctx.tx, ctx.principal, satker_id)

    @post("/cycles", summary="Add a one-off cycle outside the templates (an urgent restock)")
    async def create_one_off(
        self, ctx: Ctx, satker_id: int, data: OneOffCycleCreate
    ) -> Response[OrderCycleOut]:
        out = await order_cycles.create_one_off_cycle(
            ctx.tx, ctx.principal, satker_id, data, ctx.now
        )
        return Response(out, status_code=201, headers={"ETag": etag(out.version)})

    @get("/cycles", summary="Order cycles by cut-off")
    async def list_cycles(
        self,
        ctx: Ctx,
        satker_id: int,
        status: StatusFilter = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[OrderCycleOut]:
        after = decode_cursor(cursor, arity=2)
        try:
            position = (datetime.fromisoformat(after[0]), int(after[1])) if after else None
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                "cursor is not valid",
                errors=[FieldError("cursor", "not a cursor we issued", "query")],
            ) from exc
        rows = await order_cycles.list_cycles(
            ctx.tx, ctx.principal, satker_id, limit=limit, after=position, status=status
        )
        return page_of(rows, limit, lambda r: (r.cutoff_at.isoformat(), r.id))

    @get("/cycles/{cycle_id:int}", summary="One order cycle")
    async def get_cycle(self, ctx: Ctx, satker_id: int, cycle_id: int) -> Response[OrderCycleOut]:
        out = await order_cycles.get_cycle(ctx.tx, ctx.principal, satker_id, cycle_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @post(
        "/cycles/{cycle_id:int}/close", summary="Close a cycle before its cut-off", status_code=200
    )
    async def close(
        self, ctx: Ctx, satker_id: int, cycle_id: int, if_match: IfMatch = None
    ) -> Response[OrderCycleOut]:
        out = await order_cycles.close_cycle(
            ctx.tx, ctx.principal, satker_id, cycle_id, if_match, ctx.now
        )
        return Response(out, status_code=200, headers={"ETag": etag(out.version)})

    @get("/cycles/{cycle_id:int}/demand", summary="Demand per product across the warungs")
    async def demand(
        self,
        ctx: Ctx,
        satker_id: int,
        cycle_id: int,
        category: Annotated[Category | None, QueryParameter(name="category")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[ProductDemandOut]:
        rows = await cycle_demand.cycle_demand(
            ctx.tx,
            ctx.principal,
            satker_id,
            cycle_id,
            limit=limit,
            after_product_id=after_id(cursor),
            category=str(category) if category else None,
        )
        return page_of(rows, limit, lambda r: (r.product_id,))
