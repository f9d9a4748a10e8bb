"""Data: products and suppliers, the shared reference data. Everyone signed in reads them; as
in the JSON API only an admin adds or changes them (If-Match on every change)."""

from __future__ import annotations

import json
from typing import Any, Unpack

from litestar import Response, get, post
from litestar.response import Template

from contracts.api.catalogue import (
    Category,
    PaymentTerms,
    ProductCreate,
    ProductUpdate,
    SupplierCreate,
    SupplierUpdate,
)
from contracts.errors import FieldError, InvalidInput, VersionMismatch
from services.app import products, suppliers
from services.app.unique_names import taken
from services.auth import Role
from services.web.data_controller import _if_match
from services.web.data_pages import PAGE_SIZE, Form, acting, list_page, render, saved
from services.web.forms import checkbox, errors_by_field, form_fields, given, refuse_if, to_struct
from services.web.render import CONSOLE, ConsolePages, Visit

PRODUCT_FIELDS = ("name", "category", "retail_unit", "target_margin", "min_margin")
SUPPLIER_FIELDS = (
    "name",
    "delivery_fee_idr",
    "min_order_value_idr",
    "payment_terms",
    "tempo_days",
    "contact_phone",
)


def _admin(visit: Visit, satker_id: int) -> None:
    acting(visit, satker_id, Role.ADMIN)  # the API's admin_only


def _product_create(values: dict[str, str]) -> ProductCreate:
    body: dict[str, Any] = {
        **given(values, ("sku", *PRODUCT_FIELDS)),
        "fractional": checkbox(values, "fractional"),
        "vat": checkbox(values, "vat"),
    }
    if values.get("pack_name") or values.get("units_per_pack"):
        body["packs"] = [
            {
                "pack_name": values.get("pack_name", ""),
                "units_per_pack": values.get("units_per_pack"),
            }
        ]
    if values.get("het_idr"):
        body["ceilings"] = [{"region": "national", "kind": "HET", "price_idr": values["het_idr"]}]
    return to_struct(body, ProductCreate)


def _regions(values: dict[str, str]) -> list[str]:
    return [r.strip() for r in values.get("regions", "").split(";") if r.strip()]


def _supplier_body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {**given(values, SUPPLIER_FIELDS), "regions": _regions(values)}
    if values.get("adapter_config"):
        try:
            body["adapter_config"] = json.loads(values["adapter_config"])
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                "adapter_config is not JSON", errors=[FieldError("/adapter_config", str(exc))]
            ) from exc
    return body


