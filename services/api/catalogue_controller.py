"""Products, suppliers and market reference prices: admins write, every role reads."""

from __future__ import annotations

from datetime import datetime
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
from services.api.deps import admin_only
from services.api.paging import Cursor, IfMatch, Limit, Page, after_id, page_of
from services.app import market_prices, products, suppliers
from services.app.csv_import import ImportReport, import_market_prices
from services.auth import Principal
from services.bootstrap import Container
from services.db.tx import Tx
from services.domain.versioning import etag


class ProductController(Controller):
    path = "/v1/products"
    tags = ["catalogue"]

    @post("/", summary="Register a product with its packs and price ceilings (admin)")
    async def create(
        self, tx: Tx, principal: Principal, container: Container, data: ProductCreate
    ) -> ProductOut:
        admin_only(principal)
        out = await products.create_product(tx, data)
        container.product_cache.invalidate(out.id)
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
        self,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        product_id: int,
        data: ProductUpdate,
        if_match: IfMatch = None,
    ) -> Response[ProductOut]:
        admin_only(principal)
        out = await products.update_product(tx, product_id, data, if_match, now)
        container.product_cache.invalidate(product_id)
        return Response(out, headers={"ETag": etag(out.version)})


class SupplierController(Controller):
    path = "/v1/suppliers"
    tags = ["catalogue"]

    @post("/", summary="Register a supplier (admin); the webhook secret is shown once")
    async def create(
        self, tx: Tx, principal: Principal, container: Container, data: SupplierCreate
    ) -> SupplierCreated:
        admin_only(principal)
        return await suppliers.create_supplier(tx, data, container.adapters)

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
        self,
        tx: Tx,
        principal: Principal,
        container: Container,
        now: datetime,
        supplier_id: int,
        data: SupplierUpdate,
        if_match: IfMatch = None,
    ) -> Response[SupplierOut]:
        admin_only(principal)
        out = await suppliers.update_supplier(
            tx, supplier_id, data, container.adapters, if_match, now
        )
        return Response(out, headers={"ETag": etag(out.version)})


class MarketPriceController(Controller):
    path = "/v1/market-prices"
    tags = ["catalogue"]

    @post("/", summary="Record a market reference price (admin); same day and source updates")
    async def create(self, tx: Tx, principal: Principal, data: MarketPriceCreate) -> MarketPriceOut:
        admin_only(principal)
        return (await market_prices.upsert_market_prices(tx, [data]))[0]

    @post(
        "/import",
        summary="Import market prices from a CSV file (admin): sku,kota,price_date,price_idr"
        "[,source]; every row is checked first and nothing is saved when any is wrong (the"
        " problem lists them as row_errors: line, column, message)",
        status_code=200,
    )
    async def import_csv(
        self, request: Request, tx: Tx, principal: Principal, container: Container, now: datetime
    ) -> ImportReport:
        admin_only(principal)
        return await import_market_prices(
            tx, await request.body(), now=now, adapters=container.adapters
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
