"""Products, suppliers and market reference prices: admins write, every role reads."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import QueryParameter

from contracts.api.catalogue import (
    Category,
    MarketPriceCreate,
    MarketPriceOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    SupplierCreate,
    SupplierCreated,
    SupplierOut,
    SupplierUpdate,
)
from services.api.deps import Ctx, admin_only
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, page_of
from services.app import market_prices, products, suppliers
from services.app.csv_import import ImportReport, import_market_prices
from services.db.tx import Tx
from services.domain.versioning import etag


class ProductController(Controller):
    path = "/v1/products"
    tags = ["catalogue"]

    @post("/", summary="Register a product with its packs and price ceilings (admin)")
    async def create(self, ctx: Ctx, data: ProductCreate) -> ProductOut:
        admin_only(ctx.principal)
        out = await products.create_product(ctx.tx, data)
        ctx.container.product_cache.invalidate(out.id)
        return out

    @get("/", summary="List products")
    async def list_products(
        self,
        tx: Tx,
        limit: Limit = 50,
        cursor: Cursor = None,
        category: Annotated[Category | None, QueryParameter(name="category")] = None,
        active: Annotated[bool | None, QueryParameter(name="active")] = None,
    ) -> Page[ProductOut]:
        rows = await products.list_products(
            tx, limit=limit, after_id=after_id(cursor), category=category, active=active
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/{product_id:int}", summary="One product")
    async def get_product(self, tx: Tx, product_id: int) -> Response[ProductOut]:
        out = await products.get_product(tx, product_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @patch(
        "/{product_id:int}", summary="Change a product (admin); packs/ceilings replace the lists"
    )
    async def update(
        self, ctx: Ctx, product_id: int, data: ProductUpdate, if_match: IfMatch = None
    ) -> Response[ProductOut]:
        admin_only(ctx.principal)
        out = await products.update_product(ctx.tx, product_id, data, if_match, ctx.now)
        ctx.container.product_cache.invalidate(product_id)
        return Response(out, headers={"ETag": etag(out.version)})


class SupplierController(Controller):
    path = "/v1/suppliers"
    tags = ["catalogue"]

    @post("/", summary="Register a supplier (admin); the webhook secret is shown once")
    async def create(self, ctx: Ctx, data: SupplierCreate) -> SupplierCreated:
        admin_only(ctx.principal)
        return await suppliers.create_supplier(ctx.tx, data, ctx.container.adapters)

    @get("/", summary="List suppliers")
    async def list_suppliers(
        self,
        tx: Tx,
        limit: Limit = 50,
        cursor: Cursor = None,
        region: Annotated[str | None, QueryParameter(name="region")] = None,
    ) -> Page[SupplierOut]:
        rows = await suppliers.list_suppliers(
            tx, limit=limit, after_id=after_id(cursor), region=region
        )
        return page_of(rows, limit, lambda r: (r.id,))

    @get("/{supplier_id:int}", summary="One supplier")
    async def get_supplier(self, tx: Tx, supplier_id: int) -> Response[SupplierOut]:
        out = await suppliers.get_supplier(tx, supplier_id)
        return Response(out, headers={"ETag": etag(out.version)})

    @patch("/{supplier_id:int}", summary="Change a supplier (admin)")
    async def update(
        self, ctx: Ctx, supplier_id: int, data: SupplierUpdate, if_match: IfMatch = None
    ) -> Response[SupplierOut]:
        admin_only(ctx.principal)
        out = await suppliers.update_supplier(
            ctx.tx, supplier_id, data, ctx.container.adapters, if_match, ctx.now
        )
        return Response(out, headers={"ETag": etag(out.version)})


class MarketPriceController(Controller):
    path = "/v1/market-prices"
    tags = ["catalogue"]

    @post("/", summary="Record a market reference price (admin); same day and source updates")
    async def create(self, ctx: Ctx, data: MarketPriceCreate) -> MarketPriceOut:
        admin_only(ctx.principal)
        return (await market_prices.upsert_market_prices(ctx.tx, [data]))[0]

    @post(
        "/import",
        summary="Import market prices from a CSV file (admin): sku,kota,price_date,price_idr"
        "[,source]; every row is checked first and nothing is saved when any is wrong (the"
        " problem lists them as row_errors: line, column, message)",
        status_code=200,
    )
    async def import_csv(self, request: Request, ctx: Ctx) -> ImportReport:
        admin_only(ctx.principal)
        return await import_market_prices(
            ctx.tx, await request.body(), now=ctx.now, adapters=ctx.container.adapters
        )

    @get("/", summary="List market reference prices")
    async def list_prices(
        self,
        tx: Tx,
        limit: Limit = 50,
        cursor: Cursor = None,
        sku: Annotated[str | None, QueryParameter(name="sku")] = None,
        kota: Annotated[str | None, QueryParameter(name="kota")] = None,
    ) -> Page[MarketPriceOut]:
        rows = await market_prices.list_market_prices(
            tx, limit=limit, after_id=after_id(cursor), sku=sku, kota=kota
        )
        return page_of(rows, limit, lambda r: (r.id,))