class DataCatalogueController(ConsolePages):
    path = f"{CONSOLE}/satkers/{{satker_id:int}}/data"

    @get("/products", name="console:data:products")
    async def product_list(
        self,
        visit: Visit,
        satker_id: int,
        after: int | None = None,
    ) -> Template:
        return await _products_page(visit, satker_id, after)

    @post("/products", name="console:data:product-add")
    async def product_add(self, visit: Visit, satker_id: int) -> Response:
        _admin(visit, satker_id)
        values, _ = await form_fields(visit.request)
        try:
            data = _product_create(values)
            refuse_if(await taken(visit.tx, "product", data.sku))
            out = await products.create_product(visit.tx, data)
        except InvalidInput as exc:
            return await _products_page(
                visit, satker_id, None, values=values, errors=errors_by_field(exc)
            )
        visit.container.product_cache.invalidate(out.id)
        return saved(visit.request, satker_id, "products", "product")

    @get("/products/{product_id:int}", name="console:data:product")
    async def product(self, visit: Visit, satker_id: int, product_id: int) -> Template:
        _admin(visit, satker_id)
        return await _edit(visit, satker_id, "product", product_id)

    @post("/products/{product_id:int}", name="console:data:product-edit")
    async def product_edit(self, visit: Visit, satker_id: int, product_id: int) -> Response:
        _admin(visit, satker_id)
        values, _ = await form_fields(visit.request)
        body = {**given(values, PRODUCT_FIELDS), "active": checkbox(values, "active")}
        body |= {"fractional": checkbox(values, "fractional"), "vat": checkbox(values, "vat")}
        try:
            data = to_struct(body, ProductUpdate)
            await products.update_product(visit.tx, product_id, data, _if_match(values), visit.now)
        except VersionMismatch:
            return await _edit(visit, satker_id, "product", product_id, stale=True)
        except InvalidInput as exc:
            return await _edit(visit, satker_id, "product", product_id, values=values, exc=exc)
        visit.container.product_cache.invalidate(product_id)
        return saved(visit.request, satker_id, "products", "product")

    @get("/suppliers", name="console:data:suppliers")
    async def supplier_list(
        self,
        visit: Visit,
        satker_id: int,
        after: int | None = None,
    ) -> Template:
        return await _suppliers_page(visit, satker_id, after)

    @post("/suppliers", name="console:data:supplier-add")
    async def supplier_add(self, visit: Visit, satker_id: int) -> Response:
        _admin(visit, satker_id)
        values, _ = await form_fields(visit.request)
        try:
            body = _supplier_body(values) | given(values, ("adapter_key",))
            data = to_struct(body, SupplierCreate)
            refuse_if(await taken(visit.tx, "supplier", data.name))
            created = await suppliers.create_supplier(visit.tx, data, visit.container.adapters)
        except InvalidInput as exc:
            return await _suppliers_page(visit, satker_id, None, values=values, exc=exc)
        # the webhook secret is shown this once, as the API's 201 does
        return await _suppliers_page(visit, satker_id, None, created=created, status_code=201)

    @get("/suppliers/{supplier_id:int}", name="console:data:supplier")
    async def supplier(self, visit: Visit, satker_id: int, supplier_id: int) -> Template:
        _admin(visit, satker_id)
        return await _edit(visit, satker_id, "supplier", supplier_id)

    @post("/suppliers/{supplier_id:int}", name="console:data:supplier-edit")
    async def supplier_edit(self, visit: Visit, satker_id: int, supplier_id: int) -> Response:
        _admin(visit, satker_id)
        values, _ = await form_fields(visit.request)
        try:
            body = _supplier_body(values) | {"active": checkbox(values, "active")}
            data = to_struct(body, SupplierUpdate)
            refuse_if(await taken(visit.tx, "supplier", data.name, except_id=supplier_id))
            await suppliers.update_supplier(
                visit.tx, supplier_id, data, visit.container.adapters, _if_match(values), visit.now
            )
        except VersionMismatch:
            return await _edit(visit, satker_id, "supplier", supplier_id, stale=True)
        except InvalidInput as exc:
            return await _edit(visit, satker_id, "supplier", supplier_id, values=values, exc=exc)
        return saved(visit.request, satker_id, "suppliers", "supplier")


async def _products_page(
    visit: Visit, satker_id: int, after: int | None, **form: Unpack[Form]
) -> Template:
    rows = await products.list_products(visit.tx, limit=PAGE_SIZE, after_id=after)
    categories = [(c.value, c.value) for c in Category]
    return await list_page(visit, satker_id, "products", rows, {"categories": categories}, **form)


async def _suppliers_page(
    visit: Visit,
    satker_id: int,
    after: int | None,
    *,
    values: dict[str, str] | None = None,
    exc: InvalidInput | None = None,
    created: Any = None,
    status_code: int = 200,
) -> Template:
    rows = await suppliers.list_suppliers(visit.tx, limit=PAGE_SIZE, after_id=after)
    context = {
        "rows": rows[:PAGE_SIZE],
        "next_after": rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None,
        "adapter_keys": [(k, k) for k in visit.container.adapters.keys],
        "terms": [(t.value, t.value) for t in PaymentTerms],
        "created": created,
        "values": values or {},
        "errors": errors_by_field(exc) if exc is not None else {},
    }
    template = "console/data/suppliers.html"
    return await render(
        visit,
        satker_id,
        "suppliers",
        template,
        context,
        status_code=400 if exc is not None else status_code,
    )


async def _edit(
    visit: Visit,
    satker_id: int,
    kind: str,
    item_id: int,
    *,
    values: dict[str, str] | None = None,
    exc: InvalidInput | None = None,
    stale: bool = False,
) -> Template:
    if kind == "product":
        item: Any = await products.get_product(visit.tx, item_id)
        options = {"categories": [(c.value, c.value) for c in Category]}
    else:
        item = await suppliers.get_supplier(visit.tx, item_id)
        options = {"terms": [(t.value, t.value) for t in PaymentTerms]}
    return await render(
        visit,
        satker_id,
        f"{kind}s",
        f"console/data/{kind}_edit.html",
        {
            "item": item,
            "stale": stale,
            "values": values or {},
            "errors": errors_by_field(exc) if exc is not None else {},
            **options,
        },
        status_code=409 if stale else 400 if exc is not None else 200,
    )
